import { defineRule } from './rule';
import { lookupHost, subsetSelects, routing } from '../model/routing';
import { get, isScalar, str } from '../source/ynode';
import { objSpan } from '../model/model';

/** DestinationRule subsets managed by Argo Rollouts (it injects rollouts-pod-template-hash at runtime). */
export function rolloutManagedSubsets(model: import('../model/model').MeshModel): Set<string> {
  const out = new Set<string>();
  for (const r of model.kind('Rollout')) {
    const dr = get(r.root, 'spec', 'strategy', 'canary', 'trafficRouting', 'istio', 'destinationRule');
    const name = str(dr, 'name');
    if (!name) continue;
    for (const k of ['canarySubsetName', 'stableSubsetName']) {
      const s = get(dr, k);
      if (isScalar(s) && s.v !== null) out.add(`${r.ns}/${name}/${String(s.v)}`);
    }
  }
  return out;
}

export default defineRule({
  id: 'dr-subset-no-workload',
  defaultSeverity: 'warning',
  description: "A DestinationRule subset's labels select none of the pods behind the host's Service: traffic routed to the subset fails with 503 (no healthy upstream).",
  kinds: ['DestinationRule', 'Service', 'Deployment', 'StatefulSet', 'Rollout', 'Pod'],
  check({ model, report }) {
    routing(model);
    const managed = rolloutManagedSubsets(model);
    for (const dr of model.destinationRules) {
      if (!dr.host || !dr.subsets.length) continue;
      const l = lookupHost(model, dr.host, dr.ns, dr.obj.file);
      const s = l.service;
      if (l.status !== 'found' || !s || !s.selector || !Object.keys(s.selector).length) continue;
      const pods = model.serviceWorkloads(s);
      if (!pods.length) continue; // the service's workloads are not in the workspace: unknown
      for (const sub of dr.subsets) {
        if (managed.has(`${dr.ns}/${dr.obj.name}/${sub.name}`)) continue;
        if (pods.some((w) => subsetSelects(sub.labels, w.podLabels))) continue;
        const nameNode = get(sub.node, 'name');
        const at = isScalar(nameNode) ? nameNode : sub.node;
        const sel = Object.entries(sub.labels).map(([k, v]) => `${k}=${v}`).join(', ');
        report({
          file: dr.obj.file,
          start: at.start,
          end: at.end,
          message: `Subset ${sub.name} of DestinationRule ${dr.ns}/${dr.obj.name} selects pods labelled ${sel}, but no pod template behind Service ${s.ns}/${s.name} (${pods.map((w) => `${w.kind} ${w.name}`).join(', ')}) carries those labels. Requests routed to this subset find no endpoints and fail with 503 (UH / no healthy upstream).`,
          related: pods.slice(0, 5).map((w) => ({ span: objSpan(w.obj), message: `${w.kind} ${w.ns}/${w.name} behind Service ${s.name}` })),
        });
      }
    }
  },
});
