/**
 * Kubernetes objects from YAML text, with exact ranges. Uses the `yaml` package's parser and
 * converts each document to the compact YNode tree at once (the Document is dropped).
 */
import { parseAllDocuments, isAlias, isMap as yIsMap, isSeq as yIsSeq, isScalar as yIsScalar, isPair, Document } from 'yaml';
import type { Node as YamlNode, Scalar } from 'yaml';
import { Finding, INPUT_RULES } from '../types';
import { YMap, YNode, YScalar, ScalarStyle, isMap, isScalar, str, strMap, get, isSeq, yscalar, ymap, yseq, ypair, withRange } from './ynode';
import { fastParseDocument, LeanSpec } from './yaml-fast';

/** What identifies a Kubernetes object wherever it is kept: as a full object or as a lean stub. */
export interface ObjectIdentity {
  file: string;
  apiVersion: string;
  /** API group: '' for core, e.g. `networking.istio.io` */
  group: string;
  kind: string;
  name: string;
  /** metadata.namespace as written (undefined when absent) */
  declaredNamespace?: string;
  /** effective namespace: declared, else the kustomization's, else `default` (a listing kustomization's wins) */
  ns: string;
}

export interface K8sObject extends ObjectIdentity {
  /** index of the YAML document in the file */
  doc: number;
  /** index inside a `kind: List` document's items, if any */
  listIndex?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  root: YMap;
}

/**
 * What the workspace shows of a Secret, or of an object that makes one (a SealedSecret, a cert-manager
 * Certificate): kind, name, namespace, type and the produced Secret's name, never `data`/`stringData`
 * or any other value. These kinds stay out of `objects` (their documents are read once for these
 * fields and the tree is dropped), so nothing else in the core sees them.
 */
export interface SecretStub extends ObjectIdentity {
  /** Secret `type` (Opaque, kubernetes.io/tls...) */
  type?: string;
  /** the Secret it makes: a Certificate's spec.secretName, a SealedSecret's name; a Secret's own name */
  secretName?: string;
  /** range of metadata.name (related locations) */
  start: number;
  end: number;
}

/** Kinds kept as SecretStubs (their documents are otherwise skipped). */
export const SECRET_STUB_KINDS = new Set(['Secret', 'SealedSecret', 'Certificate']);

export interface ParsedYamlFile {
  objects: K8sObject[];
  /** Secrets and the objects that make them, lean (see SecretStub) */
  secrets?: SecretStub[];
  findings: Finding[];
  /** number of YAML documents */
  documents: number;
  /** the file was recognised as a template and skipped */
  skipped?: boolean;
}

/** Budget for converting one document (guards alias bombs and absurd files). */
const NODE_BUDGET = 400_000;

const STYLE: Record<string, ScalarStyle> = {
  PLAIN: 'plain',
  QUOTE_SINGLE: 'single',
  QUOTE_DOUBLE: 'double',
  BLOCK_LITERAL: 'literal',
  BLOCK_FOLDED: 'folded',
};

class BudgetExceeded extends Error {}
class TooDeep extends Error {}

/** Nesting limit for one document: Kubernetes objects nest a few dozen levels; rules and features recurse. */
const MAX_DEPTH = 200;

function shift(r: [number, number, number] | null | undefined, base: number): [number, number, number] {
  return r ? [r[0] + base, r[1] + base, r[2] + base] : [base, base, base];
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end;
}

interface Budget {
  n: number;
  base: number;
  /** alias -> anchored node: `Alias.resolve` walks the whole document, so an alias bomb would be quadratic */
  aliases?: Map<unknown, unknown>;
}

