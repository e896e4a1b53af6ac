import { defineRule } from './rule';
import { routing, installedGatewayLabels } from '../model/routing';
import { selects } from '../model/model';

export default defineRule({
  id: 'gateway-selector-no-workload',
  defaultSeverity: 'information',
  description: "An Istio Gateway's selector matches no gateway workload in the workspace (the ingress gateway may be installed elsewhere).",
  kinds: ['Gateway', 'Deployment', 'Pod', 'IstioOperator'],
  check({ model, report }) {
    const installed = installedGatewayLabels(model);
    for (const gw of routing(model).gateways) {
      const sel = gw.selector;
      if (!gw.selectorNode || !Object.keys(sel).length) continue;
      // Istio gateways select workloads in any namespace unless PILOT_SCOPE_GATEWAY_TO_NAMESPACE is set
      if (model.workloads.some((w) => selects(sel, w.podLabels))) continue;
      if (installed.some((l) => selects(sel, l))) continue;
      const text = Object.entries(sel).map(([k, v]) => `${k}: ${v}`).join(', ');
      report({
        file: gw.obj.file,
        start: gw.selectorNode.start,
        end: gw.selectorNode.end,
        message: `Gateway ${gw.ns}/${gw.name} selects gateway pods labelled ${text}, and no workload in the workspace carries these labels. The gateway deployment may be installed elsewhere (istioctl, a Helm chart such as istio/gateway); if not, no proxy serves this Gateway and its routes never apply.`,
      });
    }
  },
});
