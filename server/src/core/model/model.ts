/**
 * The mesh model: typed views of the workspace's objects and the questions rules ask
 * (host -> Service, selector -> workloads, mesh membership, effective mTLS, callers).
 * Built once per analysis from parsed files; everything it does not see is "unknown".
 */
import type { K8sObject, SecretStub } from '../source/yaml';
import type { NgxConfig } from '../source/nginx/ast';
import type { Span, MeshConfigOverrides } from '../types';
import { computeMembership } from './membership';
import { DEFAULT_ISTIO_VERSION } from './version';
import { toPeerAuth, effectiveMtls } from './peerauth';
import { YNode, YScalar, YPair, get, str, num, seq, strMap, isMap, isScalar } from '../source/ynode';

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'Rollout', 'DeploymentConfig', 'ReplicationController']);

export interface ServicePort {
  port: number;
  name?: string;
  targetPort?: number | string;
  appProtocol?: string;
  protocol?: string;
  node: YNode;
}

export interface Service {
  obj: K8sObject;
  name: string;
  ns: string;
  /** undefined: no selector (endpoints managed elsewhere) */
  selector?: Record<string, string>;
  ports: ServicePort[];
  type?: string;
  externalName?: string;
  /** spec.clusterIP as written: an address, "None" (headless), or undefined (allocated by the cluster) */
  clusterIP?: string;
}

export interface ContainerPort {
  containerPort: number;
  name?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports: ContainerPort[];
}

export interface Workload {
  obj: K8sObject;
  kind: string;
  name: string;
  ns: string;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
  /** path from the object root to the pod template (spec.template, spec.jobTemplate.spec.template, or [] for Pod) */
  templatePath: string[];
  containers: Container[];
  serviceAccount: string;
  /** names of ConfigMaps mounted as volumes */
  configMaps: string[];
  /** spec.hostNetwork: true (never in the mesh) */
  hostNetwork?: boolean;
}

export type MeshMode = 'sidecar' | 'ambient' | 'none' | 'unknown';

export interface Membership {
  mode: MeshMode;
  /** why, for messages and hovers */
  reason: string;
  /** where the deciding label/annotation is, when in the workspace */
  span?: Span;
  /** the deciding key (for fixes), and whether it sits on the pod template or the namespace */
  key?: string;
  on?: 'pod' | 'namespace';
  /** sidecar mode, but ambient enrolment selects the pod too (the sidecar takes precedence) */
  alsoAmbient?: { reason: string; span?: Span; on: 'pod' | 'namespace' };
}

export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

export interface PeerAuth {
  obj: K8sObject;
  ns: string;
  selector?: Record<string, string>;
  /** spec.selector.matchLabels (range for selector findings) */
  selectorNode?: YNode;
  mode?: MtlsMode;
  modeNode?: YScalar;
  portLevel: { port: number; mode?: MtlsMode; keyNode: YScalar; modeNode?: YScalar }[];
  portLevelPair?: YPair;
  /** metadata.creationTimestamp (ms), when the manifest carries it */
  created?: number;
}

export interface EffectiveMtls {
  mode: MtlsMode;
  /** the policy that decided; undefined when Istio's default (PERMISSIVE) applies */
  policy?: PeerAuth;
  scope: 'default' | 'mesh' | 'namespace' | 'workload' | 'port';
  span?: Span;
  /** set when another policy of the same scope (creation order unknown) would give another mode */
  uncertain?: string;
}

export interface DestinationRule {
  obj: K8sObject;
  ns: string;
  host: string;
  hostNode?: YScalar;
  tlsMode?: string;
  tlsModeNode?: YScalar;
  exportTo?: string[];
  subsets: { name: string; labels: Record<string, string>; node: YNode }[];
}

export interface MeshConfig {
  enableAutoMtls: boolean;
  rootNamespace: string;
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Istio's Prometheus metrics merging (default true; `enablePrometheusMerge: false` turns it off) */
  enablePrometheusMerge: boolean;
  /** where enableAutoMtls was set, if in the workspace */
  autoMtlsSpan?: Span;
  /** the Istio release assumed where behaviour changed (`istioVersion` in .meshlint.yaml) */
  istioVersion: string;
  /** defaultConfig.proxyMetadata (environment of every proxy, e.g. ISTIO_META_DNS_CAPTURE), as written in the workspace */
  proxyMetadata: Record<string, string>;
  /** where proxyMetadata was set, if in the workspace */
  proxyMetadataSpan?: Span;
}

