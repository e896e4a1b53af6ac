import { defineRule } from './rule';
import { routing, lookupHost, closeNames, closeNameFixes, serviceNamesIn } from '../model/routing';
import { sameForm, fqdnFix } from './dr-host-not-found';
import { span } from '../model/model';

export default defineRule({
  id: 'vs-host-not-found',
  defaultSeverity: 'warning',
  description: 'A VirtualService routes (or mirrors) to a host that matches no Service or ServiceEntry, or to a port the Service does not expose.',
  kinds: ['VirtualService', 'Service', 'ServiceEntry'],
  check({ model, report }) {
    for (const vs of routing(model).virtualServices) {
      for (const d of vs.destinations) {
        const l = lookupHost(model, d.host, vs.ns, vs.obj.file);
        const what = d.mirror ? 'mirrors to' : 'routes to';
        if (l.status === 'missing') {
          const cands = l.ns && !l.hidden ? closeNames(d.host.split('.')[0], serviceNamesIn(model, l.ns)) : [];
          report({
            file: vs.obj.file,
            start: d.hostNode.start,
            end: d.hostNode.end,
            message: `VirtualService ${vs.ns}/${vs.obj.name} ${what} host ${d.host}, which matches no Service or ServiceEntry visible from namespace ${vs.ns} (${l.reason}). Envoy has no cluster for it: requests on this route fail with 503 (NR / no healthy upstream)${d.mirror ? ' (mirrored copies are dropped)' : ''}.`,
            related: l.hidden ? [{ span: { file: l.hidden.file, start: l.hidden.root.start, end: l.hidden.root.start }, message: `${l.hidden.kind} ${l.hidden.ns}/${l.hidden.name} is not exported to ${vs.ns}` }] : undefined,
            fixes: l.fqdnOf ? [fqdnFix(vs.obj.file, d.hostNode, l.fqdnOf)] : closeNameFixes(vs.obj.file, d.hostNode, cands, (c) => (l.dotted ? `${c}.${l.ns}.svc.cluster.local` : sameForm(d.host, c)), 'host '),
          });
          continue;
        }
        const s = l.service;
        if (l.status === 'found' && s && d.port !== undefined && d.portNode && s.ports.length && !s.ports.some((p) => p.port === d.port) && !s.externalName) {
          const ports = s.ports.map((p) => p.port);
          report({
            file: vs.obj.file,
            start: d.portNode.start,
            end: d.portNode.end,
            message: `VirtualService ${vs.ns}/${vs.obj.name} ${what} ${d.host} port ${d.port}, but Service ${s.ns}/${s.name} exposes port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}. Destination ports are Service ports: this route has no cluster and fails with 503.`,
            related: [{ span: span(s.obj, s.ports[0].node)!, message: `ports of Service ${s.ns}/${s.name}` }],
            fixes: ports.slice(0, 4).map((p) => ({ title: `Use port ${p}`, edits: [{ file: vs.obj.file, start: d.portNode!.start, end: d.portNode!.end, newText: String(p) }], preferred: ports.length === 1 })),
          });
        }
      }
    }
  },
});
