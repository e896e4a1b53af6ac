import { defineRule } from './rule';
import { routing, closeNames, closeNameFixes, inUnit, K8sGateway, Listener, listenerAcceptsKind } from '../model/routing';
import { selects, objSpan } from '../model/model';
import type { MeshModel } from '../model/model';

function admits(model: MeshModel, gw: K8sGateway, l: Listener, routeNs: string): boolean | undefined {
  if (l.from === 'All') return true;
  if (l.from === 'None') return false;
  if (l.from === 'Same') return routeNs === gw.ns;
  if (l.selectorUnknown || !l.selector) return undefined;
  const labels = model.namespaceLabels(routeNs);
  if (!labels) return undefined; // namespace object not in the workspace: labels unknown
  return selects(l.selector, { ...labels, 'kubernetes.io/metadata.name': routeNs });
}

export default defineRule({
  id: 'httproute-parent-not-found',
  defaultSeverity: 'warning',
  description: 'A Gateway API route names a parent Gateway, listener (sectionName/port) that does not exist in the workspace, or a listener whose allowedRoutes does not admit the route.',
  kinds: ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'Gateway'],
  check({ model, report }) {
    const rt = routing(model);
    for (const r of rt.routes) {
      const who = `${r.obj.kind} ${r.ns}/${r.obj.name}`;
      for (const p of r.parents) {
        if (!model.knownNamespaces.has(p.ns)) continue;
        const gw = rt.k8sGateways.find((g) => g.ns === p.ns && g.name === p.name);
        if (!gw) {
          const inNs = rt.k8sGateways.filter((g) => g.ns === p.ns).map((g) => g.name);
          const any = rt.k8sGateways.some((g) => inUnit(model, r.obj.file, g.obj.file));
          report({
            file: r.obj.file,
            start: p.nameNode.start,
            end: p.nameNode.end,
            severity: any ? undefined : 'information',
            message: any
              ? `${who} attaches to Gateway ${p.ns}/${p.name}, which is not in the workspace${inNs.length ? ` (namespace ${p.ns} has ${inNs.join(', ')})` : ''}.${p.nsExplicit ? '' : ` parentRefs without a namespace refer to the route's namespace (${r.ns}).`} The route is not accepted by any gateway and serves no traffic.`
              : `${who} attaches to Gateway ${p.ns}/${p.name}, and the workspace defines no Gateway API Gateway: it may be installed elsewhere. If not, the route serves no traffic.`,
            fixes: closeNameFixes(r.obj.file, p.nameNode, closeNames(p.name, inNs), undefined, 'Gateway '),
          });
          continue;
        }
        let listeners = gw.listeners;
        const rel = [{ span: objSpan(gw.obj), message: `Gateway ${gw.ns}/${gw.name}` }];
        if (p.sectionName !== undefined && p.sectionNode) {
          listeners = listeners.filter((l) => l.name === p.sectionName);
          if (!listeners.length) {
            const names = gw.listeners.map((l) => l.name).filter((x): x is string => !!x);
            report({
              file: r.obj.file,
              start: p.sectionNode.start,
              end: p.sectionNode.end,
              message: `${who} attaches to listener ${p.sectionName} of Gateway ${gw.ns}/${gw.name}, which has listeners ${names.join(', ') || '(none)'}. sectionName must match a listener name; the route is not accepted.`,
              related: rel,
              fixes: closeNameFixes(r.obj.file, p.sectionNode, closeNames(p.sectionName, names).length ? closeNames(p.sectionName, names) : names.slice(0, 3), undefined, 'listener '),
            });
            continue;
          }
        }
        if (p.port !== undefined && p.portNode) {
          const withPort = listeners.filter((l) => l.port === p.port);
          if (!withPort.length && listeners.every((l) => l.port !== undefined)) {
            const ports = [...new Set(listeners.map((l) => l.port!))];
            report({
              file: r.obj.file,
              start: p.portNode.start,
              end: p.portNode.end,
              message: `${who} attaches to port ${p.port} of Gateway ${gw.ns}/${gw.name}${p.sectionName ? ` listener ${p.sectionName}` : ''}, which listens on ${ports.join(', ') || 'no port'}. The route is not accepted.`,
              related: rel,
              fixes: ports.slice(0, 3).map((x) => ({ title: `Use port ${x}`, edits: [{ file: r.obj.file, start: p.portNode!.start, end: p.portNode!.end, newText: String(x) }] })),
            });
            continue;
          }
          listeners = withPort;
        }
        // listeners that cannot take this kind of route are httproute-listener-mismatch's
        listeners = listeners.filter((l) => listenerAcceptsKind(l, r.obj.kind));
        if (!listeners.length) continue;
        const verdicts = listeners.map((l) => admits(model, gw, l, r.ns));
        if (verdicts.some((v) => v !== false)) continue;
        const froms = [...new Set(listeners.map((l) => l.from))];
        report({
          file: r.obj.file,
          start: p.nameNode.start,
          end: p.nameNode.end,
          message: `${who} attaches to Gateway ${gw.ns}/${gw.name}, but its listener${listeners.length > 1 ? 's' : ''}${p.sectionName ? ` ${p.sectionName}` : ''} admit${listeners.length > 1 ? '' : 's'} routes only from ${froms.includes('Same') ? `namespace ${gw.ns} (allowedRoutes.namespaces.from: Same, the default)` : froms.includes('Selector') ? 'namespaces matching the allowedRoutes selector' : 'no namespace'}, and the route is in ${r.ns}. The route is not accepted.`,
          related: rel,
        });
      }
    }
  },
});