export interface NginxConf {
  file: string;
  config: NgxConfig;
  /** the ConfigMap holding it, for embedded configs */
  configMap?: K8sObject;
  key?: string;
  /** offsets map exactly (text fixes allowed) */
  exact: boolean;
  /** workloads that mount it (embedded configs) */
  workloads: Workload[];
  /** namespace it runs in, when known */
  ns?: string;
}

export type CallerKind = 'ingress' | 'nginx' | 'virtualservice' | 'httproute' | 'prometheus';

export interface Caller {
  kind: CallerKind;
  span: Span;
  service: Service;
  /** service port called, when known */
  port?: number;
  /** the calling workload(s), when known */
  from: Workload[];
  /** mesh membership of the caller */
  mesh: MeshMode;
  /** one line: "Ingress blog-ingress (ingress-nginx, outside the mesh)" */
  description: string;
  obj?: K8sObject;
}

export interface HostResolution {
  service?: Service;
  /** the namespace the host points into, when it can be told */
  ns?: string;
  /** true when the host is a cluster-local service name (short, name.ns, *.svc[.cluster.local]) */
  clusterLocal: boolean;
  /** the host's namespace is one the workspace defines (so "not found" is meaningful) */
  nsKnown: boolean;
  port?: number;
  /** Istio resolution only: `name.ns` or `name.ns.svc`, which Istio does not expand (DNS would) */
  dotted?: boolean;
}

/**
 * The shape of a host name: `name` (short), `name.x` (x may be a namespace), `name.ns.svc[.cluster.local]`,
 * or anything else (external, wildcard). Lower-cased, trailing dot and `:port` removed.
 */
/**
 * An exact-size copy of a list built by push (V8 gives a pushed-to empty array 17 slots). Views are
 * kept for every object of the workspace and their lists hold one or two entries: at 10 MB the
 * slack of ports, containers and route destinations was ~2 MB.
 */
export function exact<T>(a: T[]): T[] {
  return a.slice();
}

export function hostShape(rawHost: string): { shape: 'short' | 'two' | 'svc' | 'other'; name: string; ns?: string; port?: number } {
  let host = rawHost.trim().toLowerCase().replace(/\.$/, '');
  let port: number | undefined;
  const pm = /^(.*):(\d+)$/.exec(host);
  if (pm) {
    host = pm[1];
    port = Number(pm[2]);
  }
  const parts = host.split('.');
  if (parts.length === 1) return { shape: 'short', name: parts[0], port };
  if (parts.length === 2) return { shape: 'two', name: parts[0], ns: parts[1], port };
  if (parts[2] === 'svc' && (parts.length === 3 || parts.slice(3).join('.') === 'cluster.local')) return { shape: 'svc', name: parts[0], ns: parts[1], port };
  return { shape: 'other', name: host, port };
}

/** What makes `MeshModel.meshInUse` true (shared with the incremental planner). */
export function isMeshObject(o: K8sObject): boolean {
  if (/(^|\.)istio\.io$/.test(o.group)) return true;
  return o.kind === 'Namespace' && o.group === '' && (o.labels['istio-injection'] === 'enabled' || o.labels['istio.io/dataplane-mode'] === 'ambient' || !!o.labels['istio.io/rev']);
}

/** Workspace-wide facts handed to a model built over part of the workspace. */
export interface WorkspaceFacts {
  knownNamespaces: ReadonlySet<string>;
  meshInUse: boolean;
  /** the text of any workspace file (rules probe paths, e.g. a free name for a new file) */
  text?: (file: string) => string | undefined;
}

export function span(obj: { file: string }, n: { start: number; end: number } | undefined | null): Span | undefined {
  return n ? { file: obj.file, start: n.start, end: n.end } : undefined;
}

export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

/** The metadata `name` scalar of an object (for ranges). */
export function nameNode(obj: K8sObject): YScalar | undefined {
  const n = get(obj.root, 'metadata', 'name');
  return isScalar(n) ? n : undefined;
}

