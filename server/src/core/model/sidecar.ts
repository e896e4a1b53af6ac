/**
 * Istio Sidecar resources (networking.istio.io Sidecar): which workloads each one configures.
 *
 * Istio's selection (the Sidecar reference, and pilot's sidecar scopes): a Sidecar applies only to
 * workloads of its own namespace. One with `workloadSelector.labels` applies to the pods carrying
 * those labels; one without a selector (no `workloadSelector`, or empty `labels`, which selects every
 * pod) is the namespace's default; a selector-less Sidecar in the root namespace is the mesh-wide
 * default for namespaces that have none. Several Sidecars for one workload, or several selector-less
 * ones in a namespace, make the behaviour undefined. Workloads in ambient mode have no sidecar, so no
 * Sidecar resource affects them (istioctl analyze IST0167, sidecar.SelectorAnalyzer).
 */
import type { K8sObject } from '../source/yaml';
import { YNode, get, strMap, isMap } from '../source/ynode';
import { MeshModel, Workload, cachedView, nameNode } from './model';
import { sameUnit } from './routing';
import type { Span } from '../types';

export interface SidecarResource {
  obj: K8sObject;
  ns: string;
  /** workloadSelector.labels; undefined when the Sidecar has no selector (namespace-wide) */
  selector?: Record<string, string>;
  /** the workloadSelector node (range for selector findings) */
  selectorNode?: YNode;
  /** where to point at the Sidecar itself (metadata.name) */
  span: Span;
}

function toSidecar(o: K8sObject): SidecarResource {
  const ws = get(o.root, 'spec', 'workloadSelector');
  const labels = isMap(ws) ? strMap(ws, 'labels') : {};
  const n = nameNode(o);
  return {
    obj: o,
    ns: o.ns,
    selector: Object.keys(labels).length ? labels : undefined,
    selectorNode: isMap(ws) ? (get(ws, 'labels') ?? ws) : undefined,
    span: n ? { file: o.file, start: n.start, end: n.end } : { file: o.file, start: o.root.start, end: o.root.start },
  };
}

const cache = new WeakMap<MeshModel, SidecarResource[]>();

/** The Istio Sidecar resources of the workspace. */
export function sidecars(model: MeshModel): SidecarResource[] {
  let r = cache.get(model);
  if (!r) {
    r = model.kind('Sidecar').filter((o) => o.group.startsWith('networking.istio.io')).map((o) => cachedView(o, 'sidecar', toSidecar));
    cache.set(model, r);
  }
  return r;
}

/** Workloads of the Sidecar's namespace its selector matches (empty for selector-less Sidecars). */
export function sidecarWorkloads(model: MeshModel, sc: SidecarResource): Workload[] {
  return sc.selector ? model.workloadsFor(sc.ns, sc.selector) : [];
}

/**
 * Is the namespace in ambient mode as istioctl analyze reads it (analyzers/util NamespaceInAmbientMode):
 * `istio.io/dataplane-mode: ambient` and neither `istio-injection: enabled` nor an `istio.io/rev` label.
 * undefined when the workspace does not define the Namespace.
 */
export function namespaceAmbient(model: MeshModel, ns: string): boolean | undefined {
  const l = model.namespaceLabels(ns);
  if (!l) return undefined;
  if (l['istio-injection'] === 'enabled' || !!l['istio.io/rev']) return false;
  return l['istio.io/dataplane-mode'] === 'ambient';
}

/** Two Sidecars are applied together: different objects (not the same ns/name written twice) of one deployable unit. */
export function appliedTogether(model: MeshModel, a: SidecarResource, b: SidecarResource): boolean {
  return a !== b && (a.ns !== b.ns || a.obj.name !== b.obj.name) && sameUnit(model, a.obj.file, b.obj.file);
}

export function describeSidecar(sc: SidecarResource): string {
  return `${sc.ns}/${sc.obj.name}`;
}

export function selectorText(sel: Record<string, string>): string {
  return Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(', ');
}
