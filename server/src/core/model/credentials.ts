/**
 * TLS credentials of gateways: which Secret each Istio Gateway server (`tls.credentialName`,
 * `tls.credentialNames`) and each Gateway API listener (`tls.certificateRefs`) reads, from which
 * namespace, and which Secrets the workspace shows or makes there.
 *
 * Where Istio reads them (istio/istio `pilot/pkg/model/credentials/resource.go` ParseResourceName):
 * a plain `credentialName: name` is `kubernetes://name`, read from the namespace of the proxy that
 * asks, i.e. the gateway workload's namespace (not the Gateway resource's); `kubernetes://ns/name`
 * names the namespace; `kubernetes-gateway://ns/name` is what istiod writes for a Gateway API
 * listener (`pilot/pkg/config/kube/gateway/conversion.go` buildTLS/buildSecretReference: the
 * certificateRef's namespace, default the Gateway's); `builtin://` is the workload's own certificate.
 *
 * Secrets are lean stubs (source/yaml.ts SecretStub): names and types only, never values.
 */
import type { SecretStub } from '../source/yaml';
import type { YScalar } from '../source/ynode';
import { get, seq, str, isScalar } from '../source/ynode';
import { MeshModel, Workload, selects } from './model';
import { routing, IstioGateway, K8sGateway } from './routing';
import { gatewayServers, GatewayServer } from './gateway';

export interface CredentialRef {
  /** the Secret's name (any `kubernetes://` prefix removed) */
  name: string;
  /** the namespaces it is read from: the gateway workload's (one per namespace its pods run in), or a fixed one */
  namespaces: string[];
  /** the namespace came from the workload's pods, not from the reference */
  fromWorkload: boolean;
  node: YScalar;
  /** the value as written (for fixes: only plain names are replaced) */
  raw: string;
  /** an Istio Gateway server, or a Gateway API listener */
  istio?: { gw: IstioGateway; server: GatewayServer; workloads: Workload[] };
  k8s?: { gw: K8sGateway; listener: string; index: number };
}

