/**
 * Objects of one kind that select a common workload (Sidecars: istioctl IST0110; PeerAuthentications:
 * Kiali KIA0003): which of them are applied together, and which workloads they share.
 */
import type { MeshModel, Workload } from './model';
import type { K8sObject } from '../source/yaml';
import { sameUnit } from './routing';

/** Two objects are applied together: different objects (not the same ns/name written twice) of one deployable unit. */
export function appliedTogether(model: MeshModel, a: { ns: string; obj: K8sObject }, b: { ns: string; obj: K8sObject }): boolean {
  return a !== b && (a.ns !== b.ns || a.obj.name !== b.obj.name) && sameUnit(model, a.obj.file, b.obj.file);
}

/** For each object selecting a workload that another object applied with it also selects: those others and the shared workloads. */
export function sharedWorkloads<T extends { ns: string; obj: K8sObject }>(model: MeshModel, byWorkload: Map<Workload, T[]>): Map<T, { others: Set<T>; workloads: Workload[] }> {
  const per = new Map<T, { others: Set<T>; workloads: Workload[] }>();
  for (const [w, group] of byWorkload) {
    if (group.length < 2) continue;
    for (const x of group) {
      const others = group.filter((o) => appliedTogether(model, x, o));
      if (!others.length) continue;
      const e = per.get(x) ?? { others: new Set(), workloads: [] };
      for (const o of others) e.others.add(o);
      e.workloads.push(w);
      per.set(x, e);
    }
  }
  return per;
}
