import { defineRule } from './rule';
import { waypointUses, waypointGateways, k8sGatewayNamed, USE_WAYPOINT_NS } from '../model/waypoint';
import { kustomizeRenames } from '../model/kustomize';
import { mentionedInUnparsed, closeNames, installedElsewhere } from '../model/routing';

export default defineRule({
  id: 'ambient-waypoint-not-found',
  defaultSeverity: 'warning',
  description: 'An istio.io/use-waypoint label on a Namespace, Service or pod template names a waypoint Gateway that is not in the workspace, while the workspace defines its waypoints (Gateways of class istio-waypoint): no waypoint is put in the path, so the L7 routes and policies meant for it do not apply.',
  kinds: ['Namespace', 'Service', 'Gateway'],
  check({ model, report }) {
    // waypoints are often created with `istioctl waypoint apply`: only a workspace that manages its own waypoint Gateways can tell a missing one
    const waypoints = waypointGateways(model);
    if (!waypoints.length || kustomizeRenames(model)) return;
    for (const u of waypointUses(model)) {
      if (k8sGatewayNamed(model, u.ns, u.name)) continue; // any Gateway class may serve as a waypoint
      // the waypoint's namespace must be one the workspace shows; the Istio install namespace only when it keeps waypoints here
      if (!model.knownNamespaces.has(u.ns)) continue;
      const here = waypoints.filter((g) => g.ns === u.ns);
      if (installedElsewhere(model, u.ns) && !here.length) continue;
      if (mentionedInUnparsed(model, u.name)) continue;
      const close = closeNames(u.name, here.map((g) => g.name));
      const what = u.on === 'namespace' ? `Namespace ${u.obj.name}` : u.on === 'service' ? `Service ${u.obj.ns}/${u.obj.name}` : `the pod template of ${u.obj.kind} ${u.obj.ns}/${u.obj.name}`;
      const known = waypoints.slice(0, 5).map((g) => `${g.ns}/${g.name}`).join(', ') + (waypoints.length > 5 ? ', ...' : '');
      report({
        file: u.obj.file,
        start: u.node.start,
        end: u.node.end,
        message: `${what} uses waypoint ${u.ns}/${u.name} (istio.io/use-waypoint${u.nsNode ? `, namespace from ${USE_WAYPOINT_NS}` : ''}), but no Gateway ${u.name} exists in namespace ${u.ns} in the workspace (its waypoints are ${known}). istiod finds no waypoint for it, so ztunnel sends the traffic without one: HTTPRoutes, AuthorizationPolicies and other L7 policies attached to the waypoint or this resource with targetRefs/parentRefs are not applied${close.length ? `; did you mean ${close.join(' or ')}?` : '.'}`,
      });
    }
  },
});
