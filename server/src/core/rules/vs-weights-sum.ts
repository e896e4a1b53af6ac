import { defineRule } from './rule';
import type { Fix } from '../types';
import { routing } from '../model/routing';

/** Integer percentages proportional to weights that sum to exactly 100 (largest remainder). */
export function normalise(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return weights.map(() => 0);
  const raw = weights.map((w) => (w * 100) / total);
  const out = raw.map(Math.floor);
  let left = 100 - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, rem: r - Math.floor(r) })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (const o of order) {
    if (left <= 0) break;
    out[o.i]++;
    left--;
  }
  return out;
}

function pct(x: number): string {
  return Number.isInteger(x) ? `${x}%` : `${x.toFixed(1)}%`;
}

export default defineRule({
  id: 'vs-weights-sum',
  defaultSeverity: 'information',
  description: 'The weights of a VirtualService route do not sum to 100: Istio normalises them, so the real split differs from the numbers written.',
  kinds: ['VirtualService'],
  check({ model, report }) {
    for (const vs of routing(model).virtualServices) {
      for (const r of vs.routes) {
        const ds = r.destinations;
        if (!ds.length || !ds.some((d) => d.weightNode)) continue;
        if (ds.some((d) => d.weightNode && d.weight === undefined)) continue; // templated or non-numeric
        const weights = ds.map((d) => d.weight ?? 0);
        const total = weights.reduce((a, b) => a + b, 0);
        if (total === 100) continue;
        const first = ds.find((d) => d.weightNode)!;
        const label = `${r.kind}[${r.index}]${r.name ? ` (${r.name})` : ''}`;
        const where = ds.map((d, i) => `${d.host}${d.subset ? `/${d.subset}` : ''}`);
        let split: string;
        if (total === 0) {
          split = ds.length === 1 ? 'the single destination still receives 100% of the traffic' : 'all weights are 0';
        } else {
          split = `the real split is ${ds.map((d, i) => `${where[i]} ${pct((weights[i] * 100) / total)}`).join(', ')}`;
        }
        const fixes: Fix[] = [];
        if (total > 0) {
          const norm = normalise(weights);
          const edits = ds.flatMap((d, i) => (d.weightNode ? [{ file: vs.obj.file, start: d.weightNode.start, end: d.weightNode.end, newText: String(norm[i]) }] : []));
          if (edits.length === ds.length || ds.filter((d, i) => !d.weightNode && norm[i] !== 0).length === 0) fixes.push({ title: 'Normalise weights to 100', edits, preferred: true });
        }
        report({
          file: vs.obj.file,
          start: first.weightNode!.start,
          end: first.weightNode!.end,
          message: `The weights of VirtualService ${vs.ns}/${vs.obj.name} route ${label} sum to ${total}, not 100. Istio treats weights as relative and normalises them: ${split}.`,
          fixes,
        });
      }
    }
  },
});