export function objSpan(obj: K8sObject): Span {
  const n = nameNode(obj);
  return n ? { file: obj.file, start: n.start, end: n.end } : { file: obj.file, start: obj.root.start, end: obj.root.start };
}

export function describeObj(obj: K8sObject): string {
  return `${obj.kind} ${obj.ns}/${obj.name}`;
}

/**
 * Per-object views (Service, Workload, PeerAuth, DestinationRule, VirtualService...) cached by
 * `K8sObject` identity across analyses: the per-file parse cache keeps the objects of unchanged
 * files, so rebuilding the model after an edit only converts the edited file's objects. A view
 * reads nothing but its own object (root, kind, name, labels, annotations) and its namespace; the
 * namespace can change between analyses (kustomize), so it is part of the key. Views are never
 * mutated; everything that depends on other objects lives in per-model caches.
 */
const viewCache = new WeakMap<K8sObject, { ns: string; views: Map<string, unknown> }>();

export function cachedView<T>(o: K8sObject, tag: string, build: (o: K8sObject) => T): T {
  let e = viewCache.get(o);
  if (!e || e.ns !== o.ns) viewCache.set(o, (e = { ns: o.ns, views: new Map() }));
  if (e.views.has(tag)) return e.views.get(tag) as T;
  const v = build(o);
  e.views.set(tag, v);
  return v;
}

export class MeshModel {
  readonly objects: K8sObject[];
  readonly byKind = new Map<string, K8sObject[]>();
  readonly services: Service[] = [];
  readonly workloads: Workload[] = [];
  readonly namespaces = new Map<string, K8sObject>();
  /** namespaces that have any object in the workspace (or a Namespace object); shared, never mutated */
  readonly knownNamespaces: ReadonlySet<string>;
  private meshInUseCache?: boolean;
  private workspaceText?: (file: string) => string | undefined;
  readonly peerAuths: PeerAuth[] = [];
  readonly destinationRules: DestinationRule[] = [];
  readonly nginx: NginxConf[];
  readonly meshConfig: MeshConfig;
  private readonly texts: Map<string, string>;
  private callersCache?: Caller[];
  private readonly serviceIndex = new Map<string, Service>();
  private readonly membershipCache = new Map<Workload, Membership>();
  // indexes for the questions rules ask per object (keeps a 50 MB workspace linear, not quadratic)
  private readonly workloadsByNs = new Map<string, Workload[]>();
  private readonly servicesByNs = new Map<string, Service[]>();
  private readonly servicesByName = new Map<string, Service[]>();
  private readonly peerAuthsByNs = new Map<string, PeerAuth[]>();
  private readonly resolveCache = new Map<string, HostResolution>();
  private callersByService?: { from: Caller[]; by: Map<Service, Caller[]> };
  private drIndex?: { byService: Map<Service, { i: number; dr: DestinationRule }[]>; wildcard: { i: number; dr: DestinationRule }[] };
  private readonly ingressControllerCache = new Map<string, { name: string; mesh: MeshMode; workload?: Workload }>();
  /** populated by nginx analysis (model/nginx.ts) */
  readonly extraCallers: Caller[] = [];
  /**
   * Secrets, SealedSecrets and cert-manager Certificates of the workspace as lean stubs (kind, namespace,
   * name, type; never their values): not objects, so they count for no namespace and no other rule
   * (model/credentials.ts answers which Secrets a namespace has)
   */
  readonly secrets: readonly SecretStub[];

