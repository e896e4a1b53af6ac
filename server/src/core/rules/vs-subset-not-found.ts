import { defineRule } from './rule';
import { routing, lookupHost, destinationRulesForHost, closeNames, closeNameFixes } from '../model/routing';

export default defineRule({
  id: 'vs-subset-not-found',
  defaultSeverity: 'error',
  description: 'A VirtualService route names a subset that no DestinationRule for that host defines: Envoy has no cluster for it and the route fails with 503.',
  kinds: ['VirtualService', 'DestinationRule'],
  check({ model, report }) {
    for (const vs of routing(model).virtualServices) {
      for (const d of vs.destinations) {
        if (!d.subset || !d.subsetNode) continue;
        const drs = destinationRulesForHost(model, d.host, vs.ns);
        if (drs.some((dr) => dr.subsets.some((s) => s.name === d.subset))) continue;
        if (!drs.length) {
          // no DestinationRule at all: only meaningful when the workspace shows the host's service
          const l = lookupHost(model, d.host, vs.ns, vs.obj.file);
          if (l.status !== 'found' || !l.service) continue;
        }
        const defined = [...new Set(drs.flatMap((dr) => dr.subsets.map((s) => s.name)).filter(Boolean))];
        const close = closeNames(d.subset, defined, 5);
        const offer = [...close, ...defined.filter((x) => !close.includes(x))].slice(0, 5);
        report({
          file: vs.obj.file,
          start: d.subsetNode.start,
          end: d.subsetNode.end,
          message: drs.length
            ? `VirtualService ${vs.ns}/${vs.obj.name} ${d.mirror ? 'mirrors' : 'routes'} to subset ${d.subset} of host ${d.host}, but ${drs.map((dr) => `DestinationRule ${dr.ns}/${dr.obj.name}`).join(', ')} define${drs.length === 1 ? 's' : ''} only ${defined.length ? `subset${defined.length > 1 ? 's' : ''} ${defined.join(', ')}` : 'no subsets'}. Envoy has no cluster for an undefined subset: requests on this route fail with 503 (NR).`
            : `VirtualService ${vs.ns}/${vs.obj.name} ${d.mirror ? 'mirrors' : 'routes'} to subset ${d.subset} of host ${d.host}, but no DestinationRule visible from namespace ${vs.ns} applies to that host. Subsets are defined in a DestinationRule: without one, requests on this route fail with 503 (NR).`,
          related: drs.map((dr) => ({ span: { file: dr.obj.file, start: dr.hostNode?.start ?? dr.obj.root.start, end: dr.hostNode?.end ?? dr.obj.root.start }, message: `DestinationRule ${dr.ns}/${dr.obj.name} for host ${dr.host}` })),
          fixes: closeNameFixes(vs.obj.file, d.subsetNode, offer, undefined, 'subset '),
        });
      }
    }
  },
});
