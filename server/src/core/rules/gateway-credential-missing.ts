import { defineRule } from './rule';
import { credentialRefs, secretFacts, mentionedOutsideSecrets, CERT_MANAGER_SHIM, CredentialRef, SecretSource } from '../model/credentials';
import { kustomizeRenames } from '../model/kustomize';
import { closeNames, closeNameFixes } from '../model/routing';

export default defineRule({
  id: 'gateway-credential-missing',
  defaultSeverity: 'information',
  description: 'An Istio Gateway server (tls.credentialName) or a Gateway API listener (tls.certificateRefs) names a TLS Secret that the namespace it is read from does not have, while the workspace manages that namespace\'s Secrets: the server or listener has no certificate and its TLS handshakes fail.',
  kinds: ['Gateway', 'Secret', 'SealedSecret', 'Certificate', 'ExternalSecret'],
  check({ model, report }) {
    const refs = credentialRefs(model);
    if (!refs.length || kustomizeRenames(model)) return;
    const facts = secretFacts(model);
    for (const ref of refs) {
      if (ref.k8s && CERT_MANAGER_SHIM.some((a) => ref.k8s!.gw.obj.annotations[a] !== undefined)) continue; // cert-manager's gateway-shim makes it
      if (facts.anywhere.has(ref.name) || mentionedOutsideSecrets(model, ref.name)) continue;
      for (const ns of ref.namespaces) {
        const here = facts.byNs.get(ns);
        // a namespace whose Secrets the workspace does not show (created by hand, by a pipeline...): unknown
        if (!here || here.opaque || here.names.has(ref.name)) continue;
        report(finding(ref, ns, here.names));
      }
    }
  },
});

function finding(ref: CredentialRef, ns: string, names: Map<string, SecretSource>) {
  const known = [...names.keys()].sort();
  const close = closeNames(ref.name, known);
  const shown = known.slice(0, 5).join(', ') + (known.length > 5 ? ', ...' : '');
  let what: string;
  let where: string;
  let file: string;
  let effect: string;
  if (ref.istio) {
    const { gw, server, workloads } = ref.istio;
    file = gw.obj.file;
    const port = server.port !== undefined ? ` (port ${server.port}${server.hosts.length ? `, ${server.hosts.slice(0, 3).map((h) => h.host).join(', ')}` : ''})` : '';
    what = `Gateway ${gw.ns}/${gw.name}, server ${server.index + 1}${port}, reads TLS credential Secret ${ref.name}`;
    const pods = [...new Set(workloads.filter((w) => w.ns === ns).map((w) => `${w.obj.kind} ${w.ns}/${w.name}`))];
    where = ref.fromWorkload ? `from namespace ${ns}, where its gateway workload runs (${pods.slice(0, 3).join(', ')}): Istio reads credentialName from the gateway proxy's namespace, not the Gateway's` : `from namespace ${ns} (named in the credential)`;
    effect = 'the gateway has no certificate for this server, so TLS handshakes to it fail';
  } else {
    const { gw, listener } = ref.k8s!;
    file = gw.obj.file;
    what = `Gateway ${gw.ns}/${gw.name}, listener ${listener}, references certificate Secret ${ref.name}`;
    where = `in namespace ${ns}${ns === gw.ns ? " (the Gateway's namespace)" : ' (certificateRefs namespace)'}`;
    effect = 'the listener is not programmed (ResolvedRefs false, InvalidCertificateRef) and serves no TLS';
  }
  const plain = ref.raw.trim() === ref.name;
  return {
    file,
    start: ref.node.start,
    end: ref.node.end,
    message: `${what} ${where}, but the workspace has no Secret ${ns}/${ref.name}, and it manages that namespace's Secrets (${known.length ? `Secrets there: ${shown}` : 'it makes Secrets there'}): no Secret, SealedSecret, ExternalSecret or cert-manager Certificate provides this one. Unless it is created outside the repository, ${effect}${close.length ? `; did you mean ${close.join(' or ')}?` : '.'}`,
    related: close.map((c) => names.get(c)!).map((src) => ({ span: { file: src.file, start: src.start, end: src.end }, message: `${src.kind} ${ns}/${src.name}${src.kind === 'Secret' ? '' : ` makes Secret ${close.find((c) => names.get(c) === src)}`}` })),
    fixes: plain ? closeNameFixes(file, ref.node, close, (c) => c, 'Secret ') : [],
  };
}
