import { defineRule } from './rule';
import { sidecars, sidecarWorkloads, selectorText, describeSidecar } from '../model/sidecar';
import { selects } from '../model/model';

export default defineRule({
  id: 'sidecar-root-selector',
  defaultSeverity: 'warning',
  description: 'A Sidecar resource in the mesh root namespace has a workloadSelector, and no workload of the root namespace in the workspace matches it: it is not the mesh-wide default, it applies only to matching pods of the root namespace itself.',
  kinds: ['Sidecar', 'ConfigMap', 'IstioOperator'],
  check({ model, report }) {
    const root = model.meshConfig.rootNamespace;
    for (const sc of sidecars(model)) {
      if (sc.ns !== root || !sc.selector || !sc.selectorNode) continue;
      // a Sidecar for workloads of the root namespace (an addon with a sidecar, say) is what the selector is for
      if (sidecarWorkloads(model, sc).length) continue;
      // istiod and the gateways (installed elsewhere) carry istio labels; a Sidecar meant for them is another mistake
      if (Object.keys(sc.selector).some((k) => k === 'istio' || k.startsWith('istio.io/') || k.startsWith('gateway.networking.k8s.io/'))) continue;
      const elsewhere = model.workloads.filter((w) => w.ns !== root && selects(sc.selector, w.podLabels));
      const meant = elsewhere.length ? ` The pods with these labels in the workspace are in other namespaces (${elsewhere.slice(0, 3).map((w) => `${w.kind} ${w.ns}/${w.name}`).join(', ')}${elsewhere.length > 3 ? ', ...' : ''}), which it never configures.` : '';
      const meshDefault = sidecars(model).find((x) => x.ns === root && !x.selector);
      const fallback = meshDefault ? '' : ' Without a selector-less Sidecar in the root namespace there is no mesh-wide default, so namespaces without their own Sidecar keep Istio\'s default (every service imported, the mesh outbound traffic policy).';
      const fix = meshDefault
        ? `Move it into the namespace of the workloads it is meant for, or fold its settings into the mesh-wide default ${describeSidecar(meshDefault)}.`
        : 'Remove the workloadSelector to make it the mesh-wide default, or move it into the namespace of the workloads it is meant for.';
      // pods elsewhere with these labels, or a root namespace whose workloads the workspace shows, make the mistake plain;
      // otherwise the workload it is for may be installed in the root namespace from outside the repository
      const known = elsewhere.length > 0 || model.workloads.some((w) => w.ns === root);
      report({
        severity: known ? 'warning' : 'information',
        file: sc.obj.file,
        start: sc.selectorNode.start,
        end: sc.selectorNode.end,
        message: `Sidecar ${describeSidecar(sc)} is in the mesh root namespace ${root} but has a workloadSelector (${selectorText(sc.selector)}): only a Sidecar without workloadSelector in the root namespace is the mesh-wide default. A Sidecar applies only to workloads of its own namespace, so this one configures just pods of ${root} with these labels, and no workload of ${root} in the workspace has them.${meant}${fallback} ${fix}`,
      });
    }
  },
});
