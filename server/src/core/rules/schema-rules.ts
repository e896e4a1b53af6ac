/**
 * The schema rules, built once per family: istio-* for Istio objects (istio-schema.json), k8s-* for
 * Gateway API and the core Kubernetes fields the model reads (k8s-schema.json). Both read the
 * per-object cached issues of model/schema.ts and differ only in which objects they report on.
 */
import { defineRule, type Rule } from './rule';
import type { Fix } from '../types';
import type { YScalar } from '../source/ynode';
import { isScalar } from '../source/ynode';
import { replace } from '../fixes/edits';
import { closeNames } from '../model/routing';
import { schemaIssues, checkSubtree, clearCandidate, schemaFamily, schemaOrigin, schemaSubject, type BadEnum, type UnknownField, type WrongType } from '../model/schema';

type Family = 'istio' | 'k8s';
interface RuleMeta {
  id: string;
  description: string;
  kinds: string[];
}

/** New text for a key or value scalar, keeping its quoting. */
export function scalarText(s: YScalar, value: string): string {
  if (s.style === 'double') return JSON.stringify(value);
  if (s.style === 'single') return `'${value.replace(/'/g, "''")}'`;
  return value;
}

export function unknownFieldRule(family: Family, meta: RuleMeta): Rule {
  return defineRule({
    ...meta,
    defaultSeverity: 'warning',
    check({ model, report }) {
      for (const obj of model.objects) {
        if (schemaFamily(obj) !== family) continue;
        for (const issue of schemaIssues(obj)) {
          if (issue.kind !== 'unknown-field') continue;
          const u = issue as UnknownField;
          const name = String(u.key.v);
          const fixes: Fix[] = [];
          const to = clearCandidate(name, u.candidates);
          if (to) {
            // the value is then read under the new name: say so when that brings schema problems to light
            const then = checkSubtree(u.value, u.known[to], u.path.replace(/[^.]*$/, to));
            const reveals = [...new Set(then.map((i) => `${family}-${i.kind}`))];
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
            message: `${schemaSubject(obj)}: unknown field "${name}" at ${u.path} (${schemaOrigin(obj)}).${hint} The API server rejects the object under strict field validation (kubectl's default since Kubernetes 1.27) and otherwise drops the field, so its setting never applies.`,
            fixes,
          });
        }
      }
    },
  });
}

export function badEnumRule(family: Family, meta: RuleMeta): Rule {
  return defineRule({
    ...meta,
    defaultSeverity: 'error',
    check({ model, report }) {
      for (const obj of model.objects) {
        if (schemaFamily(obj) !== family) continue;
        for (const issue of schemaIssues(obj)) {
          if (issue.kind !== 'bad-enum') continue;
          const b = issue as BadEnum;
          // a value that differs only in case is the one meant; otherwise the close spellings
          const sameCase = b.allowed.filter((v) => v.toLowerCase() === b.value.toLowerCase());
          const close = sameCase.length ? sameCase : closeNames(b.value, b.allowed);
          const to = clearCandidate(b.value, close);
          const fixes: Fix[] = [];
          if (to) fixes.push({ title: `Change ${b.value} to ${to}`, edits: [replace(obj.file, b.node.start, b.node.end, scalarText(b.node, to))], preferred: true });
          // an application protocol as a Service or container port protocol: the fix is elsewhere, not a close spelling
          const l7 = b.allowed.includes('TCP') && /\.protocol$/.test(b.path) && /^(HTTPS?|HTTP2|GRPC|GRPC-WEB|TLS|MONGO|MYSQL|REDIS|TCP-.*)$/i.test(b.value) && !sameCase.length;
          const hint = l7
            ? ` A Service port protocol is the transport (TCP, UDP, SCTP); declare ${b.value} for Istio with \`appProtocol: ${b.value.toLowerCase()}\` or a \`${b.value.toLowerCase()}-\` port name.`
            : close.length ? ` Did you mean ${(to ? [to] : close).map((c) => `"${c}"`).join(' or ')}?` : '';
          if (l7) fixes.length = 0;
          report({
            file: obj.file,
            start: b.node.start,
            end: b.node.end,
            message: `${schemaSubject(obj)}: ${b.path} is "${b.value}", which is not one of ${b.allowed.join(', ')} (${schemaOrigin(obj)}).${hint} The API server rejects the object, so none of it applies.`,
            fixes,
          });
        }
      }
    },
  });
}

export function wrongTypeRule(family: Family, meta: RuleMeta): Rule {
  return defineRule({
    ...meta,
    defaultSeverity: 'error',
    check({ model, report }) {
      for (const obj of model.objects) {
        if (schemaFamily(obj) !== family) continue;
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
          } else if (isScalar(n) && w.schema === 's' && n.style === 'plain' && n.v !== null && (typeof n.v === 'number' || typeof n.v === 'boolean') && text && !text.slice(n.start, n.end).includes('\n')) {
            // a number or boolean where a string is expected (label and annotation values, ConfigMap data): quote it
            const raw = text.slice(n.start, n.end);
            fixes.push({ title: `Quote ${raw}`, edits: [replace(obj.file, n.start, n.end, JSON.stringify(raw))], preferred: true });
          }
          // a mapping or list value is reported on its key, a scalar on itself
          const at = isScalar(n) || !w.key ? n : w.key;
          report({
            file: obj.file,
            start: at.start,
            end: isScalar(at) ? at.end : Math.min(at.end, text ? lineEnd(text, at.start) : at.end),
            message: `${schemaSubject(obj)}: ${w.path} must be ${w.expected}, not ${w.actual} (${schemaOrigin(obj)}). The API server rejects the object, so none of it applies.`,
            fixes,
          });
        }
      }
    },
  });
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl;
}
