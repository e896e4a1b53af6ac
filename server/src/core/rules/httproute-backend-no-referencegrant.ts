import { defineRule } from './rule';
import { routing, mentionedInUnparsed } from '../model/routing';
import { objSpan } from '../model/model';
import type { MeshModel } from '../model/model';
import type { K8sObject } from '../source/yaml';
import { dirname } from '../source/files';
import { seq, str } from '../source/ynode';

const GW_GROUP = 'gateway.networking.k8s.io';

/** Does this ReferenceGrant (in the Service's namespace) let routes of kind/ns reference Service name? */
function grants(g: K8sObject, kind: string, fromNs: string, name: string): boolean {
  const from = seq(g.root, 'spec', 'from').some((f) => str(f, 'group') === GW_GROUP && str(f, 'kind') === kind && str(f, 'namespace') === fromNs);
  if (!from) return false;
  return seq(g.root, 'spec', 'to').some((t) => (str(t, 'group') ?? '') === '' && str(t, 'kind') === 'Service' && (str(t, 'name') === undefined || str(t, 'name') === name));
}

function grantsIn(model: MeshModel, ns: string): K8sObject[] {
  return model.kind('ReferenceGrant').filter((g) => g.group === GW_GROUP && g.ns === ns);
}

export default defineRule({
  id: 'httproute-backend-no-referencegrant',
  defaultSeverity: 'warning',
  description: "A Gateway API route sends to a Service in another namespace, and no ReferenceGrant in the Service's namespace allows that route kind from the route's namespace: the reference is refused (RefNotPermitted) and that backend's share of requests fails with 500.",
  kinds: ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'ReferenceGrant', 'Service'],
  check({ model, report }) {
    for (const r of routing(model).routes) {
      const kind = r.obj.kind;
      const who = `${kind} ${r.ns}/${r.obj.name}`;
      for (const b of r.backends) {
        if (b.ns === r.ns) continue;
        const s = model.service(b.ns, b.name);
        if (!s) continue; // the Service (and its namespace's grants) outside the workspace, or httproute-backend-not-found
        const inNs = grantsIn(model, b.ns);
        if (inNs.some((g) => grants(g, kind, r.ns, b.name))) continue;
        if (mentionedInUnparsed(model, 'ReferenceGrant')) continue; // a template may render the grant
        const dir = dirname(s.obj.file);
        let file = `${dir ? dir + '/' : ''}referencegrant-${r.ns}-${kind.toLowerCase()}.yaml`;
        for (let i = 2; model.text(file) !== undefined; i++) file = `${dir ? dir + '/' : ''}referencegrant-${r.ns}-${kind.toLowerCase()}-${i}.yaml`;
        const text = `apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata:\n  name: allow-${r.ns}-${kind.toLowerCase()}s\n  namespace: ${b.ns}\nspec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: ${kind}\n    namespace: ${r.ns}\n  to:\n  - group: \"\"\n    kind: Service\n    name: ${b.name}\n`;
        report({
          file: r.obj.file,
          start: b.nameNode.start,
          end: b.nameNode.end,
          message: `${who} sends traffic to Service ${b.ns}/${b.name} in another namespace, but no ReferenceGrant in namespace ${b.ns} allows ${kind}s from namespace ${r.ns} to reference it${inNs.length ? ` (${inNs.map((g) => g.name).join(', ')} ${inNs.length > 1 ? 'do' : 'does'} not)` : ''}. Cross-namespace backendRefs need the target namespace's consent: the reference is refused (ResolvedRefs=False, RefNotPermitted) and the requests it would carry fail with 500.`,
          related: [objSpan(s.obj), ...inNs.map(objSpan)].map((span, i) => ({ span, message: i === 0 ? `Service ${s.ns}/${s.name}` : `ReferenceGrant ${b.ns}/${inNs[i - 1].name}` })),
          fixes: [{ title: `Add ReferenceGrant in ${b.ns} for ${kind}s from ${r.ns}`, edits: [], creates: [{ file, text }], preferred: true }],
        });
      }
    }
  },
});
