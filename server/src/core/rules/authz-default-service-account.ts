import { defineRule } from './rule';
import { authzPolicies } from '../model/authz';

const DEFAULT_SA = /(^|\/)ns\/([^/*]+)\/sa\/default$/;

export default defineRule({
  id: 'authz-default-service-account',
  defaultSeverity: 'information',
  description: "An AuthorizationPolicy principal names a namespace's default service account, an identity every pod without its own service account shares.",
  kinds: ['AuthorizationPolicy'],
  check({ model, report }) {
    for (const p of authzPolicies(model)) {
      for (const r of p.rules) {
        for (const s of r.sources) {
          for (const n of s.principals) {
            const m = DEFAULT_SA.exec(String(n.v));
            if (!m) continue;
            const ns = m[2];
            const sharing = model.workloadsIn(ns).filter((w) => w.serviceAccount === 'default');
            const who = sharing.length ? ` In the workspace, ${sharing.slice(0, 5).map((w) => `${w.kind} ${w.name}`).join(', ')}${sharing.length > 5 ? ', ...' : ''} run${sharing.length === 1 ? 's' : ''} as it.` : '';
            report({
              file: p.obj.file,
              start: n.start,
              end: n.end,
              message: `Principal ${String(n.v)} is the default service account of namespace ${ns}: every pod there without its own serviceAccountName has this identity, so ${p.action === 'DENY' ? 'the rule hits all of them' : 'the rule admits all of them'}, not one caller.${who} Give the caller a dedicated ServiceAccount and name it here.`,
            });
          }
        }
      }
    }
  },
});
