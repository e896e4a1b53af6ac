import { defineRule } from './rule';
import { authzPolicies, principalServiceAccount, namespaceServiceAccounts } from '../model/authz';
import { kustomizeRenames } from '../model/kustomize';
import { mentionedInUnparsed } from '../model/routing';

export default defineRule({
  id: 'authz-principal-no-workload',
  defaultSeverity: 'warning',
  description: 'An AuthorizationPolicy principal names a service account (cluster.local/ns/<ns>/sa/<name>) that no workload of that namespace in the workspace runs as, and that no ServiceAccount declares: the rule matches no caller.',
  kinds: ['AuthorizationPolicy'],
  check({ model, report }) {
    // kustomize namePrefix/nameSuffix rename the rendered service accounts: the files' names are not the cluster's
    if (kustomizeRenames(model)) return;
    for (const p of authzPolicies(model)) {
      for (const r of p.rules) {
        for (const s of r.sources) {
          for (const n of s.principals) {
            const id = principalServiceAccount(String(n.v));
            // other trust domains are other clusters; `default` exists in every namespace (authz-default-service-account)
            if (!id || id.trustDomain !== 'cluster.local' || id.sa === 'default') continue;
            // istiod and the gateways are installed elsewhere; a namespace without workloads in the workspace is unknown
            if (id.ns === model.meshConfig.rootNamespace || id.ns === 'istio-system') continue;
            const ws = model.workloadsIn(id.ns);
            if (!ws.length) continue;
            const sas = namespaceServiceAccounts(model, id.ns);
            if (sas.used.has(id.sa) || sas.declared.has(id.sa) || mentionedInUnparsed(model, id.sa)) continue;
            const used = [...sas.used].filter((x) => x !== 'default').sort();
            const close = used.find((u) => u.includes(id.sa) || id.sa.includes(u));
            report({
              file: p.obj.file,
              start: n.start,
              end: n.end,
              message: `Principal ${String(n.v)} names service account ${id.sa} of namespace ${id.ns}, but no workload of ${id.ns} in the workspace runs as it and no ServiceAccount ${id.sa} is declared (the workloads there run as ${used.length ? used.slice(0, 5).join(', ') + (used.length > 5 ? ', ...' : '') : 'the default service account'}${sas.used.has('default') && used.length ? ' or default' : ''}). A principal is the caller's mTLS identity, so this ${p.action === 'DENY' ? 'DENY rule blocks no one it was meant to' : p.action === 'ALLOW' ? 'ALLOW rule admits no caller through this principal' : 'rule matches no caller through this principal'}${close ? `; did you mean ${close}?` : '.'}`,
            });
          }
        }
      }
    }
  },
});
