/**
 * Workload-level PeerAuthentications (a non-empty `selector.matchLabels`, outside the root namespace)
 * that select the same workload. Istio composes at most one workload-level policy per workload:
 * `pilot/pkg/security/authn/policy_applier.go` `ComposePeerAuthentication` keeps, among the workload
 * policies that match the pod, the one with the earliest `CreationTimestamp` ("When there are more than
 * one policy in the same scope (i.e workload-level), the oldest one win"), over a list that
 * `pilot/pkg/model` `sortConfigByCreationTime` has sorted by creation time, then name, then namespace.
 * The others are ignored for that workload: their mode and their portLevelMtls alike. A selector policy
 * in the root namespace is neither mesh-wide nor a workload policy (ignored), and a selector policy next
 * to the namespace-wide one is ordinary precedence, not a conflict.
 */
import type { MeshModel, PeerAuth, Workload } from './model';
import { hasSelector } from './peerauth';
import { sharedWorkloads } from './overlap';

export interface WorkloadPolicyConflict {
  policy: PeerAuth;
  /** other selector policies of the same deployable unit that select a workload this one selects */
  others: PeerAuth[];
  /** the workloads selected by this policy and another */
  workloads: Workload[];
}

const cache = new WeakMap<MeshModel, WorkloadPolicyConflict[]>();

/**
 * Selector PeerAuthentications whose selectors match a common workload of the workspace (Kiali KIA0003).
 * Workloads that run no proxy at all (mesh mode 'none': hostNetwork, ignored namespaces, opted out) are
 * left out: no policy applies to them, so nothing conflicts.
 */
export function workloadPolicyConflicts(model: MeshModel): WorkloadPolicyConflict[] {
  let out = cache.get(model);
  if (out) return out;
  out = [];
  const root = model.meshConfig.rootNamespace;
  const byWorkload = new Map<Workload, PeerAuth[]>();
  for (const pa of model.peerAuths) {
    if (!hasSelector(pa) || pa.ns === root) continue;
    for (const w of model.workloadsFor(pa.ns, pa.selector)) {
      if (model.membership(w).mode === 'none') continue;
      const l = byWorkload.get(w) ?? [];
      l.push(pa);
      byWorkload.set(w, l);
    }
  }
  const per = sharedWorkloads(model, byWorkload);
  for (const pa of model.peerAuths) {
    const e = per.get(pa);
    if (e) out.push({ policy: pa, others: [...e.others], workloads: e.workloads });
  }
  cache.set(model, out);
  return out;
}

/**
 * The policy Istio keeps among several of one scope when every one carries metadata.creationTimestamp:
 * the oldest, ties broken by name (then namespace), as `sortConfigByCreationTime` orders them.
 * undefined when some manifest lacks the timestamp (the order then depends on when they were applied).
 */
export function istioOldest(cands: readonly PeerAuth[]): PeerAuth | undefined {
  if (!cands.length || !cands.every((c) => c.created !== undefined)) return undefined;
  // Kubernetes stores creationTimestamp in whole seconds
  const sec = (p: PeerAuth) => Math.floor(p.created! / 1000);
  return [...cands].sort((a, b) => sec(a) - sec(b) || (a.obj.name < b.obj.name ? -1 : a.obj.name > b.obj.name ? 1 : 0) || (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0))[0];
}
