/**
 * Style variants of YAML text with the same data: what real repositories write and the generator's
 * own block style never does. Small maps and sequences become flow collections
 * (`rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}`, `ports: [80, 443]`), some scalars are
 * single- or double-quoted (with escapes where needed), comments are added before entries and after
 * values, and a few documents share labels through an anchor and alias. Every restyled document is
 * checked to hold the same data as the original (`toJS`); a document that would not is left as it was.
 * Used by the benchmark's `-styled` workloads and by test/unit/parse-paths.test.ts.
 */
import { parseAllDocuments, visit, isMap, isSeq, isScalar, isPair, Scalar, Document, YAMLMap } from 'yaml';
import { isDeepStrictEqual } from 'node:util';

/** mulberry32: a small deterministic generator */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOTES = ['keep in sync with the chart', 'TODO: tune', 'see runbook', 'owned by platform', 'do not change without review', "team's default"];

export interface RestyleOptions {
  /** share of small collections written in flow style */
  flow?: number;
  /** share of string scalars quoted */
  quote?: number;
  /** share of entries given a comment */
  comment?: number;
  /** share of documents whose pod-template labels alias the object's labels */
  anchor?: number;
}

/** Restyle every document of a YAML text (a file with errors is returned unchanged). */
export function restyle(text: string, seed: number, opts: RestyleOptions = {}): string {
  try {
    return restyleDocs(text, seed, opts);
  } catch {
    return text; // e.g. an alias yaml resolves only when converting
  }
}

function restyleDocs(text: string, seed: number, opts: RestyleOptions): string {
  const { flow = 0.6, quote = 0.15, comment = 0.04, anchor = 0.05 } = opts;
  const r = rng(seed);
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  // a file with any error (Helm templates, broken YAML) is kept as it is
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length || d.warnings.length)) return text;
  const out: string[] = [];
  for (const doc of docs) {
    const original = doc.toString({ lineWidth: 0 });
    if (!isMap(doc.contents)) {
      out.push(original);
      continue;
    }
    const before = doc.toJS({ maxAliasCount: -1 });
    visit(doc, {
      Map(_, node) {
        if (node.items.length && node.items.length <= 4 && node.items.every((p) => isScalar(p.value) && !String((p.value as Scalar).value).includes('\n')) && r() < flow) node.flow = true;
      },
      Seq(_, node) {
        if (node.items.length && node.items.length <= 5 && node.items.every((n) => isScalar(n) || (isMap(n) && n.flow)) && r() < flow) node.flow = true;
      },
      Pair(_, pair, path) {
        if (!isPair(pair) || !isScalar(pair.key)) return;
        // comments inside a flow collection would spread it over lines
        const parent = path[path.length - 1];
        const inFlow = path.some((n) => (isMap(n) || isSeq(n)) && n.flow) || ((isMap(parent) || isSeq(parent)) && parent.flow);
        if (!inFlow && r() < comment) (pair.key as Scalar).commentBefore = ` ${NOTES[Math.floor(r() * NOTES.length)]}`;
        const v = pair.value;
        if (isScalar(v) && typeof v.value === 'string' && !v.value.includes('\n') && v.type === 'PLAIN' && r() < quote) {
          v.type = r() < 0.5 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
        }
        if (!inFlow && isScalar(v) && !(typeof v.value === 'string' && v.value.includes('\n')) && r() < comment) v.comment = ` ${NOTES[Math.floor(r() * NOTES.length)]}`;
      },
    });
    if (r() < anchor) shareLabels(doc);
    let styled = doc.toString({ lineWidth: 0 });
    try {
      const again = parseAllDocuments(styled, { uniqueKeys: false });
      const ok = Array.isArray(again) && again.length === 1 && !again[0].errors.length && isDeepStrictEqual(again[0].toJS({ maxAliasCount: -1 }), before);
      if (!ok) styled = original;
    } catch {
      styled = original;
    }
    out.push(styled);
  }
  return out.map((d) => (d.startsWith('---') ? d : `---\n${d}`)).join('');
}

/** `metadata.labels: &labels {...}` and the pod template's labels `*labels`, when they are equal. */
function shareLabels(doc: Document): void {
  const labels = doc.getIn(['metadata', 'labels'], true);
  const tpl = doc.getIn(['spec', 'template', 'metadata'], true);
  if (!isMap(labels) || !isMap(tpl)) return;
  const tplLabels = (tpl as YAMLMap).get('labels', true);
  if (!isMap(tplLabels) || !isDeepStrictEqual((tplLabels as YAMLMap).toJSON(), (labels as YAMLMap).toJSON())) return;
  labels.anchor = 'labels';
  (tpl as YAMLMap).set('labels', doc.createAlias(labels as YAMLMap, 'labels'));
}