  /**
   * `workspace`: facts of the whole workspace when this model is built over part of it (a partial
   * analysis, see incremental.ts): the namespaces the workspace knows and whether Istio is in use.
   */
  constructor(objects: K8sObject[], nginx: NginxConf[], texts: Map<string, string>, overrides: MeshConfigOverrides = {}, workspace?: WorkspaceFacts, secrets: readonly SecretStub[] = []) {
    this.objects = objects;
    this.secrets = secrets;
    this.nginx = nginx;
    this.texts = texts;
    for (const o of objects) {
      let list = this.byKind.get(o.kind);
      if (!list) this.byKind.set(o.kind, (list = []));
      list.push(o);
      if (o.kind === 'Namespace' && o.group === '') this.namespaces.set(o.name, o);
    }
    if (workspace) {
      this.knownNamespaces = workspace.knownNamespaces;
      this.meshInUseCache = workspace.meshInUse;
      this.workspaceText = workspace.text;
    } else {
      const known = new Set<string>();
      for (const o of objects) known.add(o.ns);
      for (const n of this.namespaces.keys()) known.add(n);
      this.knownNamespaces = known;
    }
    for (const o of this.kind('Service')) {
      if (o.group !== '') continue;
      const s = cachedView(o, 'service', (x) => this.toService(x));
      this.services.push(s);
      const key = `${s.ns}/${s.name}`;
      if (!this.serviceIndex.has(key)) this.serviceIndex.set(key, s);
    }
    for (const o of objects) {
      if (!WORKLOAD_KINDS.has(o.kind)) continue;
      const w = cachedView(o, 'workload', (x) => this.toWorkload(x));
      if (w) this.workloads.push(w);
    }
    for (const s of this.services) {
      push(this.servicesByNs, s.ns, s);
      push(this.servicesByName, s.name, s);
    }
    for (const w of this.workloads) push(this.workloadsByNs, w.ns, w);
    for (const o of this.kind('PeerAuthentication')) this.peerAuths.push(cachedView(o, 'peerAuth', toPeerAuth));
    for (const p of this.peerAuths) push(this.peerAuthsByNs, p.ns, p);
    for (const o of this.kind('DestinationRule')) this.destinationRules.push(cachedView(o, 'destinationRule', (x) => this.toDestinationRule(x)));
    this.meshConfig = this.readMeshConfig(overrides);
    for (const c of nginx) {
      if (c.configMap) {
        c.ns = c.configMap.ns;
        c.workloads = (this.workloadsByNs.get(c.configMap.ns) ?? []).filter((w) => w.configMaps.includes(c.configMap!.name));
      }
    }
  }

  /** Istio is in use: an istio.io object, or a Namespace labelled for injection or ambient. */
  get meshInUse(): boolean {
    this.meshInUseCache ??= this.objects.some((o) => isMeshObject(o));
    return this.meshInUseCache;
  }

  kind(kind: string): K8sObject[] {
    return this.byKind.get(kind) ?? [];
  }

  /** A file's text: any file of the workspace, also when the model covers only part of it. */
  text(file: string): string | undefined {
    return this.texts.get(file) ?? this.workspaceText?.(file);
  }

  get files(): string[] {
    return [...this.texts.keys()];
  }

  // ---------- construction ----------

  private toService(o: K8sObject): Service {
    const spec = get(o.root, 'spec');
    const selNode = get(spec, 'selector');
    const ports: ServicePort[] = [];
    for (const p of seq(spec, 'ports')) {
      const port = num(p, 'port');
      if (port === undefined) continue;
      const tp = get(p, 'targetPort');
      let targetPort: number | string | undefined;
      if (isScalar(tp) && tp.v !== null) targetPort = typeof tp.v === 'number' ? tp.v : /^\d+$/.test(String(tp.v)) ? Number(tp.v) : String(tp.v);
      ports.push({ port, name: str(p, 'name'), targetPort, appProtocol: str(p, 'appProtocol'), protocol: str(p, 'protocol'), node: p });
    }
    return {
      obj: o,
      name: o.name,
      ns: o.ns,
      selector: isMap(selNode) ? strMap(selNode) : undefined,
      ports: exact(ports),
      type: str(spec, 'type'),
      externalName: str(spec, 'externalName'),
      clusterIP: str(spec, 'clusterIP'),
    };
  }

