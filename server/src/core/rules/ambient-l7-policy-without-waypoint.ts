import { defineRule } from './rule';
import { authzPolicies, ztunnelHttpAttributes } from '../model/authz';
import { namespaceAmbient } from '../model/sidecar';
import { workloadWaypoint, namespaceWaypoint, isGatewayWorkload } from '../model/waypoint';
import type { Workload } from '../model/model';

export default defineRule({
  id: 'ambient-l7-policy-without-waypoint',
  defaultSeverity: 'warning',
  description: 'An ALLOW or DENY AuthorizationPolicy with HTTP attributes (methods, paths, hosts, requestPrincipals, request.* conditions) selects only ambient workloads that no waypoint serves: ztunnel enforces it without the HTTP rules, so an ALLOW policy admits less than written (nothing, when every rule is HTTP) and a DENY policy denies more.',
  kinds: ['AuthorizationPolicy', 'Namespace', 'Service'],
  check({ model, report }) {
    for (const p of authzPolicies(model)) {
      // targetRefs attach the policy to a waypoint or gateway (enforced there); AUDIT/CUSTOM never reach ztunnel
      if (p.targeted || (p.action !== 'ALLOW' && p.action !== 'DENY')) continue;
      // a root-namespace policy applies mesh-wide: its workloads are mostly outside the workspace
      if (p.ns === model.meshConfig.rootNamespace) continue;
      const perRule = p.rules.map((r) => ztunnelHttpAttributes(r));
      const first = perRule.flat()[0];
      if (!first) continue;
      const nsWide = !p.selector || !Object.keys(p.selector).length;
      let ws: Workload[];
      if (nsWide) {
        if (namespaceAmbient(model, p.ns) !== true || namespaceWaypoint(model, p.ns)) continue;
        ws = model.workloadsIn(p.ns).filter((w) => !isGatewayWorkload(w));
      } else ws = model.workloadsFor(p.ns, p.selector).filter((w) => !isGatewayWorkload(w));
      if (!ws.length) continue;
      const ms = ws.map((w) => model.membership(w));
      if (!ms.every((m) => m.mode === 'ambient')) continue;
      if (ws.some((w) => workloadWaypoint(model, w))) continue;
      const names = [...new Set(perRule.flat().map((a) => a.name))];
      const wl = `${ws.slice(0, 3).map((w) => `${w.kind} ${w.name}`).join(', ')}${ws.length > 3 ? ', ...' : ''}`;
      let effect: string;
      if (p.action === 'ALLOW') {
        const kept = perRule.map((a, i) => (a.length ? -1 : i + 1)).filter((i) => i > 0);
        effect = kept.length
          ? `In an ALLOW policy istiod omits every rule that uses one, so only rule${kept.length > 1 ? 's' : ''} ${kept.join(', ')} (without HTTP attributes) still admit${kept.length > 1 ? '' : 's'} connections: the requests the HTTP rules were meant to allow are denied.`
          : `In an ALLOW policy istiod omits every rule that uses one, and every rule of this one does: it admits no connection, so all traffic to ${ws.length > 1 ? 'these workloads' : 'this workload'} is denied (connection reset) unless another ALLOW policy admits it.`;
      } else {
        effect = 'In a DENY policy istiod drops the HTTP attributes and keeps the rest of each rule, so it denies whole connections that match only the L4 part (every connection, for a rule with nothing else): more than written.';
      }
      report({
        file: p.obj.file,
        start: first.node.start,
        end: first.node.end,
        message: `AuthorizationPolicy ${p.ns}/${p.obj.name} uses HTTP attributes (${names.join(', ')}) but applies ${nsWide ? `namespace-wide to ${p.ns}, an ambient namespace` : 'by selector'} to workloads in ambient mode that no waypoint serves (${wl}: ${ms[0].reason}; no istio.io/use-waypoint on the pods, their Services or the namespace). The destination ztunnel enforces it, and ztunnel enforces L4 only. ${effect} Deploy a waypoint, label the namespace or Service with istio.io/use-waypoint, and attach the policy to it with targetRefs (kind Service or Gateway) instead of a selector; keep only L4 rules in selector policies.`,
        related: ms[0].span ? [{ span: ms[0].span, message: 'ambient mode is enabled here' }] : undefined,
      });
    }
  },
});
