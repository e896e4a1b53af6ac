import { defineRule } from './rule';
import { hasSelector } from '../model/peerauth';
import { kustomizeLabelKeys } from '../model/kustomize';

export default defineRule({
  id: 'peerauth-selector-no-workload',
  defaultSeverity: 'warning',
  description: "A PeerAuthentication's selector matches no workload in its namespace, so its mTLS mode applies to nothing.",
  kinds: ['PeerAuthentication'],
  check({ model, report }) {
    for (const pa of model.peerAuths) {
      if (!hasSelector(pa) || !pa.selectorNode) continue;
      // Istio ignores selector policies in the root namespace; istio labels select gateways installed elsewhere
      if (pa.ns === model.meshConfig.rootNamespace || Object.keys(pa.selector!).some((k) => k === 'istio' || k.startsWith('istio.io/') || k.startsWith('gateway.networking.k8s.io/'))) continue;
      // a label some kustomization adds to the rendered pods is not in the pod templates: unknown
      const added = kustomizeLabelKeys(model);
      if (Object.keys(pa.selector!).some((k) => added.has(k))) continue;
      const inNs = model.workloadsIn(pa.ns);
      if (!inNs.length) continue; // the namespace's workloads are not in the workspace: unknown
      if (model.workloadsFor(pa.ns, pa.selector).length) continue;
      const sel = Object.entries(pa.selector!).map(([k, v]) => `${k}=${v}`).join(', ');
      const what = pa.mode ? `its mode ${pa.mode}${pa.portLevel.length ? ' and its portLevelMtls' : ''}` : pa.portLevel.length ? 'its portLevelMtls' : 'it';
      report({
        file: pa.obj.file,
        start: pa.selectorNode.start,
        end: pa.selectorNode.end,
        message: `PeerAuthentication ${pa.ns}/${pa.obj.name} selects ${sel}, but no workload in namespace ${pa.ns} has these pod labels (the workspace has ${inNs.slice(0, 5).map((w) => w.name).join(', ')}${inNs.length > 5 ? ', ...' : ''}). A workload policy applies only to pods of its own namespace, so ${what} applies to nothing, and the pods it was meant for keep the namespace-wide or mesh-wide mode.`,
      });
    }
  },
});