function convert(node: unknown, doc: Document, text: string, budget: Budget, aliasDepth = 0, depth = 0): YNode | null {
  if (node == null) return null;
  if (--budget.n < 0) throw new BudgetExceeded();
  if (depth > MAX_DEPTH) throw new TooDeep();
  if (isAlias(node)) {
    if (aliasDepth > 20) throw new BudgetExceeded();
    budget.aliases ??= new Map();
    let target = budget.aliases.get(node);
    if (target === undefined) budget.aliases.set(node, (target = node.resolve(doc) ?? null));
    const conv = convert(target, doc, text, budget, aliasDepth + 1, depth);
    if (!conv) return null;
    // an alias keeps its own location for reporting
    const r = shift((node as YamlNode).range, budget.base);
    return withRange(conv, r[0], r[1]);
  }
  const r = shift((node as YamlNode).range, budget.base);
  if (yIsScalar(node)) {
    const s = node as Scalar;
    let v = s.value as unknown;
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') v = String(v);
    if (typeof v === 'number' && !Number.isFinite(v)) v = s.source ?? String(v);
    return yscalar(v as YScalar['v'], r[0], trimEnd(text, r[0], r[1]), STYLE[s.type ?? 'PLAIN'] ?? 'plain');
  }
  if (yIsMap(node)) {
    const items = [];
    for (const p of node.items) {
      if (!isPair(p)) continue;
      let key = convert(p.key, doc, text, budget, aliasDepth, depth + 1);
      if (!key || key.t !== 's') {
        const kr = (p.key as YamlNode | null)?.range ? shift((p.key as YamlNode).range, budget.base) : [r[0], r[0], r[0]];
        key = yscalar(text.slice(kr[0], kr[1]), kr[0], kr[1], 'plain');
      }
      items.push(ypair(key as YScalar, convert(p.value, doc, text, budget, aliasDepth, depth + 1)));
    }
    return ymap(items, r[0], trimEnd(text, r[0], r[1]), !!node.flow);
  }
  if (yIsSeq(node)) {
    const items: YNode[] = [];
    for (const it of node.items) {
      const c = convert(it, doc, text, budget, aliasDepth, depth + 1);
      if (c) items.push(c);
    }
    return yseq(items, r[0], trimEnd(text, r[0], r[1]), !!node.flow);
  }
  return null;
}

/**
 * A Helm/Go/Jinja template rather than YAML: `{{` in a chart's templates/ folder, Helm actions
 * (`{{ .Values`, `{{- if`, `{{ include` ...), or `{{` where a YAML value starts (invalid YAML).
 * `{{ }}` inside quoted or block-scalar strings (Prometheus alert text, Argo notification templates) is fine.
 */
