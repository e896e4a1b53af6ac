import { defineRule } from './rule';
import { routing, closeNames, closeNameFixes } from '../model/routing';
import { get, seq, isScalar, YScalar, YNode } from '../source/ynode';
import { objSpan } from '../model/model';

function scalar(n: YNode | undefined): YScalar | undefined {
  return isScalar(n) && n.v !== null && String(n.v) !== '' ? n : undefined;
}

export default defineRule({
  id: 'rollout-traffic-ref-not-found',
  defaultSeverity: 'error',
  description: "An Argo Rollout's trafficRouting.istio names a VirtualService, route or DestinationRule subset that does not exist: the rollout cannot shift traffic.",
  kinds: ['Rollout', 'VirtualService', 'DestinationRule'],
  check({ model, report }) {
    const rt = routing(model);
    for (const ro of model.kind('Rollout')) {
      const istio = get(ro.root, 'spec', 'strategy', 'canary', 'trafficRouting', 'istio');
      if (!istio) continue;
      const who = `Rollout ${ro.ns}/${ro.name}`;
      const vsRefs = [get(istio, 'virtualService'), ...seq(istio, 'virtualServices')].filter((x): x is YNode => !!x);
      for (const ref of vsRefs) {
        const nameNode = scalar(get(ref, 'name'));
        if (!nameNode) continue;
        const raw = String(nameNode.v);
        // Argo accepts `name` (rollout namespace) or `name.namespace`
        const dot = raw.indexOf('.');
        const name = dot < 0 ? raw : raw.slice(0, dot);
        const ns = dot < 0 ? ro.ns : raw.slice(dot + 1);
        if (!model.knownNamespaces.has(ns)) continue;
        const vs = rt.virtualServices.find((v) => v.ns === ns && v.obj.name === name);
        if (!vs) {
          const cands = closeNames(name, rt.virtualServices.filter((v) => v.ns === ns).map((v) => v.obj.name));
          report({
            file: ro.file,
            start: nameNode.start,
            end: nameNode.end,
            message: `${who} shifts canary traffic through VirtualService ${ns}/${name}, which is not in the workspace. Argo Rollouts aborts the update when the VirtualService does not exist.`,
            fixes: closeNameFixes(ro.file, nameNode, cands, (c) => (dot < 0 ? c : `${c}.${ns}`), 'VirtualService '),
          });
          continue;
        }
        const routes = get(ref, 'routes');
        const httpRoutes = vs.routes.filter((r) => r.kind === 'http');
        const routeNames = httpRoutes.map((r) => r.name).filter((x): x is string => !!x);
        // Argo reconciles HTTP routes only when the VirtualService has an http section
        for (const rn of httpRoutes.length ? seq(routes) : []) {
          const rs = scalar(rn);
          if (!rs || routeNames.includes(String(rs.v))) continue;
          report({
            file: ro.file,
            start: rs.start,
            end: rs.end,
            message: `${who} names route ${String(rs.v)} of VirtualService ${vs.ns}/${vs.obj.name}, which has ${routeNames.length ? `named HTTP routes ${routeNames.join(', ')}` : 'no named HTTP route'}. Argo Rollouts cannot find the route to set weights on.`,
            related: [{ span: objSpan(vs.obj), message: `VirtualService ${vs.ns}/${vs.obj.name}` }],
            fixes: closeNameFixes(ro.file, rs, closeNames(String(rs.v), routeNames).length ? closeNames(String(rs.v), routeNames) : routeNames.slice(0, 3), undefined, 'route '),
          });
        }
        if (!seq(routes).length && !get(ref, 'tlsRoutes') && !get(ref, 'tcpRoutes') && httpRoutes.length > 1) {
          report({
            file: ro.file,
            start: nameNode.start,
            end: nameNode.end,
            message: `${who} names VirtualService ${vs.ns}/${vs.obj.name} without routes, but it has ${httpRoutes.length} HTTP routes. Argo Rollouts needs \`routes:\` to pick one when the VirtualService has more than one HTTP route.`,
            related: [{ span: objSpan(vs.obj), message: `VirtualService ${vs.ns}/${vs.obj.name}` }],
          });
        }
      }
      const drRef = get(istio, 'destinationRule');
      const drName = scalar(get(drRef, 'name'));
      if (drName) {
        const name = String(drName.v);
        const dr = model.destinationRules.find((d) => d.ns === ro.ns && d.obj.name === name);
        if (!dr) {
          report({
            file: ro.file,
            start: drName.start,
            end: drName.end,
            message: `${who} splits traffic by subset through DestinationRule ${ro.ns}/${name}, which is not in the workspace. Argo Rollouts aborts the update when the DestinationRule does not exist.`,
            fixes: closeNameFixes(ro.file, drName, closeNames(name, model.destinationRules.filter((d) => d.ns === ro.ns).map((d) => d.obj.name)), undefined, 'DestinationRule '),
          });
        } else {
          const subsets = dr.subsets.map((s) => s.name);
          for (const key of ['canarySubsetName', 'stableSubsetName']) {
            const sn = scalar(get(drRef, key));
            if (!sn || subsets.includes(String(sn.v))) continue;
            report({
              file: ro.file,
              start: sn.start,
              end: sn.end,
              message: `${who} uses subset ${String(sn.v)} (${key}) of DestinationRule ${dr.ns}/${dr.obj.name}, which defines ${subsets.length ? `subsets ${subsets.join(', ')}` : 'no subsets'}. Argo Rollouts cannot label the subset and the update fails.`,
              related: [{ span: objSpan(dr.obj), message: `DestinationRule ${dr.ns}/${dr.obj.name}` }],
              fixes: closeNameFixes(ro.file, sn, closeNames(String(sn.v), subsets).length ? closeNames(String(sn.v), subsets) : subsets.slice(0, 3), undefined, 'subset '),
            });
          }
        }
      }
    }
  },
});
