import { defineRule } from './rule';
import { duplicateGatewayServers, serversMerge } from '../model/gateway';

export default defineRule({
  id: 'gateway-duplicate-server',
  defaultSeverity: 'warning',
  description: 'Two Istio Gateways for the same gateway workloads declare the same host on the same port: Istio drops one of the servers (TLS or protocols that cannot merge) or merges their routes (plaintext HTTP).',
  kinds: ['Gateway'],
  check({ model, report }) {
    for (const d of duplicateGatewayServers(model)) {
      const s = d.server;
      const gwName = `${s.gw.ns}/${s.gw.name}`;
      const others = d.others.map((o) => `${o.server.gw.ns}/${o.server.gw.name}`);
      const hosts = [...new Set(d.others.flatMap((o) => o.hosts))];
      const sel = Object.entries(s.gw.selector).map(([k, v]) => `${k}=${v}`).join(', ');
      const merged = d.others.every((o) => serversMerge(s, o.server));
      const what = merged
        ? 'Both servers are plaintext HTTP, so Istio merges them: the routes of the VirtualServices bound to either Gateway end up in one route table for the host, where the first matching route wins.'
        : s.tls && d.others.every((o) => o.server.tls)
          ? 'Both servers carry tls settings, so the gateway keeps the one it merges first (by creation order) and skips the other ("duplicate host names"): its TLS settings and routes are not served.'
          : 'Istio shares a port between Gateways only for plaintext HTTP servers or for TLS servers with distinct hosts, so the gateway keeps the server it merges first (by creation order) and skips the other.';
      report({
        file: s.gw.obj.file,
        start: d.hostNode.start,
        end: d.hostNode.end,
        severity: merged ? 'information' : undefined,
        message: `Gateway ${gwName} serves ${hosts.join(', ')} on port ${s.port}${s.bind ? ` (bind ${s.bind})` : ''}, and so does Gateway ${others.join(', ')}, for the same gateway workloads (selector ${sel}). ${what}`,
        related: d.others.map((o) => {
          const h = o.server.hosts.find((x) => o.hosts.includes(x.host))!;
          return { span: { file: o.server.gw.obj.file, start: h.node.start, end: h.node.end }, message: `Gateway ${o.server.gw.ns}/${o.server.gw.name} serves ${o.hosts.join(', ')} on port ${o.server.port}` };
        }),
      });
    }
  },
});
