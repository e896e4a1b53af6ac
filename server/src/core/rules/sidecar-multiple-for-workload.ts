import { defineRule } from './rule';
import { sidecarConflicts, describeSidecar } from '../model/sidecar';

export default defineRule({
  id: 'sidecar-multiple-for-workload',
  defaultSeverity: 'warning',
  description: 'Several Sidecar resources select the same workload, or several Sidecars without workloadSelector share a namespace: which one applies is undefined.',
  kinds: ['Sidecar'],
  check({ model, report }) {
    for (const c of sidecarConflicts(model)) {
      const sc = c.sidecar;
      const names = [sc, ...c.others].map(describeSidecar).join(', ');
      const range = c.scope === 'workload' && sc.selectorNode ? { start: sc.selectorNode.start, end: sc.selectorNode.end } : { start: sc.span.start, end: sc.span.end };
      const ws = c.workloads.map((w) => `${w.kind} ${w.name}`);
      const message =
        c.scope === 'namespace'
          ? `Sidecars ${names} have no workloadSelector in namespace ${sc.ns}. Istio allows one selector-less Sidecar per namespace: with more, the behaviour is undefined (Sidecar reference) and istiod uses one of them for every pod of the namespace, so the settings of the other are silently ignored. Merge them into one Sidecar, or give all but one a workloadSelector.`
          : `Sidecars ${names} all select ${ws.slice(0, 5).join(', ')}${ws.length > 5 ? ', ...' : ''} in namespace ${sc.ns}. Istio applies one Sidecar per workload: when several selectors match the same pod the behaviour is undefined (Sidecar reference), so the egress, ingress and outbound settings of all but one are silently ignored for it. Make the selectors disjoint or merge the Sidecars.`;
      report({
        file: sc.obj.file,
        ...range,
        message,
        related: c.others.map((o) => ({
          span: c.scope === 'workload' && o.selectorNode ? { file: o.obj.file, start: o.selectorNode.start, end: o.selectorNode.end } : o.span,
          message: `Sidecar ${describeSidecar(o)}${c.scope === 'workload' ? ' selects the same workload' : ', also without workloadSelector'}`,
        })),
      });
    }
  },
});
