import { defineRule } from './rule';
import { workloadPolicyConflicts, istioOldest } from '../model/peerauth-workload';
import type { PeerAuth } from '../model/model';

const label = (p: PeerAuth) => `${p.ns}/${p.obj.name}`;

export default defineRule({
  id: 'peerauth-multiple-for-workload',
  defaultSeverity: 'warning',
  description: 'Several PeerAuthentications with a selector select the same workload: Istio applies only the oldest (creationTimestamp, then name) to it and ignores the mode and portLevelMtls of the others.',
  kinds: ['PeerAuthentication', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Rollout', 'Pod'],
  check({ model, report }) {
    for (const c of workloadPolicyConflicts(model)) {
      const pa = c.policy;
      const all = [pa, ...c.others];
      // file order, as the mTLS view (model/peerauth.ts) takes them
      const ordered = model.peerAuths.filter((p) => all.includes(p));
      const ws = c.workloads.map((w) => `${w.kind} ${w.name}`);
      const what = `${ws.slice(0, 5).join(', ')}${ws.length > 5 ? ', ...' : ''}`;
      const others = c.others.map(label).join(', ');

      const modes = new Set(all.map((p) => p.mode ?? 'UNSET'));
      const withPorts = all.filter((p) => p.portLevel.length);
      let effect: string;
      if (modes.size > 1) effect = ` Their modes differ (${ordered.map((p) => `${p.obj.name}: ${p.mode ?? 'UNSET'}`).join(', ')}), so the mTLS mode of ${ws.length > 1 ? 'these workloads' : ws[0]} depends on which one wins.`;
      else effect = ` They set the same mode (${[...modes][0]})${withPorts.length ? '' : ', so the result does not change today, but edits to the ignored one have no effect'}.`;
      if (withPorts.length) effect += ` Only the winner's portLevelMtls applies (${withPorts.map((p) => `${p.obj.name}: port${p.portLevel.length > 1 ? 's' : ''} ${p.portLevel.map((x) => `${x.port}${x.mode ? ` ${x.mode}` : ''}`).join(', ')}`).join('; ')}): while another policy wins, these port settings do nothing.`;

      const winner = istioOldest(all);
      let which: string;
      if (winner) {
        const tie = all.filter((p) => p !== winner && Math.floor(p.created! / 1000) === Math.floor(winner.created! / 1000));
        which = ` By their metadata.creationTimestamp, Istio applies ${label(winner)} (the oldest, ${new Date(winner.created!).toISOString()}${tie.length ? `; ${tie.map(label).join(', ')} ${tie.length > 1 ? 'share' : 'shares'} that second, and Istio then orders by name` : ''}) and ignores ${all.filter((p) => p !== winner).map(label).join(', ')}.`;
      } else {
        which = ` Which one applies is undefined from the files: Istio takes the oldest by metadata.creationTimestamp (then by name), which ${all.some((p) => p.created !== undefined) ? 'not all of them carry' : 'the manifests do not carry'}, so it depends on the order they were created; meshlint's mTLS view assumes ${label(ordered[0])}, the first in file order.`;
      }
      report({
        file: pa.obj.file,
        start: pa.selectorNode!.start,
        end: pa.selectorNode!.end,
        message: `PeerAuthentication ${label(pa)} selects ${what} in namespace ${pa.ns}, and so ${c.others.length > 1 ? 'do' : 'does'} ${others}. Istio applies one workload-level policy per workload (the oldest) and ignores the others for it.${effect}${which} Make the selectors disjoint, or merge the policies into one.`,
        related: c.others.map((o) => ({
          span: o.selectorNode ? { file: o.obj.file, start: o.selectorNode.start, end: o.selectorNode.end } : { file: o.obj.file, start: o.obj.root.start, end: o.obj.root.start },
          message: `PeerAuthentication ${label(o)} selects the same workload`,
        })),
      });
    }
  },
});
