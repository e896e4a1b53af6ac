import { defineRule } from './rule';
import { nameNode } from '../model/model';
import { yamlText } from '../fixes/edits';
import { dirname } from '../source/files';
import { destinationRuleFor } from '../model/destination';

export default defineRule({
  id: 'missing-destination-rule',
  defaultSeverity: 'hint',
  description: 'An in-mesh service that in-mesh clients call has no DestinationRule for those clients (auto mTLS still encrypts; a DestinationRule makes client TLS explicit and holds pool/outlier policy).',
  kinds: ['Service', 'DestinationRule'],
  check({ model, report }) {
    const auto = model.meshConfig.enableAutoMtls;
    for (const s of model.services) {
      const mesh = model.serviceMesh(s);
      // ambient destinations: ztunnel carries every connection over HBONE (mTLS) whatever the DestinationRule says
      if (mesh !== 'sidecar') continue;
      const host = `${s.name}.${s.ns}.svc.cluster.local`;
      // Istio picks a DestinationRule per client namespace (model/destination.ts): the callers without one
      const callers = model
        .callersOf(s)
        .filter((c) => c.mesh === 'sidecar')
        .filter((c) => (c.from.length ? c.from.map((w) => w.ns) : [s.ns]).some((ns) => !destinationRuleFor(model, host, s.ns, ns).selection));
      if (!callers.length) continue;
      const n = nameNode(s.obj);
      if (!n) continue;
      // with auto mTLS off these callers send plaintext: a STRICT port rejects it
      const strict: string[] = [];
      if (!auto) {
        for (const w of model.serviceWorkloads(s)) {
          for (const p of s.ports) {
            const cport = model.containerPort(s, p, w);
            if (cport !== undefined && model.effectiveMtls(w, cport).mode === 'STRICT' && !strict.includes(String(cport))) strict.push(String(cport));
          }
        }
      }
      const dir = dirname(s.obj.file);
      let file = `${dir ? dir + '/' : ''}${s.name}-destinationrule.yaml`;
      for (let i = 2; model.text(file) !== undefined; i++) file = `${dir ? dir + '/' : ''}${s.name}-destinationrule-${i}.yaml`;
      const dr = {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: `${s.name}`, namespace: s.ns },
        spec: { host, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
      };
      // an explicit ISTIO_MUTUAL turns auto mTLS off for this host: offered only when every pod behind it has a sidecar
      const allSidecar = model.serviceWorkloads(s).every((w) => model.membership(w).mode === 'sidecar');
      const callerList = callers.map((c) => c.description).join('; ');
      report({
        file: s.obj.file,
        start: n.start,
        end: n.end,
        severity: auto ? undefined : strict.length ? 'error' : 'warning',
        message: auto
          ? `Service ${s.ns}/${s.name} is called from inside the mesh (${callerList}) and no DestinationRule applies to these callers. Auto mTLS (on by default since Istio 1.5) already upgrades these calls to mTLS; a DestinationRule with tls.mode ISTIO_MUTUAL makes client-side mTLS explicit (and turns auto mTLS off for this host) and is where connection-pool, load-balancer and outlier-detection policy lives.`
          : strict.length
            ? `Service ${s.ns}/${s.name} is called from inside the mesh (${callerList}) with no DestinationRule, and the mesh config disables auto mTLS (enableAutoMtls: false): these sidecars send plaintext, which the STRICT mTLS on port ${strict.join(', ')} rejects (503 / connection reset).`
            : `Service ${s.ns}/${s.name} is called from inside the mesh (${callerList}) and has no DestinationRule, and the mesh config disables auto mTLS (enableAutoMtls: false): clients send plaintext unless a DestinationRule sets tls.mode ISTIO_MUTUAL.`,
        related: callers.map((c) => ({ span: c.span, message: `in-mesh caller: ${c.description}` })),
        fixes: allSidecar ? [{ title: 'Add DestinationRule (ISTIO_MUTUAL)', edits: [], creates: [{ file, text: yamlText(dr) }], preferred: true }] : [],
      });
    }
  },
});