export function looksLikeTemplate(path: string, text: string): 'yes' | 'maybe' | 'no' {
  if (!text.includes('{{')) return 'no';
  if (/(^|\/)templates\/[^/]+$/.test(path)) return 'yes';
  if (/\{\{-?\s*(\.Values|\.Release|\.Chart|\.Capabilities|\.Files)\b/.test(text)) return 'yes';
  // `{{ }}` may sit inside strings (alert text, notification templates): decided by whether the YAML parses
  return 'maybe';
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function toObject(file: string, doc: number, root: YMap, listIndex?: number): K8sObject | undefined {
  const apiVersion = str(root, 'apiVersion');
  const kind = str(root, 'kind');
  if (!apiVersion || !kind) return undefined;
  const meta = get(root, 'metadata');
  const name = str(meta, 'name') ?? str(meta, 'generateName') ?? '';
  const declaredNamespace = str(meta, 'namespace');
  return {
    file,
    doc,
    listIndex,
    apiVersion,
    group: groupOf(apiVersion),
    kind,
    name,
    declaredNamespace,
    ns: declaredNamespace ?? 'default',
    labels: strMap(meta, 'labels'),
    annotations: strMap(meta, 'annotations'),
    root,
  };
}

export interface ParseYamlOptions {
  /**
   * Keep every field. By default (lean trees, see `useLeanYaml`) the container fields no rule reads
   * are dropped from workloads' pod templates; features that show any field (hover) re-parse with this.
   */
  full?: boolean;
}

export function parseYaml(file: string, text: string, options: ParseYamlOptions = {}): ParsedYamlFile {
  const lean = LEAN && !options.full;
  const findings: Finding[] = [];
  const tpl = looksLikeTemplate(file, text);
  if (tpl === 'maybe') {
    const r = parseYamlText(file, text, lean);
    if (!r.findings.some((f) => f.rule === INPUT_RULES.yamlSyntax)) return r;
  }
  if (tpl !== 'no') {
    const i = Math.max(0, text.search(/\{\{/));
    findings.push({
      rule: INPUT_RULES.templateSkipped,
      severity: 'information',
      file,
      start: i,
      end: Math.min(text.length, i + 2),
      message: 'meshlint skipped this file: it is a Helm/Go template ({{ }}). Render it (helm template) to check the result.',
    });
    return { objects: [], findings, documents: 0, skipped: true };
  }
  return parseYamlText(file, text, lean);
}

/** Documents read by the fast reader and by `yaml` (templates and skipped kinds are read by neither); the benchmark reports the share. */
export const readerStats = { fast: 0, fallback: 0 };

/** A chunk of only comments and blank lines: 0; the same after a `---` marker: 1 (yaml's document count); else -1. */
function blankChunk(text: string, start: number, end: number): number {
  let first = true;
  let marker = 0;
  for (let s = start; s < end; ) {
    let e = text.indexOf('\n', s);
    if (e < 0 || e > end) e = end;
    let p = s;
    while (p < e && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 13)) p++;
    const c = p < e ? text.charCodeAt(p) : -1;
    if (c !== -1 && c !== 35) {
      // the document marker, alone or followed by a comment, on the first content line
      if (!(first && p === s && text.startsWith('---', p) && /^---(?:[ \r]+(?:#.*)?)?$/.test(text.slice(p, e)))) return -1;
      marker = 1;
    }
    if (c !== -1) first = false;
    s = e + 1;
  }
  return marker;
}

function parseYamlText(file: string, text: string, lean: boolean): ParsedYamlFile {
  const findings: Finding[] = [];
  const objects: K8sObject[] = [];
  const secrets: SecretStub[] = [];
  let documents = 0;
  for (const chunk of splitDocuments(text)) {
    const kind = quickKind(text, chunk.start, chunk.end);
    if (kind && SKIPPED_KINDS.has(kind)) {
      documents++; // a kind no rule reads as an object: not kept (fast path for CRDs, RBAC, Secrets...)
      if (SECRET_STUB_KINDS.has(kind)) secretStubOf(file, text, chunk.start, chunk.end, secrets);
      continue;
    }
    if (FAST) {
      // a workload's dropped container fields are not even built (the kind read ahead; addRoot prunes by the parsed kind anyway)
      const root = fastParseDocument(text, chunk.start, chunk.end, NODE_BUDGET, lean && kind && LEAN_KINDS.has(kind) ? leanSpec(kind) : undefined);
      if (root) {
        readerStats.fast++;
        if (root.t === 'm') addRoot(file, documents++, root, objects, lean, secrets);
        else documents++; // a sequence document holds no object
        continue;
      }
      const blank = blankChunk(text, chunk.start, chunk.end);
      if (blank >= 0) {
        // only comments and blank lines: yaml reads no document, or an empty one after a `---` marker
        readerStats.fast++;
        documents += blank;
        continue;
      }
    }
    readerStats.fallback++;
    let docs: Document.Parsed[];
    try {
      docs = parseAllDocuments(text.slice(chunk.start, chunk.end), { uniqueKeys: false, prettyErrors: false, strict: false }) as Document.Parsed[];
      if (!Array.isArray(docs)) docs = [];
    } catch (e) {
      findings.push({ rule: INPUT_RULES.yamlSyntax, severity: 'error', file, start: chunk.start, end: chunk.start, message: `YAML could not be parsed: ${(e as Error).message}` });
      continue;
    }
    for (const d of docs) {
      const di = documents++;
      const base = chunk.start;
      if (d.errors.length) {
        const e = d.errors[0]; // the first error per document is the useful one
        const [s0, e0] = e.pos ?? [0, 0];
        const s = Math.min(s0 + base, text.length);
        findings.push({
          rule: INPUT_RULES.yamlSyntax,
          severity: 'error',
          file,
          start: s,
          end: Math.min(Math.max(e0 + base, s), text.length),
          // the yaml package reports its own stack overflow on absurd nesting as a parse error
          message: /call stack/i.test(e.message)
            ? `YAML nests too deeply to be read (more than ${MAX_DEPTH} levels); meshlint skipped this document.`
            : `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
        });
        continue; // a broken document is not trusted for objects
      }
      let root: YNode | null;
      try {
        root = convert(d.contents, d, text, { n: NODE_BUDGET, base });
      } catch (e) {
        if (!(e instanceof BudgetExceeded) && !(e instanceof TooDeep)) throw e;
        const r = shift((d.contents as YamlNode | null)?.range, base);
        findings.push({
          rule: INPUT_RULES.fileSkipped,
          severity: 'warning',
          file,
          start: r[0],
          end: Math.min(r[0] + 1, text.length),
          message:
            e instanceof TooDeep
              ? `meshlint skipped YAML document ${di + 1}: it nests more than ${MAX_DEPTH} levels deep.`
              : `meshlint skipped YAML document ${di + 1}: it expands to more than ${NODE_BUDGET} nodes (alias bomb or generated data).`,
        });
        continue;
      }
      if (!isMap(root)) continue;
      addRoot(file, di, root, objects, lean, secrets);
    }
  }
  // exact-size lists: most files hold one to four objects, and the parse result is kept per file
  return secrets.length ? { objects: objects.slice(), secrets, findings, documents } : { objects: objects.slice(), findings, documents };
}

/**
 * A SecretStub from a skipped document: parsed on its own, the few fields read, the tree dropped.
 * A document that does not parse, or is not what its kind line says, gives nothing (and no finding:
 * these documents were never diagnosed).
 */
function secretStubOf(file: string, text: string, start: number, end: number, out: SecretStub[]): void {
  let root: YNode | null | undefined = fastParseDocument(text, start, end, NODE_BUDGET);
  if (root === undefined) {
    try {
      root = yamlChunkRoot(text, start, end);
    } catch {
      return;
    }
  }
  if (isMap(root)) addSecretStub(file, root, out);
}

function addSecretStub(file: string, root: YMap, out: SecretStub[]): void {
  const apiVersion = str(root, 'apiVersion');
  const kind = str(root, 'kind');
  const nameNode = get(root, 'metadata', 'name');
  if (!apiVersion || !kind || !isScalar(nameNode) || nameNode.v === null || nameNode.v === '') return;
  const group = groupOf(apiVersion);
  const name = String(nameNode.v);
  let secretName: string | undefined;
  if (kind === 'Secret' && group === '') secretName = name;
  else if (kind === 'SealedSecret' && group === 'bitnami.com') secretName = name; // the Secret it unseals has its name and namespace
  else if (kind === 'Certificate' && group === 'cert-manager.io') secretName = str(root, 'spec', 'secretName');
  else return;
  const declaredNamespace = str(root, 'metadata', 'namespace');
  const type = kind === 'Secret' ? str(root, 'type') : undefined;
  out.push({ file, apiVersion, group, kind, name, declaredNamespace, ns: declaredNamespace ?? 'default', type, secretName, start: nameNode.start, end: nameNode.end });
}

function addRoot(file: string, di: number, root: YMap, objects: K8sObject[], lean: boolean, secrets: SecretStub[]): void {
  const obj = toObject(file, di, root);
  if (!obj) return;
  if (obj.kind === 'List' || (obj.kind.endsWith('List') && isSeq(get(root, 'items')))) {
    const items = get(root, 'items');
    if (isSeq(items)) {
      items.items.forEach((it, li) => {
        if (!isMap(it)) return;
        const k = str(it, 'kind');
        // Secrets (and what makes them) in a List are kept as stubs, as they are as documents
        if (k && SECRET_STUB_KINDS.has(k)) return void addSecretStub(file, it, secrets);
        const o = toObject(file, di, it, li);
        if (!o) return;
        if (lean) leanContainers(o);
        objects.push(o);
      });
    }
    return;
  }
  if (lean) leanContainers(obj);
  objects.push(obj);
}

/**
 * Lean trees. A workload's containers carry most of its YAML (env alone is ~30% of all nodes in a
 * typical workspace: probes, resources and mounts another ~15%), and no rule or model view reads
 * those fields. They are dropped right after parsing so the trees kept for every document stay small;
 * map ranges are untouched (the container's range still covers the dropped text). Features that
 * show arbitrary fields (hover's field docs) re-parse the file with `{ full: true }`.
 * Kinds: the model's workload kinds (model.ts WORKLOAD_KINDS; kept here to avoid an import cycle).
 */
export const LEAN_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'Rollout', 'DeploymentConfig', 'ReplicationController']);

/** Container fields dropped from lean trees. Kept: name, image, ports and anything not listed. */
export const LEAN_DROPPED_FIELDS = new Set([
  'env', 'envFrom', 'livenessProbe', 'readinessProbe', 'startupProbe', 'resources', 'volumeMounts', 'volumeDevices',
  'securityContext', 'lifecycle', 'args', 'command', 'workingDir', 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy',
]);

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const POD_SPEC = ['spec'];
const CRONJOB_POD_SPEC = ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
const TEMPLATE_POD_SPEC = ['spec', 'template', 'spec'];

const LEAN_SPECS = new Map<string, LeanSpec>();
function leanSpec(kind: string): LeanSpec {
  let spec = LEAN_SPECS.get(kind);
  if (!spec) LEAN_SPECS.set(kind, (spec = { podSpec: podSpecPath(kind), lists: CONTAINER_LISTS, drop: LEAN_DROPPED_FIELDS }));
  return spec;
}

function podSpecPath(kind: string): string[] {
  return kind === 'Pod' ? POD_SPEC : kind === 'CronJob' ? CRONJOB_POD_SPEC : TEMPLATE_POD_SPEC;
}

function leanContainers(o: K8sObject): void {
  if (!LEAN_KINDS.has(o.kind)) return;
  const podSpec = get(o.root, ...podSpecPath(o.kind));
  if (!isMap(podSpec)) return;
  for (const p of podSpec.items) {
    if (!CONTAINER_LISTS.has(p.key.v as string) || !isSeq(p.value)) continue;
    for (const c of p.value.items) {
      if (isMap(c) && c.items.some((x) => LEAN_DROPPED_FIELDS.has(x.key.v as string))) c.items = c.items.filter((x) => !LEAN_DROPPED_FIELDS.has(x.key.v as string));
    }
  }
}

/**
 * The fast reader (yaml-fast.ts) takes the common block-style subset; everything else goes through
 * `yaml`. Both give identical YNode trees (test/unit/parse-paths.test.ts). Tests switch it off to compare.
 */
let FAST = process.env.MESHLINT_FAST_YAML !== '0';
export function useFastYaml(on: boolean): void {
  FAST = on;
}

/** Lean trees (see `leanContainers`) unless `MESHLINT_LEAN_YAML=0`; tests switch them off to compare. */
let LEAN = process.env.MESHLINT_LEAN_YAML !== '0';
export function useLeanYaml(on: boolean): void {
  LEAN = on;
}
export function leanYaml(): boolean {
  return LEAN;
}

/** The `yaml` package's tree for one document chunk, converted (undefined: a syntax error or no document). For tests. */
export function yamlChunkRoot(text: string, start: number, end: number): YNode | null | undefined {
  const docs = parseAllDocuments(text.slice(start, end), { uniqueKeys: false, prettyErrors: false, strict: false }) as Document.Parsed[];
  if (!Array.isArray(docs) || docs.length !== 1 || docs[0].errors.length) return undefined;
  return convert(docs[0].contents, docs[0], text, { n: NODE_BUDGET, base: start });
}

/** Kinds no rule reads; their documents are counted but not parsed (CRDs alone can be megabytes). */
export const SKIPPED_KINDS = new Set([
  'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Secret', 'SealedSecret',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService', 'PodSecurityPolicy', 'PriorityClass',
  'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'HorizontalPodAutoscaler',
  'LimitRange', 'ResourceQuota', 'Certificate', 'Issuer', 'ClusterIssuer', 'CertificateRequest',
  'AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun', 'Experiment', 'Application', 'AppProject', 'ApplicationSet',
  'PrometheusRule', 'Alertmanager', 'AlertmanagerConfig', 'GrafanaDashboard', 'VerticalPodAutoscaler',
]);

/** Document boundaries: `---` (or `...`) at column 0. Offsets into text; separators belong to the next chunk. */
export function splitDocuments(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const re = /^(---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index === 0) continue;
    if (m[1] === '...') {
      // document end marker: the rest of its line belongs to the current chunk
      const nl = text.indexOf('\n', m.index);
      const cut = nl < 0 ? text.length : nl + 1;
      out.push({ start, end: cut });
      start = cut;
      continue;
    }
    out.push({ start, end: m.index });
    start = m.index;
  }
  out.push({ start, end: text.length });
  return out.filter((c) => c.end > c.start);
}

/** `kind:` at column 0 of a document chunk, read without parsing. */
function quickKind(text: string, start: number, end: number): string | undefined {
  const re = /^kind:[ \t]*["']?([A-Za-z0-9]+)["']?[ \t]*(#.*)?\r?$/gm;
  re.lastIndex = start;
  const m = re.exec(text);
  return m && m.index < end ? m[1] : undefined;
}
