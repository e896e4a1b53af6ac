/**
 * The analysis core's entry point: files in, findings out. Pure and synchronous.
 * `Workspace` keeps per-file parse results keyed by content so an edit re-parses one file.
 */
import type { SourceFile, Finding, AnalysisOptions, Severity } from './types';
import { INPUT_RULES, SEVERITY_ORDER } from './types';
import { parseYaml, K8sObject, SecretStub, ObjectIdentity } from './source/yaml';
import { parseNginx, MAX_ERRORS as MAX_NGINX_ERRORS } from './source/nginx/parser';
import { parseEmbeddedNginx } from './source/nginx/embedded';
import type { NgxConfig } from './source/nginx/ast';
import { classifyPath, isDefinitelyNginx, looksLikeNginx, looksBinary, stripBom, dirname, joinPath, basename } from './source/files';
import { MeshModel, NginxConf, WorkspaceFacts } from './model/model';
import { FileFacts, LinkIndex, fileFacts } from './incremental';
import { nginxFacts } from './model/nginx';
import { prometheusFacts } from './model/prometheus';
import { get, isScalar, mapEntries, seq, str } from './source/ynode';
import { RULES } from './rules/registry';
import type { Rule } from './rules/rule';
import { suppressions, Suppressions } from './suppress';
import { LineIndex } from './text';

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

interface ParsedFile {
  path: string;
  text: string;
  kind: 'yaml' | 'nginx' | 'other';
  objects: K8sObject[];
  /** Secrets and what makes them (lean stubs: no values) */
  secrets?: SecretStub[];
  /** nginx configs found in this file (standalone, or embedded in ConfigMaps) */
  nginx: { config: NgxConfig; configMap?: K8sObject; key?: string; exact: boolean }[];
  findings: Finding[];
  documents: number;
  kustomization?: { namespace?: string; resources: string[] };
  suppress?: Suppressions;
  /** content facts for the incremental planner, computed on first use */
  facts?: FileFacts;
}

export interface RuleError {
  rule: string;
  message: string;
}

export interface AnalysisResult {
  findings: Finding[];
  /** the model of the whole workspace (after a partial analysis it is built on first access) */
  readonly model: MeshModel;
  /**
   * A model that answers exactly for `file`: after a partial analysis, the partial model when the
   * file was re-analysed (cheap), else the whole workspace's
   */
  modelFor(file: string): MeshModel;
  /** the text of a file as this analysis saw it */
  text(file: string): string | undefined;
  files: number;
  ruleErrors: RuleError[];
  /** 'partial': only the files an edit could affect were re-analysed (see incremental.ts) */
  mode: 'full' | 'partial';
  /** why a full analysis was needed */
  why?: string;
  /** files analysed by this run (every file after a full analysis) */
  analysed: number;
  /**
   * files whose findings may lag behind after a partial analysis: files with workspace-wide inputs
   * (mesh config, gateways, ingress controllers, Prometheus...), refreshed by the next full analysis
   */
  stale: ReadonlySet<string>;
}

/** Above this many changed files since the last analysis, a full analysis is cheaper than planning. */
const MAX_PARTIAL_CHANGES = 64;

interface Plan {
  /** files whose findings are recomputed */
  affected: Set<string>;
  /** files the partial model is built from (affected + global files), in path order */
  inputs: ParsedFile[];
  workspace: WorkspaceFacts;
  stale: ReadonlySet<string>;
}

interface LastAnalysis {
  findings: Finding[];
  known: ReadonlySet<string>;
  meshInUse: boolean;
  rootNs: string;
  stale: ReadonlySet<string>;
}

const EMBEDDED_KEY = /\.(conf|conf\.template|nginx)$/i;
const NOT_NGINX_KEY = /\.(ya?ml|json|lua|js|html?|txt|properties|xml|toml|sh|py|ini|env)$/i;

