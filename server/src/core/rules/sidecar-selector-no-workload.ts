import { defineRule } from './rule';
import { sidecars, sidecarWorkloads, selectorText } from '../model/sidecar';
import { kustomizeLabelKeys } from '../model/kustomize';

export default defineRule({
  id: 'sidecar-selector-no-workload',
  defaultSeverity: 'warning',
  description: "A Sidecar resource's workloadSelector matches no workload in its namespace, so it configures no proxy.",
  kinds: ['Sidecar'],
  check({ model, report }) {
    for (const sc of sidecars(model)) {
      if (!sc.selector || !sc.selectorNode) continue;
      // the root namespace holds istiod and gateways, usually installed outside the repository; istio labels select them
      if (sc.ns === model.meshConfig.rootNamespace || Object.keys(sc.selector).some((k) => k === 'istio' || k.startsWith('istio.io/') || k.startsWith('gateway.networking.k8s.io/'))) continue;
      // a label some kustomization adds to the rendered pods is not in the pod templates: unknown
      const added = kustomizeLabelKeys(model);
      if (Object.keys(sc.selector).some((k) => added.has(k))) continue;
      const inNs = model.workloadsIn(sc.ns);
      if (!inNs.length) continue; // the namespace's workloads are not in the workspace: unknown
      if (sidecarWorkloads(model, sc).length) continue;
      report({
        file: sc.obj.file,
        start: sc.selectorNode.start,
        end: sc.selectorNode.end,
        message: `Sidecar ${sc.ns}/${sc.obj.name} selects ${selectorText(sc.selector)}, but no workload in namespace ${sc.ns} has these pod labels (the workspace has ${inNs.slice(0, 5).map((w) => w.name).join(', ')}${inNs.length > 5 ? ', ...' : ''}). A Sidecar applies only to pods of its own namespace, so this one configures no proxy, and the pods it was meant for keep the namespace default.`,
      });
    }
  },
});
