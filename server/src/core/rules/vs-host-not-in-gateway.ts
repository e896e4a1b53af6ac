import { defineRule } from './rule';
import { routing } from '../model/routing';
import { gatewaysNamed, serverHostsFor, hostsOverlap, analyzerFqdn } from '../model/vs-hosts';
import { gatewayServers } from '../model/gateway';
import { isScalar, seq } from '../source/ynode';

export default defineRule({
  id: 'vs-host-not-in-gateway',
  defaultSeverity: 'warning',
  description: 'A VirtualService binds to an Istio Gateway that serves none of its hosts (for its namespace): the gateway never uses its routes and answers 404.',
  kinds: ['VirtualService', 'Gateway'],
  check({ model, report }) {
    for (const vs of routing(model).virtualServices) {
      if (!vs.hosts.length) continue; // delegate VirtualServices have no hosts of their own
      for (const g of seq(vs.obj.root, 'spec', 'gateways').filter(isScalar)) {
        const ref = String(g.v ?? '').trim();
        if (!ref || ref === 'mesh') continue;
        const gws = gatewaysNamed(model, ref, vs.ns);
        if (!gws.length) continue; // not in the workspace: vs-gateway-not-found
        // every copy of that namespace/name (alternatives) must miss
        const serves = gws.map((gw) => [...new Set(gatewayServers(gw).flatMap((s) => serverHostsFor(s, vs.ns)))]);
        // a short VirtualService host is also its FQDN in the VirtualService's namespace (pilot resolves it before matching)
        const names = [...new Set(vs.hosts.flatMap((v) => [v, analyzerFqdn(v, vs.ns)]))];
        if (serves.some((hosts) => hosts.some((h) => names.some((v) => hostsOverlap(h, v))))) continue;
        const gw = gws[0];
        const all = [...new Set(gatewayServers(gw).flatMap((s) => s.hosts.map((h) => h.host)))];
        const scoped = all.some((h) => h.includes('/'));
        report({
          file: vs.obj.file,
          start: g.start,
          end: g.end,
          message: `VirtualService ${vs.ns}/${vs.obj.name} binds to Gateway ${gw.ns}/${gw.name}, but none of its hosts (${vs.hosts.join(', ')}) is a host that Gateway serves${scoped ? ` to VirtualServices of namespace ${vs.ns}` : ''} (${all.length ? all.join(', ') : 'no hosts'}). Istio attaches a VirtualService's routes to a gateway server only for hosts both declare: requests for these hosts through this gateway get 404.`,
          related: [{ span: { file: gw.obj.file, start: gw.obj.root.start, end: gw.obj.root.start }, message: `Gateway ${gw.ns}/${gw.name}` }],
        });
      }
    }
  },
});
