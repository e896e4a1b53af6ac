/**
 * Mesh membership: does a workload's pod get a sidecar, is it enrolled in ambient, or neither.
 * The one place that reads the injection and ambient labels; every rule asks `model.membership(w)`.
 *
 * Sidecar (Istio's injection webhooks, istio-discovery chart `templates/mutatingwebhook.yaml`, and
 * `pkg/kube/inject/inject.go` `injectRequired`):
 *  - the webhooks select pods by LABELS only: namespace `istio-injection: enabled`; namespace
 *    `istio.io/rev` (when the namespace has no `istio-injection` label); else, in a namespace with
 *    neither label, a pod label `istio.io/rev` or `sidecar.istio.io/inject: "true"`. A namespace
 *    `istio-injection` with any other value (`disabled`) selects nothing and wins over pod labels.
 *    Every webhook skips pods labelled `sidecar.istio.io/inject: "false"`.
 *  - once selected, `injectRequired` reads `sidecar.istio.io/inject` (the label when present, else the
 *    deprecated annotation): y/yes/true/on inject, any other non-empty value opts out. So the annotation
 *    alone injects nothing, but `"false"` in it still opts a selected pod out.
 *  - hostNetwork pods are never injected; kube-system and kube-public are ignored namespaces.
 * Ambient (istio-cni enablement, `cni/pkg/util/podutil.go` `PodRedirectionEnabled`): a pod labelled
 * `istio.io/dataplane-mode: ambient`, or every pod of a namespace so labelled, unless the pod has a
 * sidecar, sets `istio.io/dataplane-mode` to another value (`none`), or uses hostNetwork.
 * `sidecar.istio.io/inject: "false"` does not take a pod out of ambient.
 */
import type { K8sObject } from '../source/yaml';
import type { Span } from '../types';
import { get, pair } from '../source/ynode';
import type { Membership, Workload } from './model';

/** Namespaces the injector never touches (`pkg/kube/inject` IgnoredNamespaces). */
const IGNORED_NS = new Set(['kube-system', 'kube-public']);
const TRUE = new Set(['y', 'yes', 'true', 'on']);

function labelSpan(w: Workload, where: 'labels' | 'annotations', key: string): Span | undefined {
  const base = w.templatePath.length ? get(w.obj.root, ...w.templatePath, 'metadata', where) : get(w.obj.root, 'metadata', where);
  const p = pair(base, key);
  return p ? { file: w.obj.file, start: p.key.start, end: p.value ? p.value.end : p.key.end } : undefined;
}

function nsSpan(nsObj: K8sObject | undefined, key: string): Span | undefined {
  const p = nsObj ? pair(get(nsObj.root, 'metadata', 'labels'), key) : undefined;
  return p && nsObj ? { file: nsObj.file, start: p.key.start, end: p.value ? p.value.end : p.key.end } : undefined;
}

/** A manifest that already carries the proxy (istioctl kube-inject output). */
function alreadyInjected(w: Workload): boolean {
  return w.podAnnotations['sidecar.istio.io/status'] !== undefined || w.containers.some((c) => c.name === 'istio-proxy' && /proxyv2/.test(c.image ?? ''));
}

/** Which pod-level ambient enrolment applies, if any (before the sidecar check). */
function ambientSelection(w: Workload, nsObj: K8sObject | undefined): { reason: string; span?: Span; key: string; on: 'pod' | 'namespace' } | { optOut: true; reason: string; span?: Span } | undefined {
  const dp = w.podLabels['istio.io/dataplane-mode'];
  const nl = nsObj?.labels ?? {};
  if (dp === 'ambient') return { reason: 'pod label istio.io/dataplane-mode: ambient', span: labelSpan(w, 'labels', 'istio.io/dataplane-mode'), key: 'istio.io/dataplane-mode', on: 'pod' };
  if (dp !== undefined) return { optOut: true, reason: `pod label istio.io/dataplane-mode: ${dp}`, span: labelSpan(w, 'labels', 'istio.io/dataplane-mode') };
  if (nl['istio.io/dataplane-mode'] === 'ambient') return { reason: `namespace ${w.ns} has istio.io/dataplane-mode: ambient`, span: nsSpan(nsObj, 'istio.io/dataplane-mode'), key: 'istio.io/dataplane-mode', on: 'namespace' };
  return undefined;
}

