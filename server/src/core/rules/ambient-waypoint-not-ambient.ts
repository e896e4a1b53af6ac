import { defineRule } from './rule';
import { waypointUses, notAmbientForWaypoint, USE_WAYPOINT } from '../model/waypoint';

export default defineRule({
  id: 'ambient-waypoint-not-ambient',
  defaultSeverity: 'warning',
  description: 'A pod template (or Pod) carries istio.io/use-waypoint but its workload is not in ambient mode (a sidecar, istio.io/dataplane-mode: none, or no ambient label on the pod or its Namespace): ztunnel does not capture the pods, so the label puts no waypoint in front of them.',
  kinds: ['Namespace', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Rollout', 'Pod'],
  check({ model, report }) {
    for (const u of waypointUses(model)) {
      if (u.on !== 'pod' || !u.workload) continue;
      const w = u.workload;
      const m = notAmbientForWaypoint(model, w);
      if (!m) continue;
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
