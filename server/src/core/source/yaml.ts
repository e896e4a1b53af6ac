/**
 * Kubernetes objects from YAML text, with exact ranges. Uses the `yaml` package's parser and
 * converts each document to the compact YNode tree at once (the Document is dropped).
 */
import { parseAllDocuments, isAlias, isMap as yIsMap, isSeq as yIsSeq, isScalar as yIsScalar, isPair, Document } from 'yaml';
import type { Node as YamlNode, Scalar } from 'yaml';
import { Finding, INPUT_RULES } from '../types';
import { YMap, YNode, YScalar, ScalarStyle, isMap, str, strMap, get, isSeq } from './ynode';

export interface K8sObject {
  file: string;
  /** index of the YAML document in the file */
  doc: number;
  /** index inside a `kind: List` document's items, if any */
  listIndex?: number;
  apiVersion: string;
  /** API group: '' for core, e.g. `networking.istio.io` */
  group: string;
  kind: string;
  name: string;
  /** metadata.namespace as written (undefined when absent) */
  declaredNamespace?: string;
  /** effective namespace: declared, else the kustomization's, else `default` */
  ns: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  root: YMap;
}

export interface ParsedYamlFile {
  objects: K8sObject[];
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

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end;
}

function convert(node: unknown, doc: Document, text: string, budget: { n: number }, aliasDepth = 0): YNode | null {
  if (node == null) return null;
  if (--budget.n < 0) throw new BudgetExceeded();
  if (isAlias(node)) {
    if (aliasDepth > 20) throw new BudgetExceeded();
    const target = node.resolve(doc);
    const conv = convert(target, doc, text, budget, aliasDepth + 1);
    if (!conv) return null;
    // an alias keeps its own location for reporting
    const r = (node as YamlNode).range ?? [0, 0, 0];
    return { ...conv, start: r[0], end: r[1] } as YNode;
  }
  const r = (node as YamlNode).range ?? [0, 0, 0];
  if (yIsScalar(node)) {
    const s = node as Scalar;
    let v = s.value as unknown;
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') v = String(v);
    if (typeof v === 'number' && !Number.isFinite(v)) v = s.source ?? String(v);
    return { t: 's', v: v as YScalar['v'], start: r[0], end: trimEnd(text, r[0], r[1]), style: STYLE[s.type ?? 'PLAIN'] ?? 'plain' };
  }
  if (yIsMap(node)) {
    const items = [];
    for (const p of node.items) {
      if (!isPair(p)) continue;
      let key = convert(p.key, doc, text, budget, aliasDepth);
      if (!key || key.t !== 's') {
        const kr = (p.key as YamlNode | null)?.range ?? [r[0], r[0], r[0]];
        key = { t: 's', v: text.slice(kr[0], kr[1]), start: kr[0], end: kr[1], style: 'plain' };
      }
      items.push({ key: key as YScalar, value: convert(p.value, doc, text, budget, aliasDepth) });
    }
    return { t: 'm', items, start: r[0], end: trimEnd(text, r[0], r[1]), flow: !!node.flow };
  }
  if (yIsSeq(node)) {
    const items: YNode[] = [];
    for (const it of node.items) {
      const c = convert(it, doc, text, budget, aliasDepth);
      if (c) items.push(c);
    }
    return { t: 'q', items, start: r[0], end: trimEnd(text, r[0], r[1]), flow: !!node.flow };
  }
  return null;
}

/** `{{ ... }}` anywhere outside a comment marks a Go/Helm template. */
export function looksLikeTemplate(path: string, text: string): boolean {
  if (/(^|\/)templates\/[^/]+$/.test(path) && /\{\{/.test(text)) return true;
  const re = /\{\{[-\s]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const before = text.slice(lineStart, m.index);
    if (!/^\s*#/.test(before)) return true;
  }
  return /^\s*\{\{/m.test(text);
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

export function parseYaml(file: string, text: string): ParsedYamlFile {
  const findings: Finding[] = [];
  if (looksLikeTemplate(file, text)) {
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
  const objects: K8sObject[] = [];
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, strict: false }) as Document.Parsed[];
    if (!Array.isArray(docs)) docs = [];
  } catch (e) {
    findings.push({ rule: INPUT_RULES.yamlSyntax, severity: 'error', file, start: 0, end: 0, message: `YAML could not be parsed: ${(e as Error).message}` });
    return { objects, findings, documents: 0 };
  }
  docs.forEach((d, di) => {
    let errored = false;
    for (const e of d.errors) {
      errored = true;
      const [s, en] = e.pos ?? [0, 0];
      findings.push({
        rule: INPUT_RULES.yamlSyntax,
        severity: 'error',
        file,
        start: Math.min(s, text.length),
        end: Math.min(Math.max(en, s), text.length),
        message: `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      });
      break; // the first error per document is the useful one
    }
    if (errored) return; // a broken document is not trusted for objects
    let root: YNode | null;
    try {
      root = convert(d.contents, d, text, { n: NODE_BUDGET });
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      const r = (d.contents as YamlNode | null)?.range ?? [0, 0, 0];
      findings.push({
        rule: INPUT_RULES.fileSkipped,
        severity: 'warning',
        file,
        start: r[0],
        end: Math.min(r[0] + 1, text.length),
        message: `meshlint skipped YAML document ${di + 1}: it expands to more than ${NODE_BUDGET} nodes (alias bomb or generated data).`,
      });
      return;
    }
    if (!isMap(root)) return;
    const obj = toObject(file, di, root);
    if (!obj) return;
    if (obj.kind === 'List' || (obj.kind.endsWith('List') && isSeq(get(root, 'items')))) {
      const items = get(root, 'items');
      if (isSeq(items)) {
        items.items.forEach((it, li) => {
          if (!isMap(it)) return;
          const o = toObject(file, di, it, li);
          if (o) objects.push(o);
        });
      }
      return;
    }
    objects.push(obj);
  });
  return { objects, findings, documents: docs.length };
}