/** Modes in which an Istio Gateway server reads no credentialName (passthrough, or the mesh certificate). */
const NO_CREDENTIAL_MODES = new Set(['PASSTHROUGH', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL']);

/**
 * A credentialName as Istio parses it: the Secret name and its namespace when the name carries one;
 * undefined for references that are not a Kubernetes Secret of this cluster (builtin://, sds://,
 * file paths, an empty name).
 */
export function parseCredentialName(raw: string): { name: string; ns?: string } | undefined {
  const v = raw.trim();
  if (!v) return undefined;
  const k8s = /^kubernetes:\/\/(.*)$/.exec(v);
  if (k8s) {
    const parts = k8s[1].split('/');
    return parts.length > 1 ? (parts[0] && parts[1] ? { ns: parts[0], name: parts[1] } : undefined) : parts[0] ? { name: parts[0] } : undefined;
  }
  const gw = /^kubernetes-gateway:\/\/([^/]+)\/([^/]+)$/.exec(v);
  if (gw) return { ns: gw[1], name: gw[2] };
  // builtin://, sds://, file-cert:/file-root: and paths are read by the proxy itself, not from a Secret
  if (v.includes('://') || v.includes('/') || v.includes(':')) return undefined;
  return { name: v };
}

const refCache = new WeakMap<MeshModel, CredentialRef[]>();

/** Every Secret reference of the workspace's gateways, with the namespaces it is read from. */
export function credentialRefs(model: MeshModel): CredentialRef[] {
  let out = refCache.get(model);
  if (out) return out;
  out = [];
  for (const gw of routing(model).gateways) {
    if (!Object.keys(gw.selector).length) continue;
    const workloads = model.workloads.filter((w) => selects(gw.selector, w.podLabels));
    const wsNs = [...new Set(workloads.map((w) => w.ns))].sort();
    for (const server of gatewayServers(gw)) {
      const tls = get(server.node, 'tls');
      if (!tls) continue;
      if (NO_CREDENTIAL_MODES.has((str(tls, 'mode') ?? '').toUpperCase())) continue;
      const nodes: YScalar[] = [];
      const one = get(tls, 'credentialName');
      if (isScalar(one) && typeof one.v === 'string') nodes.push(one);
      for (const n of seq(tls, 'credentialNames')) if (isScalar(n) && typeof n.v === 'string') nodes.push(n);
      for (const node of nodes) {
        const p = parseCredentialName(String(node.v));
        if (!p) continue;
        out.push({ name: p.name, namespaces: p.ns ? [p.ns] : wsNs, fromWorkload: !p.ns, node, raw: String(node.v), istio: { gw, server, workloads } });
      }
    }
  }
  for (const gw of routing(model).k8sGateways) {
    seq(gw.obj.root, 'spec', 'listeners').forEach((l, index) => {
      const mode = str(l, 'tls', 'mode') ?? 'Terminate';
      if (mode !== 'Terminate') return;
      // istiod's ISTIO_MUTUAL terminate mode uses the mesh certificate, not the refs
      if ((str(l, 'tls', 'options', 'gateway.istio.io/tls-terminate-mode') ?? '').toUpperCase() === 'ISTIO_MUTUAL') return;
      for (const ref of seq(l, 'tls', 'certificateRefs')) {
        const group = str(ref, 'group') ?? '';
        const kind = str(ref, 'kind') ?? 'Secret';
        const node = get(ref, 'name');
        if ((group !== '' && group !== 'core') || kind !== 'Secret' || !isScalar(node) || typeof node.v !== 'string' || !node.v) continue;
        const ns = str(ref, 'namespace') ?? gw.ns;
        out.push({ name: node.v, namespaces: [ns], fromWorkload: false, node, raw: node.v, k8s: { gw, listener: str(l, 'name') ?? `#${index + 1}`, index } });
      }
    });
  }
  refCache.set(model, out);
  return out;
}

export interface SecretSource {
  /** Secret, SealedSecret, Certificate, ExternalSecret, Ingress (cert-manager ingress-shim)... */
  kind: string;
  /** the object's own name */
  name: string;
  file: string;
  start: number;
  end: number;
}

export interface NamespaceSecrets {
  /** Secret names the workspace shows or makes in the namespace, and what provides each */
  names: Map<string, SecretSource>;
  /** an object of a kind that makes Secrets under names this model does not read (Vault, SOPS, CSI...) */
  opaque?: string;
}

export interface SecretFacts {
  byNs: Map<string, NamespaceSecrets>;
  /** names made in namespaces the workspace cannot tell (kustomize secretGenerator, ClusterExternalSecret) */
  anywhere: Map<string, string>;
}

const factCache = new WeakMap<MeshModel, SecretFacts>();

/** Annotations that make cert-manager's ingress-shim / gateway-shim create the Certificate (and so the Secret). */
export const CERT_MANAGER_SHIM = ['cert-manager.io/issuer', 'cert-manager.io/cluster-issuer', 'kubernetes.io/tls-acme'];

/** Kinds that make Secrets under names read elsewhere (SecretProviderClass.secretObjects, VaultStaticSecret.destination...). */
const OPAQUE_SECRET_KIND = /Secret|OnePasswordItem/;
const NOT_A_PRODUCER = new Set(['SecretStore', 'ClusterSecretStore', 'PushSecret']);

/** Which Secrets each namespace has, or will have from an object that makes them (stubs and objects). */
export function secretFacts(model: MeshModel): SecretFacts {
  let f = factCache.get(model);
  if (f) return f;
  f = { byNs: new Map(), anywhere: new Map() };
  const facts = f;
  const nsOf = (ns: string) => {
    let e = facts.byNs.get(ns);
    if (!e) facts.byNs.set(ns, (e = { names: new Map() }));
    return e;
  };
  const add = (ns: string, secret: string | undefined, src: SecretSource) => {
    const e = nsOf(ns);
    if (secret && !e.names.has(secret)) e.names.set(secret, src);
  };
  for (const s of model.secrets) add(s.ns, s.secretName, stubSource(s));
  for (const o of model.objects) {
    if (o.kind === 'ExternalSecret' && o.group === 'external-secrets.io') {
      const n = get(o.root, 'metadata', 'name');
      add(o.ns, str(o.root, 'spec', 'target', 'name') ?? o.name, { kind: o.kind, name: o.name, file: o.file, start: n?.start ?? o.root.start, end: n?.end ?? o.root.start });
    } else if (o.kind === 'ClusterExternalSecret' && o.group === 'external-secrets.io') {
      facts.anywhere.set(str(o.root, 'spec', 'externalSecretName') ?? o.name, `ClusterExternalSecret ${o.name}`);
    } else if (o.kind === 'Ingress' && CERT_MANAGER_SHIM.some((a) => o.annotations[a] !== undefined)) {
      // cert-manager's ingress-shim makes a Certificate per spec.tls[].secretName
      for (const t of seq(o.root, 'spec', 'tls')) {
        const n = get(t, 'secretName');
        if (isScalar(n) && typeof n.v === 'string') add(o.ns, n.v, { kind: 'Ingress', name: o.name, file: o.file, start: n.start, end: n.end });
      }
    } else if (o.group !== '' && !o.group.endsWith('.k8s.io') && !o.group.endsWith('istio.io') && OPAQUE_SECRET_KIND.test(o.kind) && !NOT_A_PRODUCER.has(o.kind)) {
      nsOf(o.ns).opaque ??= `${o.kind} ${o.ns}/${o.name}`;
    }
  }
  for (const [name, where] of kustomizeSecretGenerators(model)) facts.anywhere.set(name, where);
  factCache.set(model, f);
  return f;
}

function stubSource(s: SecretStub): SecretSource {
  return { kind: s.kind, name: s.name, file: s.file, start: s.start, end: s.end };
}

const KUSTOMIZATION = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/** `secretGenerator` names of the workspace's kustomizations (their Secrets are made at build time, with a hash suffix unless disabled). */
export function kustomizeSecretGenerators(model: MeshModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of model.files) {
    if (!KUSTOMIZATION.test(file)) continue;
    const text = model.text(file) ?? '';
    const m = /^secretGenerator:[ \t]*(?:#.*)?\n((?:[ \t-].*\n?|[ \t]*\n)*)/m.exec(text);
    if (!m) continue;
    for (const n of m[1].matchAll(/^[ \t]*-?[ \t]*name:[ \t]*["']?([A-Za-z0-9][\w.-]*)["']?/gm)) out.set(n[1], `secretGenerator of ${file}`);
  }
  return out;
}

const wordCache = new WeakMap<MeshModel, Set<string>>();

/**
 * mentionedInUnparsed (routing.ts) for Secret names: a name in a file meshlint could not read as objects
 * (a Helm template, values.yaml), leaving out files that hold only Secrets and their makers: those are
 * read (as SecretStubs), so the Secret a typo'd reference misses must not hide the finding.
 */
export function mentionedOutsideSecrets(model: MeshModel, name: string): boolean {
  let words = wordCache.get(model);
  if (!words) {
    const read = new Set<string>();
    for (const o of model.objects) read.add(o.file);
    for (const s of model.secrets) read.add(s.file);
    words = new Set();
    for (const f of model.files) {
      if (read.has(f) || !/\.(ya?ml|tpl|json)$/i.test(f)) continue;
      for (const w of model.text(f)?.match(/[A-Za-z0-9][A-Za-z0-9.-]*/g) ?? []) {
        words.add(w);
        for (const part of w.split('.')) words.add(part);
      }
    }
    wordCache.set(model, words);
  }
  return words.has(name);
}
