import { defineRule } from './rule';
import { nameNode } from '../model/model';
import { yamlText } from '../fixes/edits';
import { dirname } from '../source/files';

export default defineRule({
  id: 'missing-destination-rule',
  defaultSeverity: 'hint',
  description: 'An in-mesh service that in-mesh clients call has no DestinationRule (auto mTLS still encrypts; a DestinationRule makes client TLS explicit and holds pool/outlier policy).',
  kinds: ['Service', 'DestinationRule'],
  check({ model, report }) {
    const auto = model.meshConfig.enableAutoMtls;
    for (const s of model.services) {
      const mesh = model.serviceMesh(s);
      if (mesh !== 'sidecar' && mesh !== 'ambient') continue;
      const callers = model.callersOf(s).filter((c) => c.mesh === 'sidecar' || c.mesh === 'ambient');
      if (!callers.length) continue;
      if (model.destinationRulesFor(s).length) continue;
      const n = nameNode(s.obj);
      if (!n) continue;
      const dir = dirname(s.obj.file);
      let file = `${dir ? dir + '/' : ''}${s.name}-destinationrule.yaml`;
      for (let i = 2; model.text(file) !== undefined; i++) file = `${dir ? dir + '/' : ''}${s.name}-destinationrule-${i}.yaml`;
      const dr = {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: `${s.name}`, namespace: s.ns },
        spec: { host: `${s.name}.${s.ns}.svc.cluster.local`, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
      };
      report({
        file: s.obj.file,
        start: n.start,
        end: n.end,
        severity: auto ? undefined : 'warning',
        message: auto
          ? `Service ${s.ns}/${s.name} is called from inside the mesh (${callers.map((c) => c.description).join('; ')}) and has no DestinationRule. Auto mTLS (on by default since Istio 1.5) already upgrades these calls to mTLS; a DestinationRule with tls.mode ISTIO_MUTUAL makes client-side mTLS explicit and is where connection-pool, load-balancer and outlier-detection policy lives.`
          : `Service ${s.ns}/${s.name} is called from inside the mesh and has no DestinationRule, and the mesh config disables auto mTLS (enableAutoMtls: false): clients send plaintext unless a DestinationRule sets tls.mode ISTIO_MUTUAL.`,
        related: callers.map((c) => ({ span: c.span, message: `in-mesh caller: ${c.description}` })),
        fixes: [{ title: 'Add DestinationRule', edits: [], creates: [{ file, text: yamlText(dr) }], preferred: true }],
      });
    }
  },
});