function parseFile(f: SourceFile, maxSize: number): ParsedFile {
  const text = stripBom(f.text);
  const kind = classifyPath(f.path);
  const pf: ParsedFile = { path: f.path, text, kind, objects: [], nginx: [], findings: [], documents: 0 };
  if (kind === 'other') return pf;
  const size = f.size ?? text.length;
  if (size > maxSize) {
    pf.findings.push({
      rule: INPUT_RULES.fileSkipped,
      severity: 'information',
      file: f.path,
      start: 0,
      end: 0,
      message: `meshlint skipped this file: ${(size / 1048576).toFixed(1)} MB is above the ${(maxSize / 1048576).toFixed(1)} MB limit (setting meshlint.maxFileSize, CLI --max-file-size).`,
    });
    return pf;
  }
  if (looksBinary(text)) {
    pf.findings.push({ rule: INPUT_RULES.fileSkipped, severity: 'information', file: f.path, start: 0, end: 0, message: 'meshlint skipped this file: it is binary or not UTF-8 text.' });
    return pf;
  }
  if (kind === 'yaml') {
    const y = parseYaml(f.path, text);
    pf.objects = y.objects;
    if (y.secrets) pf.secrets = y.secrets;
    for (const x of y.findings) pf.findings.push(x);
    pf.documents = y.documents;
    const base = basename(f.path).toLowerCase();
    if (base === 'kustomization.yaml' || base === 'kustomization.yml') pf.kustomization = readKustomization(f.path, text, y.objects);
    for (const o of y.objects) if (o.kind === 'ConfigMap' && o.group === '') embeddedNginx(pf, o);
  } else {
    if (!isDefinitelyNginx(f.path) && !looksLikeNginx(text)) {
      pf.kind = 'other';
      return pf;
    }
    const config = parseNginx(text);
    if (tooDeep(f.path, config, 'this file', pf.findings)) return pf;
    pf.nginx.push({ config, exact: true });
    includesOutside(f.path, config, pf.findings);
    syntaxErrors(f.path, config, 'nginx', pf.findings);
  }
  return pf;
}

/** nginx block nesting the model follows; real configs nest well under 10 (http, server, location, if). */
const MAX_NGINX_DEPTH = 64;

/** A config nested absurdly deep is not analysed (the model and rules walk blocks recursively). */
function tooDeep(file: string, config: NgxConfig, what: string, out: Finding[]): boolean {
  let stack: { ds: typeof config.directives; depth: number }[] = [{ ds: config.directives, depth: 0 }];
  while (stack.length) {
    const { ds, depth } = stack.pop()!;
    for (const d of ds) {
      if (!d.block?.length) continue;
      if (depth + 1 > MAX_NGINX_DEPTH) {
        stack = [];
        out.push({ rule: INPUT_RULES.fileSkipped, severity: 'warning', file, start: d.start, end: d.nameEnd, message: `meshlint skipped the nginx config in ${what}: its blocks nest more than ${MAX_NGINX_DEPTH} levels deep.` });
        return true;
      }
      stack.push({ ds: d.block, depth: depth + 1 });
    }
  }
  return false;
}

/** The first syntax error of a config, as `nginx -t` reports it (a broken file gives one finding, not thousands). */
function syntaxErrors(file: string, config: NgxConfig, prefix: string, out: Finding[]): void {
  const e = config.errors[0];
  if (!e) return;
  const more = config.errors.length - 1;
  out.push({
    rule: INPUT_RULES.nginxSyntax,
    severity: 'error',
    file,
    start: e.start,
    end: Math.max(e.end, e.start),
    message: `${prefix}: ${e.message}${more ? ` (and ${config.errors.length >= MAX_NGINX_ERRORS ? 'at least ' : ''}${more} more syntax error${more === 1 ? '' : 's'} after it)` : ''}`,
  });
}

/** `include ../../x.conf` climbing above the workspace root: not read, and the finding says why. */
function includesOutside(path: string, config: NgxConfig, out: Finding[]): void {
  const stack = [config.directives];
  while (stack.length) {
    for (const d of stack.pop()!) {
      if (d.block) stack.push(d.block);
      if (d.name !== 'include' || d.args.length !== 1) continue;
      const a = d.args[0];
      const m = /^\/etc\/nginx\/(.*)$/.exec(a.value);
      const rel = m ? m[1] : a.value;
      if ((!m && a.value.startsWith('/')) || !rel.split('/').includes('..') || joinPath(dirname(path), rel) !== undefined) continue;
      out.push({
        rule: INPUT_RULES.includeOutside,
        severity: 'information',
        file: path,
        start: a.start,
        end: a.end,
        message: `include ${a.value} points outside the workspace (its ".." climbs above the workspace root), so meshlint does not read it: meshlint never reads files outside the workspace. What it adds is unknown here, and checks that depend on it stay quiet.`,
      });
    }
  }
}

