import { defineRule } from './rule';
import type { Fix } from '../types';
import { replace } from '../fixes/edits';
import { schemaIssues, clearCandidate, schemaSubject, SCHEMA_KINDS, type BadEnum } from '../model/schema';
import { closeNames } from '../model/routing';
import { istioSchemaRelease } from '../../docs/istioSchema';
import { scalarText } from './istio-unknown-field';

export default defineRule({
  id: 'istio-bad-enum',
  defaultSeverity: 'error',
  description: 'An Istio resource sets an enum field to a value its CRD schema does not allow, e.g. `mode: ISTIO_MUTAL`: the API server rejects the object.',
  kinds: SCHEMA_KINDS,
  check({ model, report }) {
    for (const obj of model.objects) {
      for (const issue of schemaIssues(obj)) {
        if (issue.kind !== 'bad-enum') continue;
        const b = issue as BadEnum;
        // a value that differs only in case is the one meant; otherwise the close spellings
        const sameCase = b.allowed.filter((v) => v.toLowerCase() === b.value.toLowerCase());
        const close = sameCase.length ? sameCase : closeNames(b.value, b.allowed);
        const to = clearCandidate(b.value, close);
        const fixes: Fix[] = [];
        if (to) fixes.push({ title: `Change ${b.value} to ${to}`, edits: [replace(obj.file, b.node.start, b.node.end, scalarText(b.node, to))], preferred: true });
        const hint = close.length ? ` Did you mean ${(to ? [to] : close).map((c) => `"${c}"`).join(' or ')}?` : '';
        report({
          file: obj.file,
          start: b.node.start,
          end: b.node.end,
          message: `${schemaSubject(obj)}: ${b.path} is "${b.value}", which is not one of ${b.allowed.join(', ')} (the ${obj.apiVersion} ${obj.kind} schema of Istio ${istioSchemaRelease()}).${hint} The API server rejects the object, so none of it applies.`,
          fixes,
        });
      }
    }
  },
});
