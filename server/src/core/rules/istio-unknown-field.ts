import { defineRule } from './rule';
import type { Fix } from '../types';
import { replace } from '../fixes/edits';
import { schemaIssues, checkSubtree, clearCandidate, schemaSubject, SCHEMA_KINDS, type UnknownField } from '../model/schema';
import { istioSchemaRelease } from '../../docs/istioSchema';
import type { YScalar } from '../source/ynode';

/** New text for a key or value scalar, keeping its quoting. */
export function scalarText(s: YScalar, value: string): string {
  if (s.style === 'double') return JSON.stringify(value);
  if (s.style === 'single') return `'${value.replace(/'/g, "''")}'`;
  return value;
}

export default defineRule({
  id: 'istio-unknown-field',
  defaultSeverity: 'warning',
  description: 'An Istio resource sets a field its CRD schema (for the object\'s own apiVersion) does not have, e.g. `trafficPolicy.tsl`: strict field validation rejects the object, other clients drop the field, and its setting never applies.',
  kinds: SCHEMA_KINDS,
  check({ model, report }) {
    for (const obj of model.objects) {
      for (const issue of schemaIssues(obj)) {
        if (issue.kind !== 'unknown-field') continue;
        const u = issue as UnknownField;
        const name = String(u.key.v);
        const fixes: Fix[] = [];
        const to = clearCandidate(name, u.candidates);
        if (to) {
          // the value is then read under the new name: say so when that brings schema problems to light
          const then = checkSubtree(u.value, u.known[to], u.path.replace(/[^.]*$/, to));
          const reveals = [...new Set(then.map((i) => `istio-${i.kind}`))];
          fixes.push({
            title: `Rename ${name} to ${to}${then.length ? ` (then ${then.length} more schema problem${then.length > 1 ? 's' : ''} in its value show)` : ''}`,
            edits: [replace(obj.file, u.key.start, u.key.end, scalarText(u.key, to))],
            preferred: true,
            ...(reveals.length ? { reveals } : {}),
          });
        }
        const hint = u.candidates.length ? ` Did you mean ${(to ? [to] : u.candidates).map((c) => `"${c}"`).join(' or ')}?` : ` Known fields here: ${Object.keys(u.known).slice(0, 12).join(', ')}${Object.keys(u.known).length > 12 ? ', ...' : ''}.`;
        report({
          file: obj.file,
          start: u.key.start,
          end: u.key.end,
          message: `${schemaSubject(obj)}: unknown field "${name}" at ${u.path} (the ${obj.apiVersion} ${obj.kind} schema of Istio ${istioSchemaRelease()}).${hint} The API server rejects the object under strict field validation (kubectl's default since Kubernetes 1.27) and otherwise drops the field, so its setting never applies.`,
          fixes,
        });
      }
    }
  },
});
