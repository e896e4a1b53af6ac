import { defineRule } from './rule';
import { routing, namespaceDefinesServices, closeNames, closeNameFixes, serviceNamesIn } from '../model/routing';
import { span } from '../model/model';

export default defineRule({
  id: 'httproute-backend-not-found',
  defaultSeverity: 'warning',
  description: 'A Gateway API route backendRef names a Service that is not in the workspace, or a port the Service does not expose.',
  kinds: ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'Service'],
  check({ model, report }) {
    for (const r of routing(model).routes) {
      const who = `${r.obj.kind} ${r.ns}/${r.obj.name}`;
      for (const b of r.backends) {
        const s = model.service(b.ns, b.name);
        if (!s) {
          if (!namespaceDefinesServices(model, b.ns, r.obj.file)) continue; // the namespace's services are not in the workspace
          const cands = closeNames(b.name, serviceNamesIn(model, b.ns));
          report({
            file: r.obj.file,
            start: b.nameNode.start,
            end: b.nameNode.end,
            message: `${who} sends traffic to Service ${b.ns}/${b.name}, which is not in the workspace (namespace ${b.ns} has other Services). A backendRef to a missing Service makes the route answer 500 for the share of traffic it carries (ResolvedRefs=False, BackendNotFound).`,
            fixes: closeNameFixes(r.obj.file, b.nameNode, cands, undefined, 'Service '),
          });
          continue;
        }
        if (b.port !== undefined && b.portNode && s.ports.length && !s.ports.some((p) => p.port === b.port)) {
          const ports = s.ports.map((p) => p.port);
          report({
            file: r.obj.file,
            start: b.portNode.start,
            end: b.portNode.end,
            message: `${who} sends traffic to Service ${s.ns}/${s.name} port ${b.port}, but the Service exposes port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}. backendRef ports are Service ports; this backend has no endpoints.`,
            related: [{ span: span(s.obj, s.ports[0].node)!, message: `ports of Service ${s.ns}/${s.name}` }],
            fixes: ports.slice(0, 3).map((x) => ({ title: `Use port ${x}`, edits: [{ file: r.obj.file, start: b.portNode!.start, end: b.portNode!.end, newText: String(x) }] })),
          });
        }
      }
    }
  },
});
