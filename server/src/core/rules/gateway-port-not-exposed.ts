import { defineRule } from './rule';
import { routing } from '../model/routing';
import { gatewayServers } from '../model/gateway';
import { selects, span } from '../model/model';
import { get, isScalar } from '../source/ynode';

export default defineRule({
  id: 'gateway-port-not-exposed',
  defaultSeverity: 'warning',
  description: 'An Istio Gateway server listens on a port that no Service of its gateway workload exposes (the workload and its Services being in the workspace): clients cannot reach that server.',
  kinds: ['Gateway', 'Service'],
  check({ model, report }) {
    for (const gw of routing(model).gateways) {
      if (!Object.keys(gw.selector).length) continue;
      const pods = model.workloads.filter((w) => selects(gw.selector, w.podLabels));
      if (!pods.length) continue; // the gateway workload is installed elsewhere: gateway-selector-no-workload
      const services = model.services.filter((s) => s.selector && Object.keys(s.selector).length && pods.some((w) => w.obj.ns === s.ns && selects(s.selector!, w.podLabels)));
      if (!services.length) continue; // its Service is not in the workspace: unknown
      // TCP Service ports (the default protocol); a server may also name the port's numeric targetPort (the
      // gateway pod's port, which Istio maps back to the Service port)
      const tcp = services.flatMap((s) => s.ports.filter((p) => (p.protocol ?? 'TCP').toUpperCase() === 'TCP'));
      const ports = new Set(tcp.map((p) => p.port));
      const accepted = new Set([...ports, ...tcp.map((p) => (typeof p.targetPort === 'number' ? p.targetPort : /^\d+$/.test(String(p.targetPort ?? '')) ? Number(p.targetPort) : p.port))]);
      const svcNames = services.map((s) => `${s.ns}/${s.name}`);
      for (const srv of gatewayServers(gw)) {
        if (srv.port === undefined || accepted.has(srv.port)) continue;
        const node = get(srv.node, 'port', 'number');
        if (!isScalar(node)) continue;
        report({
          file: gw.obj.file,
          start: node.start,
          end: node.end,
          message: `Gateway ${gw.ns}/${gw.name} has a server on port ${srv.port}, but the Service${services.length > 1 ? 's' : ''} of its gateway workload (${svcNames.join(', ')}, selecting the pods of ${[...new Set(pods.map((w) => `${w.obj.kind} ${w.obj.ns}/${w.obj.name}`))].join(', ')}) expose${services.length > 1 ? '' : 's'} port${ports.size === 1 ? '' : 's'} ${[...ports].join(', ') || 'none'}. Server port numbers are Service ports (or their targetPorts): no client reaches this server through the Service.`,
          related: services.map((s) => ({ span: span(s.obj, s.ports[0]?.node ?? s.obj.root)!, message: `ports of Service ${s.ns}/${s.name}` })),
        });
      }
    }
  },
});