  private toWorkload(o: K8sObject): Workload | undefined {
    let templatePath: string[];
    switch (o.kind) {
      case 'Pod':
        templatePath = [];
        break;
      case 'CronJob':
        templatePath = ['spec', 'jobTemplate', 'spec', 'template'];
        break;
      default:
        templatePath = ['spec', 'template'];
    }
    const tpl = templatePath.length ? get(o.root, ...templatePath) : o.root;
    if (o.kind === 'Rollout' && !isMap(tpl)) return undefined; // workloadRef rollouts: the referenced Deployment is the workload
    if (!isMap(tpl)) return undefined;
    const podSpec = get(tpl, 'spec');
    const containers: Container[] = [];
    for (const c of [...seq(podSpec, 'containers'), ...seq(podSpec, 'initContainers')]) {
      const ports: ContainerPort[] = [];
      for (const p of seq(c, 'ports')) {
        const cp = num(p, 'containerPort');
        if (cp !== undefined) ports.push({ containerPort: cp, name: str(p, 'name') });
      }
      containers.push({ name: str(c, 'name') ?? '', image: str(c, 'image'), ports: exact(ports) });
    }
    const configMaps: string[] = [];
    for (const v of seq(podSpec, 'volumes')) {
      const cm = str(v, 'configMap', 'name');
      if (cm) configMaps.push(cm);
      for (const src of seq(v, 'projected', 'sources')) {
        const pcm = str(src, 'configMap', 'name');
        if (pcm) configMaps.push(pcm);
      }
    }
    return {
      obj: o,
      kind: o.kind,
      name: o.name,
      ns: o.ns,
      podLabels: templatePath.length ? strMap(tpl, 'metadata', 'labels') : o.labels,
      podAnnotations: templatePath.length ? strMap(tpl, 'metadata', 'annotations') : o.annotations,
      templatePath,
      containers: exact(containers),
      serviceAccount: str(podSpec, 'serviceAccountName') ?? str(podSpec, 'serviceAccount') ?? 'default',
      configMaps: exact(configMaps),
      hostNetwork: str(podSpec, 'hostNetwork') === 'true',
    };
  }

  private toDestinationRule(o: K8sObject): DestinationRule {
    const spec = get(o.root, 'spec');
    const hostNode = get(spec, 'host');
    const tlsNode = get(spec, 'trafficPolicy', 'tls', 'mode');
    const exportTo = seq(spec, 'exportTo').map((n) => (isScalar(n) ? String(n.v) : '')).filter(Boolean);
    return {
      obj: o,
      ns: o.ns,
      host: str(spec, 'host') ?? '',
      hostNode: isScalar(hostNode) ? hostNode : undefined,
      tlsMode: str(tlsNode),
      tlsModeNode: isScalar(tlsNode) ? tlsNode : undefined,
      exportTo: exportTo.length ? exportTo : undefined,
      subsets: seq(spec, 'subsets').map((s) => ({ name: str(s, 'name') ?? '', labels: strMap(s, 'labels'), node: s })),
    };
  }

