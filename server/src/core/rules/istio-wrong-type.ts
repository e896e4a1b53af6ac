import { defineRule } from './rule';
import type { Fix } from '../types';
import { replace } from '../fixes/edits';
import { schemaIssues, schemaSubject, SCHEMA_KINDS, type WrongType } from '../model/schema';
import { isScalar } from '../source/ynode';
import { istioSchemaRelease } from '../../docs/istioSchema';

export default defineRule({
  id: 'istio-wrong-type',
  defaultSeverity: 'error',
  description: 'An Istio resource gives a field a value of the wrong type for its CRD schema (a string where a list is expected, a quoted number, a mapping for a string): the API server rejects the object.',
  kinds: SCHEMA_KINDS,
  check({ model, report }) {
    for (const obj of model.objects) {
      const text = model.text(obj.file);
      for (const issue of schemaIssues(obj)) {
        if (issue.kind !== 'wrong-type') continue;
        const w = issue as WrongType;
        const fixes: Fix[] = [];
        const n = w.node;
        if (text && isScalar(n) && typeof w.schema === 'object' && w.schema.a !== undefined && n.style !== 'literal' && n.style !== 'folded' && !text.slice(n.start, n.end).includes('\n')) {
          // one value where a list is expected: make it a one-item list (when the item type takes it)
          const item = w.schema.a;
          const fits = item === 'x' || item === 's' ? n.style !== 'plain' || typeof n.v === 'string' : typeof item === 'object' && item.e ? item.e.includes(String(n.v)) : false;
          if (fits) fixes.push({ title: `Make ${w.path.replace(/^.*\./, '')} a list: [${text.slice(n.start, n.end)}]`, edits: [replace(obj.file, n.start, n.end, `[${text.slice(n.start, n.end)}]`)], preferred: true });
        } else if (isScalar(n) && w.schema === 'n' && (n.style === 'double' || n.style === 'single') && /^\d{1,9}$/.test(String(n.v))) {
          fixes.push({ title: `Write ${String(n.v)} as a number`, edits: [replace(obj.file, n.start, n.end, String(Number(n.v)))], preferred: true });
        }
        // a mapping or list value is reported on its key, a scalar on itself
        const at = isScalar(n) || !w.key ? n : w.key;
        report({
          file: obj.file,
          start: at.start,
          end: isScalar(at) ? at.end : Math.min(at.end, text ? lineEnd(text, at.start) : at.end),
          message: `${schemaSubject(obj)}: ${w.path} must be ${w.expected}, not ${w.actual} (the ${obj.apiVersion} ${obj.kind} schema of Istio ${istioSchemaRelease()}). The API server rejects the object, so none of it applies.`,
          fixes,
        });
      }
    }
  },
});

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl;
}
