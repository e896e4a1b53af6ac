import { defineRule } from './rule';
import { ineffectiveSidecars, describeSidecar } from '../model/sidecar';

export default defineRule({
  id: 'sidecar-resource-ambient',
  defaultSeverity: 'warning',
  description: 'A Sidecar resource applies to workloads in ambient mode (an ambient namespace, or selected pods enrolled in ambient): they have no sidecar proxy, so it has no effect.',
  kinds: ['Sidecar', 'Namespace'],
  check({ model, report }) {
    for (const x of ineffectiveSidecars(model)) {
      const sc = x.sidecar;
      const at = sc.selector && sc.selectorNode ? { start: sc.selectorNode.start, end: sc.selectorNode.end } : { start: sc.span.start, end: sc.span.end };
      report({
        file: sc.obj.file,
        ...at,
        message: `Sidecar ${describeSidecar(sc)} has no effect: ${x.reason}. A Sidecar resource configures sidecar proxies only and ambient workloads have none, so its egress hosts, ingress listeners and outbound traffic policy apply to nothing. Remove it, or enrol the workloads for sidecar injection if they need it.`,
        related: x.span ? [{ span: x.span, message: 'ambient mode is enabled here' }] : undefined,
      });
    }
  },
});
