import { defineRule } from './rule';
import { meshHostConflicts, MeshHostConflict } from '../model/vs-hosts';

export default defineRule({
  id: 'vs-duplicate-host-gateway',
  defaultSeverity: 'warning',
  description: 'Two VirtualServices bound to the mesh gateway (sidecars) claim the same host for a common namespace: Istio does not merge them for sidecars, so which routes apply is undefined.',
  kinds: ['VirtualService', 'Sidecar'],
  check({ model, report }) {
    // one finding per VirtualService, on its first conflicting host (istioctl reports each once)
    const byVs = new Map<MeshHostConflict['vs'], MeshHostConflict[]>();
    for (const c of meshHostConflicts(model)) byVs.set(c.vs, [...(byVs.get(c.vs) ?? []), c]);
    for (const [vs, cs] of byVs) {
      const c = cs[0];
      const others = [...new Set(cs.flatMap((x) => x.others.map((o) => `${o.vs.ns}/${o.vs.obj.name}`)))];
      const hosts = cs.map((x) => x.host);
      const nss = [...new Set(cs.flatMap((x) => x.namespaces))];
      const where = nss.includes('*') ? 'every namespace' : `namespace${nss.length > 1 ? 's' : ''} ${nss.join(', ')}`;
      report({
        file: vs.obj.file,
        start: c.hostNode.start,
        end: c.hostNode.end,
        message: `VirtualService ${vs.ns}/${vs.obj.name} and VirtualService ${others.join(', ')} are bound to the mesh gateway and both define host${hosts.length > 1 ? 's' : ''} ${hosts.join(', ')}, visible to the sidecars of ${where}. Istio merges VirtualServices for one host only on gateways, not for sidecars: which of their routes a sidecar uses for the host is undefined. Merge them into one VirtualService, or scope each with exportTo.`,
        related: cs.flatMap((x) => x.others.map((o) => ({ span: { file: o.vs.obj.file, start: o.hostNode.start, end: o.hostNode.end }, message: `VirtualService ${o.vs.ns}/${o.vs.obj.name} defines ${x.host} too` }))),
      });
    }
  },
});
