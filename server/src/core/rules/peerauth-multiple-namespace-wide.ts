import { defineRule } from './rule';
import { namespaceWidePolicies, oldestKnown } from '../model/peerauth';
import { objSpan } from '../model/model';
import { sameUnit } from '../model/routing';

export default defineRule({
  id: 'peerauth-multiple-namespace-wide',
  defaultSeverity: 'warning',
  description: 'Several PeerAuthentications without selector in one namespace (or in the root namespace, mesh-wide): Istio applies only the oldest, which the files rarely tell.',
  kinds: ['PeerAuthentication'],
  check({ model, report }) {
    const root = model.meshConfig.rootNamespace;
    for (const [ns, group] of namespaceWidePolicies(model.peerAuths)) {
      if (group.length < 2) continue;
      for (const pa of group) {
        // only policies applied together (one deployable unit); the same ns/name written twice is one object
        const others = group.filter((o) => o !== pa && o.obj.name !== pa.obj.name && sameUnit(model, pa.obj.file, o.obj.file));
        if (!others.length) continue;
        const all = [pa, ...others];
        const names = all.map((p) => `${p.ns}/${p.obj.name}`).join(', ');
        const modes = new Set(all.map((p) => p.mode ?? 'UNSET'));
        const scope = ns === root ? `mesh-wide (root namespace ${ns})` : `namespace-wide in ${ns}`;
        const winner = oldestKnown(all);
        // what the mTLS view (model/peerauth.ts) takes when the order is unknown: the oldest known, else the first in file order
        const ordered = group.filter((p) => all.includes(p));
        const min = ordered.every((p) => p.created !== undefined) ? Math.min(...ordered.map((p) => p.created!)) : undefined;
        const assumed = ordered.find((p) => min === undefined || p.created === min)!;
        const which = winner
          ? `By their metadata.creationTimestamp, Istio applies ${winner.ns}/${winner.obj.name} (the oldest, ${new Date(winner.created!).toISOString()}) and ignores ${all.filter((p) => p !== winner).map((p) => `${p.ns}/${p.obj.name}`).join(', ')}.`
          : `Which one applies is undefined from the files: Istio takes the oldest by metadata.creationTimestamp, which ${all.some((p) => p.created !== undefined) ? 'not all of them carry (or they share)' : 'the manifests do not carry'}, so it depends on the order they were applied; meshlint's mTLS view assumes ${assumed.ns}/${assumed.obj.name}, the first in file order.`;
        const effect = modes.size > 1 ? ` Their modes differ (${all.map((p) => `${p.obj.name}: ${p.mode ?? 'UNSET'}`).join(', ')}), so the ${ns === root ? 'mesh' : 'namespace'} default depends on it.` : ` They set the same mode (${[...modes][0]}), so the result does not change today, but edits to the ignored one have no effect.`;
        report({
          ...objSpan(pa.obj),
          message: `PeerAuthentications ${names} all apply ${scope} (no selector). Istio uses one selector-less policy per namespace.${effect} ${which} Merge them into one policy, or give all but one a selector.`,
          related: others.map((o) => ({ span: objSpan(o.obj), message: `PeerAuthentication ${o.ns}/${o.obj.name}, also without selector` })),
        });
      }
    }
  },
});