  private readMeshConfig(overrides: MeshConfigOverrides): MeshConfig {
    const mc: MeshConfig = { enableAutoMtls: true, rootNamespace: 'istio-system', outboundTrafficPolicy: 'ALLOW_ANY', enablePrometheusMerge: true, istioVersion: overrides.istioVersion ?? DEFAULT_ISTIO_VERSION, proxyMetadata: {} };
    const apply = (node: YNode | undefined, file: string) => {
      if (!isMap(node)) return;
      const am = get(node, 'enableAutoMtls');
      if (isScalar(am) && am.v !== null) {
        mc.enableAutoMtls = !(am.v === false || String(am.v).toLowerCase() === 'false');
        mc.autoMtlsSpan = { file, start: am.start, end: am.end };
      }
      const rn = str(node, 'rootNamespace');
      if (rn) mc.rootNamespace = rn;
      const otp = str(node, 'outboundTrafficPolicy', 'mode');
      if (otp === 'REGISTRY_ONLY' || otp === 'ALLOW_ANY') mc.outboundTrafficPolicy = otp;
      const pm = str(node, 'enablePrometheusMerge');
      if (pm !== undefined) mc.enablePrometheusMerge = pm.toLowerCase() !== 'false';
      const md = get(node, 'defaultConfig', 'proxyMetadata');
      if (isMap(md)) {
        Object.assign(mc.proxyMetadata, strMap(md));
        mc.proxyMetadataSpan = { file, start: md.start, end: md.end };
      }
    };
    for (const o of this.kind('IstioOperator')) apply(get(o.root, 'spec', 'meshConfig'), o.file);
    for (const o of this.kind('ConfigMap')) {
      if (!(o.name === 'istio' || o.name.startsWith('istio-')) || o.ns !== 'istio-system') continue;
      const mesh = get(o.root, 'data', 'mesh');
      if (!isScalar(mesh) || typeof mesh.v !== 'string') continue;
      // the mesh config is YAML inside YAML; read the few scalar keys we need without a second parser
      const txt = mesh.v;
      const am = /^enableAutoMtls:\s*(true|false)\s*$/m.exec(txt);
      if (am) mc.enableAutoMtls = am[1] === 'true';
      const rn = /^rootNamespace:\s*([\w.-]+)\s*$/m.exec(txt);
      if (rn) mc.rootNamespace = rn[1];
      if (/^outboundTrafficPolicy:\s*\n\s+mode:\s*REGISTRY_ONLY/m.test(txt)) mc.outboundTrafficPolicy = 'REGISTRY_ONLY';
      const pm = /^enablePrometheusMerge:\s*(true|false)\s*$/m.exec(txt);
      if (pm) mc.enablePrometheusMerge = pm[1] === 'true';
      // defaultConfig.proxyMetadata entries: `    KEY: "value"` lines of the proxyMetadata block
      const block = /^defaultConfig:\s*\n((?:[ \t]+.*\n?|[ \t]*\n)*)/m.exec(txt)?.[1] ?? '';
      const md = /^([ \t]+)proxyMetadata:\s*\n((?:\1[ \t]+.*\n?)*)/m.exec(block);
      if (md) {
        for (const m of md[2].matchAll(/^[ \t]+([A-Za-z_][\w.-]*):[ \t]*["']?([^"'\n#]*?)["']?[ \t]*(?:#.*)?$/gm)) mc.proxyMetadata[m[1]] = m[2];
        mc.proxyMetadataSpan = { file: o.file, start: mesh.start, end: mesh.end };
      }
    }
    if (overrides.enableAutoMtls !== undefined) mc.enableAutoMtls = overrides.enableAutoMtls;
    if (overrides.rootNamespace) mc.rootNamespace = overrides.rootNamespace;
    if (overrides.outboundTrafficPolicy) mc.outboundTrafficPolicy = overrides.outboundTrafficPolicy;
    return mc;
  }

  // ---------- questions ----------

  service(ns: string, name: string): Service | undefined {
    return this.serviceIndex.get(`${ns}/${name}`);
  }

  /**
   * Resolve a host name (as used in proxy_pass, DestinationRule.host, VirtualService hosts) to a
   * Service, from a namespace (undefined when the caller's namespace is unknown).
   */
  resolveHost(rawHost: string, fromNs?: string): HostResolution {
    // results are shared: callers treat them as read-only
    const key = fromNs === undefined ? rawHost : `${fromNs}\u0000${rawHost}`;
    let r = this.resolveCache.get(key);
    if (!r) this.resolveCache.set(key, (r = Object.freeze(this.resolveHostUncached(rawHost, fromNs))));
    return r;
  }

  private resolveHostUncached(rawHost: string, fromNs?: string): HostResolution {
    const h = hostShape(rawHost);
    const port = h.port;
    let name: string;
    let ns: string | undefined;
    let clusterLocal = false;
    if (h.shape === 'short') {
      name = h.name;
      ns = fromNs;
      clusterLocal = true;
    } else if ((h.shape === 'two' && this.knownNamespaces.has(h.ns!)) || h.shape === 'svc') {
      [name, ns] = [h.name, h.ns];
      clusterLocal = true;
    } else {
      return { clusterLocal: false, nsKnown: false, port };
    }
    if (!ns) {
      // unknown caller namespace: accept a Service name that is unique in the workspace
      const matches = this.servicesByName.get(name) ?? [];
      if (matches.length === 1) return { service: matches[0], ns: matches[0].ns, clusterLocal, nsKnown: true, port };
      return { clusterLocal, nsKnown: false, port };
    }
    return { service: this.service(ns, name), ns, clusterLocal, nsKnown: this.knownNamespaces.has(ns), port };
  }

  /**
   * Resolve a host as Istio's configuration does (VirtualService destinations, DestinationRule hosts):
   * ResolveShortnameToFQDN (pkg/config/model.go) appends `.<ns>.svc.cluster.local` only to a name
   * without a dot, so `name.ns` and `name.ns.svc` name no Kubernetes Service (they may be
   * ServiceEntry hosts). nginx's DNS lookups use resolveHost instead.
   */
  resolveIstioHost(rawHost: string, fromNs?: string): HostResolution {
    const h = hostShape(rawHost);
    if (h.shape === 'short') return this.resolveHost(rawHost, fromNs);
    if (h.shape === 'svc' && /\.svc\.cluster\.local\.?$/i.test(rawHost.trim().replace(/:\d+$/, ''))) return this.resolveHost(rawHost, fromNs);
    if (h.shape === 'two' || h.shape === 'svc') return { clusterLocal: false, nsKnown: false, port: h.port, dotted: true };
    return this.resolveHost(rawHost, fromNs);
  }

  /** Host names a caller in `fromNs` may use for the service (short only from the same namespace). */
  hostNames(s: Service, fromNs?: string): string[] {
    const names = [`${s.name}.${s.ns}`, `${s.name}.${s.ns}.svc`, `${s.name}.${s.ns}.svc.cluster.local`];
    if (fromNs === undefined || fromNs === s.ns) names.unshift(s.name);
    return names;
  }

  workloadsFor(ns: string, selector: Record<string, string> | undefined): Workload[] {
    if (!selector || Object.keys(selector).length === 0) return [];
    return (this.workloadsByNs.get(ns) ?? []).filter((w) => selects(selector, w.podLabels));
  }

  /** The Services of a namespace (an index: no scan of the workspace). */
  servicesIn(ns: string): readonly Service[] {
    return this.servicesByNs.get(ns) ?? [];
  }

  /** The workloads of a namespace (an index: no scan of the workspace). */
  workloadsIn(ns: string): readonly Workload[] {
    return this.workloadsByNs.get(ns) ?? [];
  }

  serviceWorkloads(s: Service): Workload[] {
    return this.workloadsFor(s.ns, s.selector);
  }

  servicesOf(w: Workload): Service[] {
    return (this.servicesByNs.get(w.ns) ?? []).filter((s) => s.selector && Object.keys(s.selector).length > 0 && selects(s.selector, w.podLabels));
  }

  /** Container port(s) a Service port reaches on a workload. */
  containerPort(s: Service, p: ServicePort, w: Workload): number | undefined {
    const tp = p.targetPort ?? p.port;
    if (typeof tp === 'number') return tp;
    for (const c of w.containers) for (const cp of c.ports) if (cp.name === tp) return cp.containerPort;
    return undefined;
  }

  namespaceLabels(ns: string): Record<string, string> | undefined {
    return this.namespaces.get(ns)?.labels;
  }

  membership(w: Workload): Membership {
    let m = this.membershipCache.get(w);
    if (!m) this.membershipCache.set(w, (m = computeMembership(w, this.namespaces.get(w.ns))));
    return m;
  }

  /** Is a service's backing workload in the mesh? 'unknown' when no workload is in the workspace. */
  serviceMesh(s: Service): MeshMode {
    const ws = this.serviceWorkloads(s);
    if (ws.length === 0) return 'unknown';
    const modes = new Set(ws.map((w) => this.membership(w).mode));
    if (modes.size === 1) return [...modes][0];
    return 'unknown';
  }

  /**
   * Effective PeerAuthentication mode for a workload, optionally on the port it receives on (the
   * Service targetPort). Istio's precedence lives in model/peerauth.ts.
   */
  effectiveMtls(w: Workload, containerPort?: number): EffectiveMtls {
    return effectiveMtls(this.meshConfig.rootNamespace, this.peerAuthsByNs, w, containerPort);
  }

  /** DestinationRules whose host resolves to this service (any namespace that can see it). */
  destinationRulesFor(s: Service): DestinationRule[] {
    if (!this.drIndex) {
      // non-wildcard hosts resolve to one Service: index them once; wildcards are checked per call
      const byService = new Map<Service, { i: number; dr: DestinationRule }[]>();
      const wildcard: { i: number; dr: DestinationRule }[] = [];
      this.destinationRules.forEach((dr, i) => {
        if (!dr.host) return;
        if (dr.host.startsWith('*')) return void wildcard.push({ i, dr });
        const svc = this.resolveIstioHost(dr.host, dr.ns).service;
        if (svc) push(byService, svc, { i, dr });
      });
      this.drIndex = { byService, wildcard };
    }
    const direct = this.drIndex.byService.get(s) ?? [];
    if (!this.drIndex.wildcard.length) return direct.map((x) => x.dr);
    const full = `${s.name}.${s.ns}.svc.cluster.local`;
    const wild = this.drIndex.wildcard.filter((x) => full.endsWith(x.dr.host.slice(1)));
    // keep the order of this.destinationRules
    return [...direct, ...wild].sort((a, b) => a.i - b.i).map((x) => x.dr);
  }

  /** All callers of services the workspace shows. */
  callers(): Caller[] {
    if (!this.callersCache) this.callersCache = [...this.ingressCallers(), ...this.extraCallers];
    return this.callersCache;
  }

  callersOf(s: Service): Caller[] {
    const all = this.callers();
    if (!this.callersByService || this.callersByService.from !== all) {
      const by = new Map<Service, Caller[]>();
      for (const c of all) push(by, c.service, c);
      this.callersByService = { from: all, by };
    }
    return [...(this.callersByService.by.get(s) ?? [])];
  }

  /** Ingress controller of an Ingress and whether it is in the mesh (`workload`: the controller's workload, when in the workspace). */
  ingressController(o: K8sObject): { name: string; mesh: MeshMode; workload?: Workload } {
    const key = `${str(o.root, 'spec', 'ingressClassName') ?? ''}\u0000${o.annotations['kubernetes.io/ingress.class'] ?? ''}`;
    let r = this.ingressControllerCache.get(key);
    if (!r) this.ingressControllerCache.set(key, (r = this.ingressControllerUncached(o)));
    return { ...r };
  }

  private ingressControllerUncached(o: K8sObject): { name: string; mesh: MeshMode; workload?: Workload } {
    const cls = str(o.root, 'spec', 'ingressClassName') ?? o.annotations['kubernetes.io/ingress.class'];
    let controller = cls ?? 'the default ingress controller';
    if (cls) {
      const ic = this.kind('IngressClass').find((c) => c.name === cls);
      const ctl = ic ? str(ic.root, 'spec', 'controller') : undefined;
      if (ctl) controller = ctl.replace(/^k8s\.io\//, '');
    }
    if (/istio/.test(controller)) return { name: 'Istio ingress gateway', mesh: 'sidecar' };
    // ingress controllers run outside the mesh unless the workspace shows an injected controller
    const ctlWorkload = this.workloads.find((w) => /ingress/.test(w.name) && (w.podLabels['app.kubernetes.io/name'] ?? w.name).includes(controller.split('/')[0].replace(/^nginx$/, 'ingress-nginx')));
    if (ctlWorkload) return { name: controller === 'nginx' ? 'ingress-nginx' : controller, mesh: this.membership(ctlWorkload).mode, workload: ctlWorkload };
    return { name: controller === 'nginx' ? 'ingress-nginx' : controller, mesh: 'none' };
  }

  private ingressCallers(): Caller[] {
    const out: Caller[] = [];
    for (const o of this.kind('Ingress')) {
      const ctl = this.ingressController(o);
      const backends: { node: YNode; svc?: string; port?: number; portName?: string }[] = [];
      const addBackend = (b: YNode | undefined) => {
        if (!b) return;
        const name = str(b, 'service', 'name') ?? str(b, 'serviceName');
        if (!name) return;
        const pnum = num(b, 'service', 'port', 'number') ?? num(b, 'servicePort');
        const pname = str(b, 'service', 'port', 'name') ?? (pnum === undefined ? str(b, 'servicePort') : undefined);
        const node = get(b, 'service', 'name') ?? get(b, 'serviceName')!;
        backends.push({ node, svc: name, port: pnum, portName: pname });
      };
      addBackend(get(o.root, 'spec', 'defaultBackend'));
      addBackend(get(o.root, 'spec', 'backend'));
      for (const r of seq(o.root, 'spec', 'rules')) for (const p of seq(r, 'http', 'paths')) addBackend(get(p, 'backend'));
      for (const b of backends) {
        const s = this.service(o.ns, b.svc!);
        if (!s) continue;
        let port = b.port;
        if (port === undefined && b.portName) port = s.ports.find((p) => p.name === b.portName)?.port;
        out.push({
          kind: 'ingress',
          span: { file: o.file, start: b.node.start, end: b.node.end },
          service: s,
          port,
          from: [],
          mesh: ctl.mesh,
          description: `Ingress ${o.name} (${ctl.name}${ctl.mesh === 'none' ? ', outside the mesh' : ''})`,
          obj: o,
        });
      }
    }
    return out;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

export { str, num, get, seq, strMap, isMap, isScalar };
