/**
 * Ambient waypoints (Istio "Configure waypoint proxies", ambient/usage/waypoint; istio/api label/labels.yaml):
 *  - a waypoint is a Gateway API Gateway with `gatewayClassName: istio-waypoint` (istiod deploys its proxy);
 *  - `istio.io/use-waypoint: <name>` on a Namespace, a Service or a pod sends the traffic for that resource
 *    through the waypoint Gateway `<name>`; on a Service or pod it wins over the namespace's, and the value
 *    `none` opts the resource out of its namespace's waypoint;
 *  - `istio.io/use-waypoint-namespace: <ns>` on the same resource names the waypoint's namespace (default:
 *    the resource's own namespace).
 * This is the one place that reads those labels; mesh membership itself stays in membership.ts.
 */
import type { K8sObject } from '../source/yaml';
import { YScalar, get, pair, str, isScalar } from '../source/ynode';
import type { MeshModel, Workload, Membership } from './model';
import { kustomizeLabelKeys } from './kustomize';
import type { Span } from '../types';

export const WAYPOINT_CLASS = 'istio-waypoint';
export const USE_WAYPOINT = 'istio.io/use-waypoint';
export const USE_WAYPOINT_NS = 'istio.io/use-waypoint-namespace';

export interface WaypointUse {
  /** the object carrying the label (Namespace, Service, or the workload's object for a pod template) */
  obj: K8sObject;
  on: 'namespace' | 'service' | 'pod';
  workload?: Workload;
  /** the waypoint Gateway named */
  name: string;
  /** the namespace the waypoint is looked up in */
  ns: string;
  /** set when istio.io/use-waypoint-namespace decides the namespace */
  nsNode?: YScalar;
  /** the label value (range for findings) */
  node: YScalar;
}

function labelValue(obj: K8sObject, path: string[], key: string): YScalar | undefined {
  const p = pair(get(obj.root, ...path, 'metadata', 'labels'), key);
  return p && isScalar(p.value) && p.value.v !== null && String(p.value.v) !== '' ? p.value : undefined;
}

function useOf(obj: K8sObject, path: string[], ns: string, on: WaypointUse['on'], workload?: Workload): WaypointUse | undefined {
  const v = labelValue(obj, path, USE_WAYPOINT);
  if (!v || String(v.v) === 'none') return undefined;
  const nsNode = labelValue(obj, path, USE_WAYPOINT_NS);
  return { obj, on, workload, name: String(v.v), ns: nsNode ? String(nsNode.v) : ns, nsNode, node: v };
}

const usesCache = new WeakMap<MeshModel, WaypointUse[]>();

/** Every `istio.io/use-waypoint` label (other than `none`) on a Namespace, Service or pod template, in workspace order. */
export function waypointUses(model: MeshModel): WaypointUse[] {
  let out = usesCache.get(model);
  if (out) return out;
  out = [];
  for (const o of model.kind('Namespace')) {
    if (o.group !== '') continue;
    const u = useOf(o, [], o.name, 'namespace');
    if (u) out.push(u);
  }
  for (const s of model.services) {
    const u = useOf(s.obj, [], s.ns, 'service');
    if (u) out.push(u);
  }
  for (const w of model.workloads) {
    const u = useOf(w.obj, w.templatePath, w.ns, 'pod', w);
    if (u) out.push(u);
  }
  usesCache.set(model, out);
  return out;
}

/** The waypoint Gateways of the workspace (gatewayClassName istio-waypoint). */
export function waypointGateways(model: MeshModel): K8sObject[] {
  return model.kind('Gateway').filter((o) => o.group === 'gateway.networking.k8s.io' && str(o.root, 'spec', 'gatewayClassName') === WAYPOINT_CLASS);
}

/** A Gateway API Gateway ns/name in the workspace, any class. */
export function k8sGatewayNamed(model: MeshModel, ns: string, name: string): K8sObject | undefined {
  return model.kind('Gateway').find((o) => o.group === 'gateway.networking.k8s.io' && o.ns === ns && o.name === name);
}

/** A waypoint's own pods (deployed by istiod for a Gateway) or another gateway's: not application workloads. */
export function isGatewayWorkload(w: Workload): boolean {
  return w.podLabels['gateway.networking.k8s.io/gateway-name'] !== undefined || w.podLabels['istio.io/gateway-name'] !== undefined || w.podLabels['gateway.istio.io/managed'] !== undefined;
}

/**
 * Where the workspace puts a waypoint in the path of traffic to this workload: an `istio.io/use-waypoint`
 * label (other than `none`) on its pod template, on a Service selecting it, or on its namespace.
 * Undefined when none of them does. Conservative on purpose: any of the three counts.
 */
export function workloadWaypoint(model: MeshModel, w: Workload): { via: string; span?: Span } | undefined {
  const at = (u: WaypointUse): Span => ({ file: u.obj.file, start: u.node.start, end: u.node.end });
  const pod = useOf(w.obj, w.templatePath, w.ns, 'pod', w);
  if (pod) return { via: `pod label ${USE_WAYPOINT}: ${pod.name}`, span: at(pod) };
  for (const s of model.servicesOf(w)) {
    const u = useOf(s.obj, [], s.ns, 'service');
    if (u) return { via: `Service ${s.ns}/${s.name} label ${USE_WAYPOINT}: ${u.name}`, span: at(u) };
  }
  const nsObj = model.namespaces.get(w.ns);
  const nu = nsObj ? useOf(nsObj, [], nsObj.name, 'namespace') : undefined;
  if (nu) return { via: `namespace ${w.ns} label ${USE_WAYPOINT}: ${nu.name}`, span: at(nu) };
  return undefined;
}

/** Does the namespace itself carry a waypoint label (other than `none`)? */
export function namespaceWaypoint(model: MeshModel, ns: string): WaypointUse | undefined {
  const nsObj = model.namespaces.get(ns);
  return nsObj ? useOf(nsObj, [], nsObj.name, 'namespace') : undefined;
}

/** Membership decided by the pod template alone (no Namespace object needed to know it is not ambient). */
function decidedByPod(w: Workload, m: Membership): boolean {
  if (w.hostNetwork) return true;
  if (m.mode === 'sidecar' && /kube-inject/.test(m.reason)) return true;
  return m.mode === 'none' && m.key === 'istio.io/dataplane-mode' && m.on === 'pod';
}

/**
 * The workload is known not to be in ambient mode, so ztunnel does not capture its pods and a waypoint
 * label on them puts no waypoint in their path (Kiali KIA1312): its membership, or undefined when it is
 * ambient or the workspace cannot tell (Namespace not in the workspace unless the pod template alone
 * decides, a kustomization adding istio.io/dataplane-mode). Waypoint/gateway pods and workloads with both
 * sidecar and ambient labels (sidecar-and-ambient) are left out.
 */
export function notAmbientForWaypoint(model: MeshModel, w: Workload): Membership | undefined {
  if (isGatewayWorkload(w)) return undefined;
  const m = model.membership(w);
  if (m.mode === 'ambient' || m.alsoAmbient) return undefined;
  if (kustomizeLabelKeys(model).has('istio.io/dataplane-mode')) return undefined;
  if (!model.namespaces.has(w.ns) && !decidedByPod(w, m)) return undefined;
  return m;
}
