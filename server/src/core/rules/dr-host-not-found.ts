import { defineRule } from './rule';
import { routing, lookupHost, closeNames, closeNameFixes, serviceNamesIn, replaceScalar } from '../model/routing';
import type { Service } from '../model/model';
import type { YScalar } from '../source/ynode';
import type { Fix } from '../types';

/** Render a candidate Service name in the same form as the host that was written. */
export function sameForm(host: string, name: string): string {
  const i = host.indexOf('.');
  return i < 0 ? name : name + host.slice(i);
}

/** "Use name.ns.svc.cluster.local" for a dotted host Istio does not expand. */
export function fqdnFix(file: string, node: YScalar, s: Service): Fix {
  const full = `${s.name}.${s.ns}.svc.cluster.local`;
  return { title: `Use ${full}`, edits: [replaceScalar(file, node, full)], preferred: true };
}

export default defineRule({
  id: 'dr-host-not-found',
  defaultSeverity: 'warning',
  description: 'A DestinationRule host matches no Service or ServiceEntry in a namespace the workspace defines: the rule applies to nothing.',
  kinds: ['DestinationRule', 'Service', 'ServiceEntry'],
  check({ model, report }) {
    routing(model);
    for (const dr of model.destinationRules) {
      if (!dr.hostNode || !dr.host) continue;
      const l = lookupHost(model, dr.host, dr.ns, dr.obj.file);
      if (l.status !== 'missing') continue;
      const cands = l.ns && !l.hidden ? closeNames(dr.host.split('.')[0], serviceNamesIn(model, l.ns)) : [];
      report({
        file: dr.obj.file,
        start: dr.hostNode.start,
        end: dr.hostNode.end,
        message: `DestinationRule ${dr.ns}/${dr.obj.name} has host ${dr.host}, which matches no Service or ServiceEntry visible from namespace ${dr.ns} (${l.reason}). Istio applies a DestinationRule only to traffic for its host, so its traffic policy${dr.subsets.length ? ' and subsets' : ''} take no effect.`,
        related: l.hidden ? [{ span: { file: l.hidden.file, start: l.hidden.root.start, end: l.hidden.root.start }, message: `${l.hidden.kind} ${l.hidden.ns}/${l.hidden.name} is not exported to ${dr.ns}` }] : undefined,
        fixes: l.fqdnOf ? [fqdnFix(dr.obj.file, dr.hostNode, l.fqdnOf)] : closeNameFixes(dr.obj.file, dr.hostNode, cands, (c) => (l.dotted ? `${c}.${l.ns}.svc.cluster.local` : sameForm(dr.host, c)), 'host '),
      });
    }
  },
});
