import { defineRule } from './rule';
import type { DestinationRule } from '../model/model';
import { fqdn, sameUnit } from '../model/routing';
import { get } from '../source/ynode';
import { clientsUsing } from '../model/destination';

export default defineRule({
  id: 'dr-multiple-for-host',
  defaultSeverity: 'warning',
  description: 'Two DestinationRules in one namespace apply to the same host: Istio merges them, keeps only the first traffic policy and drops duplicate subsets.',
  kinds: ['DestinationRule'],
  check({ model, report }) {
    const groups = new Map<string, DestinationRule[]>();
    for (const dr of model.destinationRules) {
      if (!dr.host || !dr.hostNode) continue;
      if (get(dr.obj.root, 'spec', 'workloadSelector')) continue; // workload-scoped rules are separate
      const key = `${dr.ns}|${fqdn(model, dr.host, dr.ns)}`;
      const g = groups.get(key) ?? [];
      g.push(dr);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      if (g.length < 2) continue;
      // rules every client skips (e.g. root-namespace rules shadowed by the service namespace's) conflict with nothing
      if (!clientsUsing(model, g[0]).length) continue;
      for (const dr of g) {
        // the same ns/name twice is one object written as alternatives; other files must be applied together
        const others = g.filter((o) => o.obj.name !== dr.obj.name && sameUnit(model, o.obj.file, dr.obj.file));
        // Istio merges rules whose subsets are distinct; it is a conflict when both carry a top-level
        // traffic policy (only the first is used), when subset names repeat, or when neither has subsets
        const conflicts = others.filter((o) => {
          const names = new Set(dr.subsets.map((s) => s.name));
          const shared = o.subsets.filter((s) => names.has(s.name)).map((s) => s.name);
          const bothPolicy = !!get(dr.obj.root, 'spec', 'trafficPolicy') && !!get(o.obj.root, 'spec', 'trafficPolicy');
          return shared.length > 0 || bothPolicy || (dr.subsets.length === 0 && o.subsets.length === 0);
        });
        if (!conflicts.length) continue;
        report({
          file: dr.obj.file,
          start: dr.hostNode!.start,
          end: dr.hostNode!.end,
          message: `DestinationRules ${[dr, ...conflicts].map((o) => `${o.ns}/${o.obj.name}`).join(', ')} all apply to host ${fqdn(model, dr.host, dr.ns)} from namespace ${dr.ns}. Istio merges DestinationRules for one host in a namespace: only the oldest rule's top-level trafficPolicy is used and a subset name defined twice keeps the first definition, so one of these rules is partly ignored (which one depends on creation order).`,
          related: conflicts.map((o) => ({ span: { file: o.obj.file, start: o.hostNode!.start, end: o.hostNode!.end }, message: `DestinationRule ${o.ns}/${o.obj.name} for the same host` })),
        });
      }
    }
  },
});
