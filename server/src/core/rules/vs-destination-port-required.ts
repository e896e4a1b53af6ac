import { defineRule } from './rule';
import { routing, lookupHost } from '../model/routing';
import { gatewaysNamed, serversForVs } from '../model/vs-hosts';
import { portProtocol } from '../model/protocol';
import { span } from '../model/model';
import { num, seq, str } from '../source/ynode';

/** Gateway server protocols whose traffic HTTP routes serve (TLS terminated at the gateway). */
const HTTP_SERVER = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTPS']);

export default defineRule({
  id: 'vs-destination-port-required',
  defaultSeverity: 'warning',
  description: 'An HTTP route sends to a Service with several ports without destination.port, and arrives on a port (a Gateway server port, or a port of the VirtualService host) that the Service does not expose: Istio picks the cluster by the arrival port, which does not exist (503).',
  kinds: ['VirtualService', 'Service', 'Gateway'],
  check({ model, report }) {
    for (const vs of routing(model).virtualServices) {
      for (const r of vs.routes) {
        if (r.kind !== 'http') continue;
        const matches = seq(r.node, 'match');
        const matchPorts = matches.length && matches.every((m) => num(m, 'port') !== undefined) ? matches.map((m) => num(m, 'port')!) : undefined;
        for (const d of r.destinations) {
          if (d.port !== undefined || d.portNode) continue;
          const l = lookupHost(model, d.host, vs.ns, vs.obj.file);
          const s = l.status === 'found' ? l.service : undefined;
          if (!s || s.externalName) continue;
          const ports = [...new Set(s.ports.map((p) => p.port))];
          if (ports.length < 2) continue;
          // the cluster is outbound|<arrival port>||host (Istio GetDestinationCluster: without destination.port,
          // a Service with one port uses it, otherwise the port the request arrived on)
          const broken = new Map<number, string>();
          for (const g of d.gateways) {
            if (g === 'mesh') {
              for (const h of vs.hosts) {
                const hl = lookupHost(model, h, vs.ns, vs.obj.file);
                const hs = hl.status === 'found' ? hl.service : undefined;
                if (!hs || hs === s || hs.externalName) continue;
                for (const p of hs.ports) {
                  if (portProtocol(p).cls !== 'http') continue; // HTTP routes are built for HTTP-declared ports only
                  if (matchPorts && !matchPorts.includes(p.port)) continue;
                  if (!ports.includes(p.port) && !broken.has(p.port)) broken.set(p.port, `port ${p.port} of ${h} (Service ${hs.ns}/${hs.name})`);
                }
              }
              continue;
            }
            const gws = gatewaysNamed(model, g, vs.ns);
            if (gws.length !== 1) continue; // not in the workspace, or alternatives
            for (const srv of serversForVs(vs, gws[0])) {
              if (srv.port === undefined || !HTTP_SERVER.has((srv.protocol ?? '').toUpperCase())) continue;
              if (/PASSTHROUGH/.test(str(srv.node, 'tls', 'mode') ?? '')) continue; // TLS passed through: tls routes, not http
              if (matchPorts && !matchPorts.includes(srv.port)) continue;
              if (!ports.includes(srv.port) && !broken.has(srv.port)) broken.set(srv.port, `port ${srv.port} of Gateway ${gws[0].ns}/${gws[0].name}`);
            }
          }
          if (!broken.size) continue;
          const arrivals = [...broken.values()];
          report({
            file: vs.obj.file,
            start: d.hostNode.start,
            end: d.hostNode.end,
            message: `VirtualService ${vs.ns}/${vs.obj.name} routes to ${d.host} without destination.port, and Service ${s.ns}/${s.name} has several ports (${ports.join(', ')}). Without a port Istio sends to the Service port the request arrived on; requests arriving on ${arrivals.join(', ')} go to a port the Service does not expose and fail with 503 (no cluster). Set destination.port.number.`,
            related: [{ span: span(s.obj, s.ports[0].node)!, message: `ports of Service ${s.ns}/${s.name}` }],
          });
        }
      }
    }
  },
});
