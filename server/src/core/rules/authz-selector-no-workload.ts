import { defineRule } from './rule';
import { authzPolicies } from '../model/authz';

export default defineRule({
  id: 'authz-selector-no-workload',
  defaultSeverity: 'warning',
  description: "An AuthorizationPolicy's selector matches no workload in its namespace, so it applies to nothing.",
  kinds: ['AuthorizationPolicy'],
  check({ model, report }) {
    for (const p of authzPolicies(model)) {
      if (p.targeted || !p.selector || !Object.keys(p.selector).length || !p.selectorNode) continue;
      // gateways and other Istio components are usually installed outside the repository
      if (p.ns === model.meshConfig.rootNamespace || Object.keys(p.selector).some((k) => k === 'istio' || k.startsWith('istio.io/') || k.startsWith('gateway.networking.k8s.io/'))) continue;
      const inNs = model.workloadsIn(p.ns);
      if (!inNs.length) continue; // the namespace's workloads are not in the workspace: unknown
      if (model.workloadsFor(p.ns, p.selector).length) continue;
      const sel = Object.entries(p.selector).map(([k, v]) => `${k}=${v}`).join(', ');
      report({
        file: p.obj.file,
        start: p.selectorNode.start,
        end: p.selectorNode.end,
        message: `AuthorizationPolicy ${p.ns}/${p.obj.name} selects ${sel}, but no workload in namespace ${p.ns} has these pod labels (the workspace has ${inNs.slice(0, 5).map((w) => w.name).join(', ')}${inNs.length > 5 ? ', ...' : ''}): the policy applies to nothing${p.action === 'ALLOW' || p.action === 'DENY' ? ' and protects nothing' : ''}.`,
      });
    }
  },
});
