import { defineRule } from './rule';
import { routing, listenerAcceptsKind, replaceScalar } from '../model/routing';
import type { Listener } from '../model/routing';
import type { Fix } from '../types';

function describe(l: Listener): string {
  const parts = [l.port !== undefined ? `port ${l.port}` : '', l.protocol ? `protocol ${l.protocol}${l.protocol === 'TLS' ? ` ${l.tlsMode ?? 'Terminate'}` : ''}` : ''].filter(Boolean);
  return `${l.name ? `listener ${l.name}` : 'a listener'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function badProtocol(l: Listener): boolean {
  return l.protocol === 'TCP' || l.protocol === 'TLS' || l.protocol === 'UDP';
}

function why(l: Listener, kind: string): string {
  if (badProtocol(l)) {
    return `${describe(l)} takes ${l.protocol === 'TCP' ? 'TCPRoutes' : l.protocol === 'UDP' ? 'UDPRoutes' : l.tlsMode === 'Passthrough' ? 'TLSRoutes' : 'TCPRoutes and TLSRoutes'}, not ${kind}s`;
  }
  return `${describe(l)} allows only ${l.kinds!.map((k) => k.kind || '(no kind)').join(', ') || 'no kind'} (allowedRoutes.kinds)`;
}

export default defineRule({
  id: 'httproute-listener-mismatch',
  defaultSeverity: 'warning',
  description: 'An HTTPRoute or GRPCRoute attaches to Gateway listeners that cannot take it: their protocol is TCP, TLS or UDP, or their allowedRoutes.kinds leave the route kind out; the route is not accepted (NotAllowedByListeners).',
  kinds: ['HTTPRoute', 'GRPCRoute', 'Gateway'],
  check({ model, report }) {
    const rt = routing(model);
    for (const r of rt.routes) {
      const kind = r.obj.kind;
      if (kind !== 'HTTPRoute' && kind !== 'GRPCRoute') continue;
      const who = `${kind} ${r.ns}/${r.obj.name}`;
      for (const p of r.parents) {
        const gws = rt.k8sGateways.filter((g) => g.ns === p.ns && g.name === p.name);
        if (!gws.length) continue; // httproute-parent-not-found
        // every copy of that namespace/name (alternatives) must refuse the route
        const refused = gws.map((gw) => {
          let ls = gw.listeners;
          if (p.sectionName !== undefined) ls = ls.filter((l) => l.name === p.sectionName);
          if (p.port !== undefined) ls = ls.filter((l) => l.port === p.port);
          return { gw, ls };
        });
        if (refused.some(({ ls }) => !ls.length || ls.some((l) => listenerAcceptsKind(l, kind)))) continue; // no such listener: httproute-parent-not-found
        const { gw, ls } = refused[0];
        const fits = gw.listeners.filter((l) => l.name && listenerAcceptsKind(l, kind) && (l.protocol === 'HTTP' || l.protocol === 'HTTPS'));
        const fixes: Fix[] = [];
        if (p.sectionNode && p.sectionName !== undefined && fits.length === 1 && p.port === undefined) {
          fixes.push({ title: `Attach to listener ${fits[0].name}`, edits: [replaceScalar(r.obj.file, p.sectionNode, fits[0].name!)], preferred: true });
        }
        const at = p.sectionNode ?? p.portNode ?? p.nameNode;
        report({
          file: r.obj.file,
          start: at.start,
          end: at.end,
          message: `${who} attaches to Gateway ${gw.ns}/${gw.name}${p.sectionName !== undefined ? ` listener ${p.sectionName}` : p.port !== undefined ? ` port ${p.port}` : ''}, but ${ls.map((l) => why(l, kind)).join('; ')}. ${kind}s attach only to HTTP and HTTPS listeners that allow their kind: the route is not accepted (NotAllowedByListeners) and serves no traffic${fits.length ? `; listener${fits.length > 1 ? 's' : ''} ${fits.map((l) => l.name).join(', ')} would take it` : ''}.`,
          related: ls.map((l) => ({ span: { file: gw.obj.file, start: (badProtocol(l) ? l.protocolNode ?? l.node : l.kindsNode ?? l.node).start, end: (badProtocol(l) ? l.protocolNode ?? l.node : l.kindsNode ?? l.node).end }, message: `${describe(l)} of Gateway ${gw.ns}/${gw.name}` })),
          fixes,
        });
      }
    }
  },
});
