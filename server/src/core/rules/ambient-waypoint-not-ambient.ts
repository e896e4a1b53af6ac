import { defineRule } from './rule';
import { waypointUses, isGatewayWorkload, USE_WAYPOINT } from '../model/waypoint';
import { kustomizeLabelKeys } from '../model/kustomize';
import type { Membership, Workload } from '../model/model';

/** Membership decided by the pod template alone (no Namespace object needed to know it is not ambient). */
function decidedByPod(w: Workload, m: Membership): boolean {
  if (w.hostNetwork) return true;
  if (m.mode === 'sidecar' && /kube-inject/.test(m.reason)) return true;
  return m.mode === 'none' && m.key === 'istio.io/dataplane-mode' && m.on === 'pod';
}

export default defineRule({
  id: 'ambient-waypoint-not-ambient',
  defaultSeverity: 'warning',
  description: 'A pod template (or Pod) carries istio.io/use-waypoint but its workload is not in ambient mode (a sidecar, istio.io/dataplane-mode: none, or no ambient label on the pod or its Namespace): ztunnel does not capture the pods, so the label puts no waypoint in front of them.',
  kinds: ['Namespace', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Rollout', 'Pod'],
  check({ model, report }) {
    const uses = waypointUses(model).filter((u) => u.on === 'pod' && u.workload);
    if (!uses.length) return;
    // a kustomization may add the ambient label to what it renders: the files do not show the enrolment
    if (kustomizeLabelKeys(model).has('istio.io/dataplane-mode')) return;
    for (const u of uses) {
      const w = u.workload!;
      if (isGatewayWorkload(w)) continue;
      const m = model.membership(w);
      if (m.mode === 'ambient') continue;
      // both sidecar and ambient labels: sidecar-and-ambient reports the cause
      if (m.alsoAmbient) continue;
      // the namespace's labels must be known to say the pods are not enrolled
      if (!model.namespaces.has(w.ns) && !decidedByPod(w, m)) continue;
      const why = m.mode === 'unknown' ? `neither its pod template nor Namespace ${w.ns} in the workspace has istio.io/dataplane-mode: ambient` : m.mode === 'sidecar' ? `its pods get a sidecar: ${m.reason}, and a sidecar takes precedence over ambient` : `it is outside the mesh: ${m.reason}`;
      const sidecarNote = m.mode === 'sidecar' ? ' Its sidecar already applies L7 routing and AuthorizationPolicies selecting it; a waypoint serves ambient workloads only.' : '';
      report({
        file: u.obj.file,
        start: u.node.start,
        end: u.node.end,
        message: `${w.kind === 'Pod' ? `Pod ${w.ns}/${w.name}` : `The pod template of ${w.kind} ${w.ns}/${w.name}`} has ${USE_WAYPOINT}: ${u.name}, but the workload is not in ambient mode (${why}). ztunnel does not capture these pods, so the label puts no waypoint in the path of their traffic: sidecars, gateways and clients outside the mesh connect straight to the pods, and the HTTPRoutes and L7 policies of waypoint ${u.ns}/${u.name} do not apply to them.${sidecarNote} Enrol the workload in ambient mode (istio.io/dataplane-mode: ambient on its namespace or pods, without sidecar injection) or remove the label.`,
        related: m.span ? [{ span: m.span, message: m.mode === 'sidecar' ? 'sidecar injection is enabled here' : 'the pods are kept out of ambient here' }] : undefined,
      });
    }
  },
});