export function computeMembership(w: Workload, nsObj: K8sObject | undefined): Membership {
  if (w.hostNetwork) return { mode: 'none', reason: 'hostNetwork: true (Istio never injects a sidecar into, nor redirects, a pod on the node network)' };
  if (IGNORED_NS.has(w.ns)) return { mode: 'none', reason: `namespace ${w.ns} is ignored by Istio's injector` };
  const nl = nsObj?.labels ?? {};
  const amb = ambientSelection(w, nsObj);
  const alsoAmbient = amb && !('optOut' in amb) ? { reason: amb.reason, span: amb.span, on: amb.on } : undefined;
  if (alreadyInjected(w)) return { mode: 'sidecar', reason: 'the pod template already carries the istio-proxy sidecar (kube-inject)', alsoAmbient };

  // 1. which injection webhook (if any) is called for this pod: label selectors only
  const injLabel = w.podLabels['sidecar.istio.io/inject'];
  const injAnn = w.podAnnotations['sidecar.istio.io/inject'];
  const nsInj = nl['istio-injection'];
  const nsRev = nl['istio.io/rev'];
  const podRev = w.podLabels['istio.io/rev'];
  let selectedBy: Omit<Membership, 'mode'> | undefined;
  let blockedBy: Omit<Membership, 'mode'> | undefined;
  if (nsInj === 'enabled') selectedBy = { reason: `namespace ${w.ns} has istio-injection: enabled`, span: nsSpan(nsObj, 'istio-injection'), key: 'istio-injection', on: 'namespace' };
  else if (nsInj !== undefined) blockedBy = { reason: `namespace ${w.ns} has istio-injection: ${nsInj}`, span: nsSpan(nsObj, 'istio-injection'), key: 'istio-injection', on: 'namespace' };
  else if (nsRev) selectedBy = { reason: `namespace ${w.ns} has istio.io/rev: ${nsRev}`, span: nsSpan(nsObj, 'istio.io/rev'), key: 'istio.io/rev', on: 'namespace' };
  else if (podRev) selectedBy = { reason: `pod label istio.io/rev: ${podRev}`, span: labelSpan(w, 'labels', 'istio.io/rev'), key: 'istio.io/rev', on: 'pod' };
  else if (injLabel === 'true') selectedBy = { reason: 'pod label sidecar.istio.io/inject: "true"', span: labelSpan(w, 'labels', 'sidecar.istio.io/inject'), key: 'sidecar.istio.io/inject', on: 'pod' };

  // 2. injectRequired: the label when present, else the deprecated annotation; a non-true value opts out
  const objectSelector = injLabel !== undefined ? injLabel : injAnn;
  const optOut = objectSelector !== undefined && objectSelector !== '' && !TRUE.has(objectSelector.toLowerCase());
  const optOutWhy = optOut ? { reason: `pod ${injLabel !== undefined ? 'label' : 'annotation'} sidecar.istio.io/inject: "${objectSelector}"`, span: labelSpan(w, injLabel !== undefined ? 'labels' : 'annotations', 'sidecar.istio.io/inject'), key: 'sidecar.istio.io/inject', on: 'pod' as const } : undefined;
  if (selectedBy && !optOut) return { mode: 'sidecar', ...selectedBy, alsoAmbient };

  // 3. ambient enrolment (a sidecar opt-out does not take a pod out of ambient)
  if (amb && !('optOut' in amb)) return { mode: 'ambient', reason: amb.reason, span: amb.span, key: amb.key, on: amb.on };
  if (amb && 'optOut' in amb) return { mode: 'none', reason: amb.reason, span: amb.span, key: 'istio.io/dataplane-mode', on: 'pod' };
  if (optOutWhy) return { mode: 'none', ...optOutWhy };
  if (blockedBy) return { mode: 'none', ...blockedBy };
  if (!nsObj) return { mode: 'unknown', reason: `namespace ${w.ns} is not defined in the workspace` };
  if (injAnn !== undefined && TRUE.has(injAnn.toLowerCase())) return { mode: 'unknown', reason: `pod annotation sidecar.istio.io/inject: "${injAnn}" alone selects no injection webhook (the webhooks select by labels), and namespace ${w.ns} has no mesh label in the workspace` };
  // a Namespace without mesh labels in the repository may still be labelled by other tooling
  return { mode: 'unknown', reason: `namespace ${w.ns} has no mesh label in the workspace` };
}

/** What a Namespace's own labels ask for: sidecar injection (which label) and/or ambient enrolment. */
export function namespaceEnrolment(nsObj: K8sObject): { injection?: { key: string; value: string; span?: Span }; ambient?: { span?: Span } } {
  const l = nsObj.labels;
  const key = l['istio-injection'] === 'enabled' ? 'istio-injection' : l['istio-injection'] === undefined && l['istio.io/rev'] ? 'istio.io/rev' : undefined;
  return {
    injection: key ? { key, value: l[key], span: nsSpan(nsObj, key) } : undefined,
    ambient: l['istio.io/dataplane-mode'] === 'ambient' ? { span: nsSpan(nsObj, 'istio.io/dataplane-mode') } : undefined,
  };
}