function readKustomization(path: string, text: string, objects: K8sObject[]): ParsedFile['kustomization'] {
  // a kustomization may omit apiVersion/kind, so read it directly when no object came out
  const o = objects.find((x) => x.kind === 'Kustomization');
  if (o) {
    return { namespace: str(o.root, 'namespace'), resources: [...seq(o.root, 'resources'), ...seq(o.root, 'bases')].map((n) => (isScalar(n) ? String(n.v) : '')).filter(Boolean) };
  }
  const y = parseYaml(path + '#k', text.replace(/^/, 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n'));
  const k = y.objects[0];
  if (!k) return undefined;
  return { namespace: str(k.root, 'namespace'), resources: [...seq(k.root, 'resources'), ...seq(k.root, 'bases')].map((n) => (isScalar(n) ? String(n.v) : '')).filter(Boolean) };
}

function embeddedNginx(pf: ParsedFile, cm: K8sObject): void {
  for (const p of mapEntries(cm.root, 'data')) {
    const key = String(p.key.v);
    const v = p.value;
    if (!isScalar(v) || typeof v.v !== 'string') continue;
    if (NOT_NGINX_KEY.test(key)) continue;
    if (!looksLikeNginx(v.v)) continue;
    if (!EMBEDDED_KEY.test(key) && !/(^|[\s;{])(server|location|http|upstream|events)\s[^\n]*\{/.test(v.v)) continue;
    const parsed = parseEmbeddedNginx(pf.text, v.start, v.end);
    if (!parsed) continue;
    if (tooDeep(pf.path, parsed.config, `ConfigMap ${cm.name}, key ${key}`, pf.findings)) continue;
    pf.nginx.push({ config: parsed.config, configMap: cm, key, exact: parsed.exact });
    syntaxErrors(pf.path, parsed.config, `nginx (ConfigMap ${cm.name}, key ${key})`, pf.findings);
  }
}

export class Workspace {
  private readonly files = new Map<string, ParsedFile>();
  /** files changed since the last analysis, with their version at that analysis (undefined: absent) */
  private readonly dirty = new Map<string, ParsedFile | undefined>();
  private last?: LastAnalysis;
  private index?: LinkIndex<ParsedFile>;
  private prepared = 0;
  private kustomize?: Map<string, string>;
  private sorted?: ParsedFile[];
  /**
   * `incremental`: compute each file's planner facts when it is set (the server: indexing pays for
   * them, so that the first edit after indexing does not).
   */
  constructor(
    private options: AnalysisOptions = {},
    private readonly mode: { incremental?: boolean } = {},
  ) {}

  setOptions(options: AnalysisOptions): void {
    const sizeChanged = (options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE) !== (this.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
    this.options = options;
    this.last = undefined;
    if (sizeChanged) {
      const all = [...this.files.values()];
      this.files.clear();
      for (const f of all) this.set({ path: f.path, text: f.text });
    }
  }

  /** Add or replace a file; returns false when the content did not change. */
  set(file: SourceFile): boolean {
    const prev = this.files.get(file.path);
    if (prev && prev.text === stripBom(file.text) && file.size === undefined) return false;
    let pf: ParsedFile;
    try {
      pf = parseFile(file, this.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
    } catch (e) {
      pf = { path: file.path, text: file.text, kind: 'other', objects: [], nginx: [], documents: 0, findings: [{ rule: INPUT_RULES.internal, severity: 'error', file: file.path, start: 0, end: 0, message: `meshlint could not read this file (internal error: ${(e as Error).message}). The rest of the workspace is still checked.` }] };
    }
    if (this.mode.incremental) pf.facts = fileFacts(pf);
    if (!this.dirty.has(file.path)) this.dirty.set(file.path, prev);
    if (!prev) this.sorted = undefined;
    else if (this.sorted) {
      // same path, same place in path order
      const i = indexOfPath(this.sorted, file.path);
      if (i >= 0) this.sorted[i] = pf;
      else this.sorted = undefined;
    }
    this.files.set(file.path, pf);
    return true;
  }

  delete(path: string): boolean {
    const prev = this.files.get(path);
    if (!prev) return false;
    if (!this.dirty.has(path)) this.dirty.set(path, prev);
    this.sorted = undefined;
    return this.files.delete(path);
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  /** Number of YAML documents in a file (tests use it to check fixes keep the document count). */
  documents(path: string): number {
    return this.files.get(path)?.documents ?? 0;
  }

  /**
   * Findings for the workspace. After edits, only the files the edits can affect are re-analysed
   * when that is safe (incremental.ts); `full` forces a complete analysis (it also refreshes
   * `stale` files).
   */
  analyze(opts: { full?: boolean } = {}): AnalysisResult {
    // path order, not insertion order: the server (files opened, deleted, re-created in any order)
    // and the CLI (sorted discovery) must see the same model and the same messages
    this.sorted ??= [...this.files.values()].sort(byPath);
    const all = this.sorted;
    // kustomizations change namespaces of files they do not touch; otherwise only changed files need theirs
    const kustomizationChanged = !this.kustomize || [...this.dirty].some(([p, old]) => old?.kustomization || this.files.get(p)?.kustomization);
    if (kustomizationChanged) assignNamespaces(all, (this.kustomize = kustomizeIndex(all)));
    else for (const p of this.dirty.keys()) {
      const f = this.files.get(p);
      if (f) assignNamespaces([f], this.kustomize!);
    }
    const plan = opts.full ? 'requested' : !this.last ? 'first analysis, or the last one had rule errors' : this.plan(all, this.last);
    const result = typeof plan === 'string' ? this.full(all, plan) : this.partial(all, plan, this.last!);
    this.dirty.clear();
    return result;
  }

  private full(all: ParsedFile[], why: string): AnalysisResult {
    this.index = undefined;
    const { model, ruleErrors, findings } = this.run(all);
    this.last = ruleErrors.length ? undefined : { findings, known: model.knownNamespaces, meshInUse: model.meshInUse, rootNs: model.meshConfig.rootNamespace, stale: new Set() };
    return { findings, model, modelFor: () => model, text: (f) => model.text(f), files: all.length, ruleErrors, mode: 'full', why, analysed: all.length, stale: new Set() };
  }

  private partial(all: ParsedFile[], plan: Plan, last: LastAnalysis): AnalysisResult {
    all = all.slice(); // this.sorted changes in place with later edits
    let fresh: Finding[] = [];
    let partialModel: MeshModel | undefined;
    if (plan.inputs.length) {
      const r = this.run(plan.inputs, { ...plan.workspace, text: (f) => all[indexOfPath(all, f)]?.text });
      partialModel = r.model;
      // a rule that throws loses all its findings in a full analysis: only a full analysis says the same
      if (r.ruleErrors.length) return this.full(all, 'a rule failed');
      fresh = r.findings.filter((f) => plan.affected.has(f.file));
    }
    const findings: Finding[] = [];
    for (const f of last.findings) if (!plan.affected.has(f.file) && this.files.has(f.file)) findings.push(f);
    for (const f of fresh) findings.push(f);
    sortFindings(findings);
    const stale = plan.stale;
    this.last = { ...last, findings, stale };
    let model: MeshModel | undefined;
    const options = this.options;
    return {
      findings,
      get model() {
        return (model ??= buildModel(all, options).model);
      },
      modelFor(file) {
        return partialModel && plan.affected.has(file) ? partialModel : this.model;
      },
      text: (f) => all[indexOfPath(all, f)]?.text,
      files: all.length,
      ruleErrors: [],
      mode: 'partial',
      analysed: plan.inputs.length,
      stale,
    };
  }

  /**
   * Builds the incremental index ahead of the first edit, for at most `budgetMs` per call (the server
   * calls it in idle slices after a full analysis). Returns true when there is nothing left to do.
   */
  prepare(budgetMs = Infinity): boolean {
    if (!this.last || this.index || this.dirty.size || !this.sorted) return true;
    const until = performance.now() + budgetMs;
    const all = this.sorted;
    for (let i = this.prepared; i < all.length; i++) {
      all[i].facts ??= fileFacts(all[i]);
      if ((i & 31) === 31 && performance.now() > until) {
        this.prepared = i + 1;
        return false;
      }
    }
    this.prepared = 0;
    this.index = new LinkIndex(all, this.last.rootNs);
    return true;
  }

  /** The files an edit can affect, or why only a full analysis is safe (see incremental.ts). */
  private plan(all: ParsedFile[], last: LastAnalysis): Plan | string {
    const empty: Plan = { affected: new Set(), inputs: [], workspace: { knownNamespaces: last.known, meshInUse: last.meshInUse }, stale: new Set(last.stale) };
    if (this.dirty.size === 0) return empty;
    if (this.dirty.size > MAX_PARTIAL_CHANGES) return `${this.dirty.size} files changed`;
    if (!this.index) {
      // the index describes the files of the last analysis: rebuild it from them
      const before = all.filter((f) => !this.dirty.has(f.path));
      for (const old of this.dirty.values()) if (old) before.push(old);
      before.sort(byPath);
      this.index = new LinkIndex(before, last.rootNs);
    }
    const r = this.index.update([...this.dirty].map(([path, old]) => ({ path, old, now: this.files.get(path) })));
    if (typeof r === 'string') return r;
    for (const p of [...r.affected]) if (!this.files.has(p)) r.affected.delete(p);
    if (r.affected.size * 2 > all.length) return `the change reaches ${r.affected.size} of ${all.length} files`;
    // global files never change in a partial analysis (an edit to one means a full analysis) and come
    // in path order: merge the few affected files in
    const affected = [...r.affected].sort().map((p) => this.files.get(p)!);
    const inputs: ParsedFile[] = [];
    let i = 0;
    for (const g of r.global) {
      while (i < affected.length && affected[i].path < g.path) inputs.push(affected[i++]);
      inputs.push(g);
    }
    while (i < affected.length) inputs.push(affected[i++]);
    return { affected: r.affected, inputs, workspace: { knownNamespaces: r.knownNamespaces, meshInUse: r.meshInUse }, stale: r.stale };
  }

  /** Model and rules over `files` (all of them, or the inputs of a partial analysis). */
  private run(files: ParsedFile[], workspace?: WorkspaceFacts): { model: MeshModel; ruleErrors: RuleError[]; findings: Finding[] } {
    const opts = this.options;
    const { model, ruleErrors } = buildModel(files, opts, workspace);
    const findings: Finding[] = [];
    for (const f of files) for (const x of f.findings) findings.push(x); // no spread: a file may carry very many
    for (const rule of RULES) {
      const setting = opts.rules?.[rule.id];
      if (setting === 'off') continue;
      runRule(rule, model, findings, ruleErrors, setting);
    }
    for (const [id, sev] of Object.entries(opts.rules ?? {})) {
      if (sev === 'off' || RULES.some((r) => r.id === id)) continue;
      for (const f of findings) if (f.rule === id) f.severity = sev;
    }
    const kept = findings.filter((f) => {
      if (opts.rules?.[f.rule] === 'off') return false;
      const pf = this.files.get(f.file);
      if (!pf) return true;
      pf.suppress ??= suppressions(pf.text, pf.objects);
      return !pf.suppress.suppressed(f.rule, f.start);
    });
    for (const f of kept) clampRange(f, this.files.get(f.file)?.text);
    sortFindings(kept);
    return { model, ruleErrors, findings: dedupe(kept) };
  }
}

function buildModel(files: ParsedFile[], opts: AnalysisOptions, workspace?: WorkspaceFacts): { model: MeshModel; ruleErrors: RuleError[] } {
  const objects: K8sObject[] = [];
  const secrets: SecretStub[] = [];
  const nginx: NginxConf[] = [];
  const texts = new Map<string, string>();
  for (const f of files) {
    texts.set(f.path, f.text);
    for (const o of f.objects) objects.push(o);
    if (f.secrets) for (const s of f.secrets) secrets.push(s);
    for (const n of f.nginx) nginx.push({ file: f.path, config: n.config, configMap: n.configMap, key: n.key, exact: n.exact, workloads: [], ns: undefined });
  }
  const model = new MeshModel(objects, nginx, texts, opts.meshConfig, workspace, secrets);
  const ruleErrors: RuleError[] = [];
  // a bug in a fact builder is reported like a rule error; the rules that need those facts fail on their own
  for (const [id, build] of [['nginx-facts', nginxFacts], ['prometheus-facts', prometheusFacts]] as const) {
    try {
      build(model);
    } catch (e) {
      ruleErrors.push({ rule: id, message: `${(e as Error).message}\n${(e as Error).stack ?? ''}` });
    }
  }
  return { model, ruleErrors };
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Index of a path in a path-sorted list of files, or -1. */
function indexOfPath(sorted: readonly ParsedFile[], path: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = sorted[mid].path;
    if (p === path) return mid;
    if (p < path) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function sortFindings(fs: Finding[]): void {
  fs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.end - b.end || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)));
}

function clampRange(f: Finding, text: string | undefined): void {
  const len = text?.length ?? 0;
  // NaN and fractions from a buggy rule must not reach an editor
  const n = (x: number) => (Number.isFinite(x) ? Math.trunc(x) : x === Infinity ? len : 0);
  f.start = Math.max(0, Math.min(n(f.start), len));
  f.end = Math.max(f.start, Math.min(n(f.end), len));
}

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.rule}|${f.file}|${f.start}|${f.end}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function runRule(rule: Rule, model: MeshModel, out: Finding[], errors: RuleError[], sev: Severity | undefined): void {
  const local: Finding[] = [];
  try {
    rule.check({
      model,
      report: (r) => {
        local.push({ rule: rule.id, severity: sev ?? r.severity ?? rule.defaultSeverity, file: r.file, start: r.start, end: r.end, message: r.message, related: r.related, fixes: r.fixes, tags: r.tags });
      },
    });
  } catch (e) {
    // a rule may throw anything, not only an Error
    errors.push({ rule: rule.id, message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : `threw ${typeof e === 'string' ? e : String(e)}` });
  }
  for (const x of local) out.push(x);
}

/** Namespaces kustomizations give to paths: `dir/` for their folder, and each resource they list. */
function kustomizeIndex(all: ParsedFile[]): Map<string, string> {
  const nsOf = new Map<string, string>();
  for (const f of all) {
    const k = f.kustomization;
    if (!k?.namespace) continue;
    const dir = dirname(f.path);
    nsOf.set(dir + '/', k.namespace);
    for (const r of k.resources) {
      const p = joinPath(dir, r);
      if (p !== undefined && !/^https?:|^github\.com/.test(r)) nsOf.set(p, k.namespace);
    }
  }
  return nsOf;
}

/**
 * Kinds Kubernetes keeps outside namespaces: kustomize's namespace transformer leaves them alone. Any other kind,
 * custom resources included, is namespaced for kustomize (it treats kinds it does not know as namespaced).
 */
const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'IngressClass', 'RuntimeClass', 'CSIDriver', 'GatewayClass', 'ClusterIssuer', 'ClusterSecretStore', 'ClusterServingRuntime']);

/**
 * Effective namespaces: the kustomization's (its `namespace` overrides the one a resource declares:
 * https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/), else the declared
 * one, else `default`. Cluster-scoped kinds keep what they declare.
 */
function assignNamespaces(files: Iterable<ParsedFile>, nsOf: Map<string, string>): void {
  for (const f of files) {
    let kns: string | undefined;
    /** the namespace of a kustomization that lists this file (itself, or a folder above it): it overrides declared namespaces */
    let listed: string | undefined;
    if (nsOf.size) {
      listed = nsOf.get(f.path);
      // a resource entry naming a folder covers the files below it
      for (let d = dirname(f.path); d && listed === undefined; d = dirname(d)) listed = nsOf.get(d);
      // a kustomization beside the file that does not list it: only a guess for objects that declare no namespace
      kns = nsOf.get(f.path) ?? nsOf.get(dirname(f.path) + '/') ?? listed;
    }
    // objects and Secret stubs alike (Secrets, SealedSecrets and Certificates are namespaced kinds)
    const place = (o: ObjectIdentity) => (o.ns = (listed !== undefined && !CLUSTER_SCOPED_KINDS.has(o.kind) ? listed : o.declaredNamespace) ?? kns ?? 'default');
    for (const o of f.objects) place(o);
    if (f.secrets) for (const s of f.secrets) place(s);
  }
}

/** One-shot analysis of a set of files. */
export function analyze(files: SourceFile[], options: AnalysisOptions = {}): AnalysisResult {
  const ws = new Workspace(options);
  for (const f of files) ws.set(f);
  return ws.analyze();
}

export function severityAtLeast(s: Severity, min: Severity): boolean {
  return SEVERITY_ORDER[s] >= SEVERITY_ORDER[min];
}

export { LineIndex };
