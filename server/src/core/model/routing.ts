/**
 * Routing facts for the mesh model: VirtualService routes and destinations, ServiceEntry hosts,
 * Istio Gateways, Gateway API Gateways/listeners and routes, and host lookups that know what the
 * workspace cannot show ("unknown", not "missing"). Built once per model and cached.
 */
import type { K8sObject } from '../source/yaml';
import { YNode, YScalar, get, str, num, seq, strMap, isMap, isScalar, isSeq } from '../source/ynode';
import { MeshModel, Service, DestinationRule, selects, cachedView, hostShape, exact } from './model';
import type { Fix, TextEdit } from '../types';
import { istioFqdn } from './destination';

export interface VsDestination {
  host: string;
  hostNode: YScalar;
  subset?: string;
  subsetNode?: YScalar;
  port?: number;
  portNode?: YScalar;
  weight?: number;
  weightNode?: YScalar;
  mirror: boolean;
  /**
   * Gateways this destination's route applies to: a match's `gateways` override the VirtualService's
   * (`mesh` when it names none); a route applies wherever any of its matches does.
   */
  gateways: string[];
}

export interface VsRoute {
  /** http, tcp or tls */
  kind: 'http' | 'tcp' | 'tls';
  index: number;
  name?: string;
  node: YNode;
  /** `route:` entries (not mirrors) */
  destinations: VsDestination[];
}

export interface GatewayRef {
  ref: string;
  node: YScalar;
}

export interface VirtualService {
  obj: K8sObject;
  ns: string;
  hosts: string[];
  gateways: GatewayRef[];
  exportTo?: string[];
  routes: VsRoute[];
  /** every destination, route entries and mirrors */
  destinations: VsDestination[];
}

export interface ServiceEntry {
  obj: K8sObject;
  ns: string;
  hosts: string[];
  exportTo?: string[];
}

export interface IstioGateway {
  obj: K8sObject;
  ns: string;
  name: string;
  selector: Record<string, string>;
  selectorNode?: YNode;
}

export interface Listener {
  name?: string;
  port?: number;
  /** allowedRoutes.namespaces.from */
  from: 'Same' | 'All' | 'Selector' | 'None';
  selector?: Record<string, string>;
  /** the selector uses matchExpressions (not evaluated: unknown) */
  selectorUnknown: boolean;
  node: YNode;
  /** spec.listeners[].protocol (HTTP, HTTPS, TLS, TCP, UDP or an implementation's own) */
  protocol?: string;
  protocolNode?: YScalar;
  /** tls.mode (Terminate when unset) */
  tlsMode?: string;
  /** allowedRoutes.kinds (group defaults to gateway.networking.k8s.io); undefined: the protocol's kinds */
  kinds?: { group: string; kind: string }[];
  kindsNode?: YNode;
}

export interface K8sGateway {
  obj: K8sObject;
  ns: string;
  name: string;
  listeners: Listener[];
}

export interface RouteParentRef {
  node: YNode;
  nameNode: YScalar;
  name: string;
  ns: string;
  nsExplicit: boolean;
  sectionName?: string;
  sectionNode?: YScalar;
  port?: number;
  portNode?: YScalar;
}

export interface RouteBackendRef {
  node: YNode;
  nameNode: YScalar;
  name: string;
  ns: string;
  port?: number;
  portNode?: YScalar;
}

export interface K8sRoute {
  obj: K8sObject;
  ns: string;
  parents: RouteParentRef[];
  backends: RouteBackendRef[];
}

export interface Routing {
  /** texts of files that produced no objects (Helm templates, skipped or broken files) */
  unparsed: string[];
  virtualServices: VirtualService[];
  serviceEntries: ServiceEntry[];
  gateways: IstioGateway[];
  k8sGateways: K8sGateway[];
  routes: K8sRoute[];
}

export const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute'];
const K8S_GW_GROUP = 'gateway.networking.k8s.io';

const cache = new WeakMap<MeshModel, Routing>();

export function routing(model: MeshModel): Routing {
  let r = cache.get(model);
  if (!r) cache.set(model, (r = build(model)));
  return r;
}

function scalars(n: YNode | undefined): YScalar[] {
  return isSeq(n) ? n.items.filter(isScalar).filter((s) => s.v !== null) : [];
}

function strList(n: YNode | undefined): string[] | undefined {
  const l = scalars(n).map((s) => String(s.v));
  return l.length ? l : undefined;
}

function destination(n: YNode | undefined, weightNode: YNode | undefined, mirror: boolean): VsDestination | undefined {
  const h = get(n, 'host');
  if (!isScalar(h) || h.v === null || String(h.v) === '') return undefined;
  const s = get(n, 'subset');
  const p = get(n, 'port', 'number');
  const w = weightNode;
  return {
    host: String(h.v),
    hostNode: h,
    subset: isScalar(s) && s.v !== null ? String(s.v) : undefined,
    subsetNode: isScalar(s) ? s : undefined,
    port: num(n, 'port', 'number'),
    portNode: isScalar(p) ? p : undefined,
    weight: isScalar(w) && typeof w.v === 'number' ? w.v : isScalar(w) && /^\d+$/.test(String(w.v)) ? Number(w.v) : undefined,
    weightNode: isScalar(w) ? w : undefined,
    mirror,
    gateways: [],
  };
}

function toVirtualService(o: K8sObject): VirtualService {
  const spec = get(o.root, 'spec');
  const gateways: GatewayRef[] = scalars(get(spec, 'gateways')).map((s) => ({ ref: String(s.v), node: s }));
  const routes: VsRoute[] = [];
  const all: VsDestination[] = [];
  const top = gateways.length ? gateways.map((g) => g.ref) : ['mesh'];
  for (const kind of ['http', 'tcp', 'tls'] as const) {
    seq(spec, kind).forEach((r, index) => {
      const matches = seq(r, 'match');
      const routeGws = matches.length ? [...new Set(matches.flatMap((m) => { const g = scalars(get(m, 'gateways')).map((x) => String(x.v)); return g.length ? g : top; }))] : top;
      const start = all.length;
      const destinations: VsDestination[] = [];
      for (const rd of seq(r, 'route')) {
        const d = destination(get(rd, 'destination'), get(rd, 'weight'), false);
        if (d) destinations.push(d);
      }
      all.push(...destinations);
      if (kind === 'http') {
        const m = destination(get(r, 'mirror'), undefined, true);
        if (m) all.push(m);
        for (const mp of seq(r, 'mirrors')) {
          const d = destination(get(mp, 'destination'), undefined, true);
          if (d) all.push(d);
        }
      }
      for (let i = start; i < all.length; i++) all[i].gateways = routeGws;
      for (const m of seq(r, 'match')) for (const g of scalars(get(m, 'gateways'))) gateways.push({ ref: String(g.v), node: g });
      routes.push({ kind, index, name: str(r, 'name'), node: r, destinations: exact(destinations) });
    });
  }
  return { obj: o, ns: o.ns, hosts: strList(get(spec, 'hosts')) ?? [], gateways: exact(gateways), exportTo: strList(get(spec, 'exportTo')), routes: exact(routes), destinations: exact(all) };
}

function toListener(l: YNode): Listener {
  const kinds = seq(l, 'allowedRoutes', 'kinds');
  const from = str(l, 'allowedRoutes', 'namespaces', 'from');
  const sel = get(l, 'allowedRoutes', 'namespaces', 'selector');
  return {
    name: str(l, 'name'),
    port: num(l, 'port'),
    from: from === 'All' || from === 'Selector' || from === 'None' ? from : 'Same',
    selector: isMap(sel) ? strMap(sel, 'matchLabels') : undefined,
    selectorUnknown: isMap(sel) && seq(sel, 'matchExpressions').length > 0,
    node: l,
    protocol: str(l, 'protocol'),
    protocolNode: isScalar(get(l, 'protocol')) ? (get(l, 'protocol') as YScalar) : undefined,
    tlsMode: str(l, 'tls', 'mode'),
    kinds: kinds.length ? kinds.map((k) => ({ group: str(k, 'group') ?? K8S_GW_GROUP, kind: str(k, 'kind') ?? '' })) : undefined,
    kindsNode: kinds.length ? get(l, 'allowedRoutes', 'kinds') : undefined,
  };
}

/** Protocols whose listeners accept no HTTPRoute or GRPCRoute in any implementation (Gateway API: HTTP and HTTPS only). */
const NON_HTTP_PROTOCOLS = new Set(['TCP', 'TLS', 'UDP']);

/**
 * Does a listener accept routes of this kind? false only when it certainly does not: its protocol is TCP,
 * TLS or UDP (for HTTPRoute/GRPCRoute), or allowedRoutes.kinds leaves the kind out. Istio's
 * GenerateSupportedKinds: HTTP/HTTPS take HTTPRoute and GRPCRoute, TCP takes TCPRoute, TLS takes TLSRoute
 * (and TCPRoute when it terminates), intersected with allowedRoutes.kinds.
 */
export function listenerAcceptsKind(l: Listener, kind: string): boolean {
  if ((kind === 'HTTPRoute' || kind === 'GRPCRoute') && l.protocol && NON_HTTP_PROTOCOLS.has(l.protocol)) return false;
  if (l.kinds && !l.kinds.some((k) => k.kind === kind && k.group === K8S_GW_GROUP)) return false;
  return true;
}

function isGatewayApi(o: K8sObject): boolean {
  return o.group === K8S_GW_GROUP;
}

function build(model: MeshModel): Routing {
  const virtualServices = model.kind('VirtualService').filter((o) => o.group.startsWith('networking.istio.io')).map((o) => cachedView(o, 'virtualService', toVirtualService));
  const serviceEntries = model.kind('ServiceEntry').map((o) => {
    const spec = get(o.root, 'spec');
    return { obj: o, ns: o.ns, hosts: strList(get(spec, 'hosts')) ?? [], exportTo: strList(get(spec, 'exportTo')) };
  });
  const gateways: IstioGateway[] = [];
  const k8sGateways: K8sGateway[] = [];
  for (const o of model.kind('Gateway')) {
    if (isGatewayApi(o)) {
      k8sGateways.push({ obj: o, ns: o.ns, name: o.name, listeners: seq(o.root, 'spec', 'listeners').map(toListener) });
    } else if (o.group.startsWith('networking.istio.io')) {
      const selNode = get(o.root, 'spec', 'selector');
      gateways.push({ obj: o, ns: o.ns, name: o.name, selector: strMap(selNode), selectorNode: selNode });
    }
  }
  const routes: K8sRoute[] = [];
  for (const kind of ROUTE_KINDS) {
    for (const o of model.kind(kind)) {
      if (!isGatewayApi(o)) continue;
      const parents: RouteParentRef[] = [];
      for (const p of seq(o.root, 'spec', 'parentRefs')) {
        const group = str(p, 'group') ?? K8S_GW_GROUP;
        const pk = str(p, 'kind') ?? 'Gateway';
        const nameNode = get(p, 'name');
        if (group !== K8S_GW_GROUP || pk !== 'Gateway' || !isScalar(nameNode) || nameNode.v === null) continue;
        const sec = get(p, 'sectionName');
        const port = get(p, 'port');
        const nsv = str(p, 'namespace');
        parents.push({
          node: p,
          nameNode,
          name: String(nameNode.v),
          ns: nsv ?? o.ns,
          nsExplicit: nsv !== undefined,
          sectionName: str(p, 'sectionName'),
          sectionNode: isScalar(sec) ? sec : undefined,
          port: num(p, 'port'),
          portNode: isScalar(port) ? port : undefined,
        });
      }
      const backends: RouteBackendRef[] = [];
      for (const r of seq(o.root, 'spec', 'rules')) {
        const refs = [...seq(r, 'backendRefs')];
        for (const f of seq(r, 'filters')) {
          const m = get(f, 'requestMirror', 'backendRef');
          if (m) refs.push(m);
        }
        for (const b of refs) {
          const group = str(b, 'group') ?? '';
          const bk = str(b, 'kind') ?? 'Service';
          const nameNode = get(b, 'name');
          if (group !== '' || bk !== 'Service' || !isScalar(nameNode) || nameNode.v === null) continue;
          const port = get(b, 'port');
          backends.push({ node: b, nameNode, name: String(nameNode.v), ns: str(b, 'namespace') ?? o.ns, port: num(b, 'port'), portNode: isScalar(port) ? port : undefined });
        }
      }
      routes.push({ obj: o, ns: o.ns, parents, backends });
    }
  }
  const withObjects = new Set(model.objects.map((o) => o.file));
  const unparsed: string[] = [];
  for (const f of model.files) {
    if (withObjects.has(f) || !/\.(ya?ml|tpl|json)$/i.test(f)) continue;
    const t = model.text(f);
    if (t) unparsed.push(t);
  }
  return { unparsed, virtualServices, serviceEntries, gateways, k8sGateways, routes };
}

// ---------- visibility and host matching ----------

/** Is a config with this exportTo (owned by ownerNs) visible from fromNs? Default: everywhere. */
export function visibleTo(exportTo: string[] | undefined, ownerNs: string, fromNs: string): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  for (const e of exportTo) {
    if (e === '*') return true;
    if (e === '.' && ownerNs === fromNs) return true;
    if (e === fromNs) return true;
  }
  return false;
}

/** exportTo of a Service (annotation networking.istio.io/exportTo). */
export function serviceExportTo(s: Service): string[] | undefined {
  const a = s.obj.annotations['networking.istio.io/exportTo'];
  if (!a) return undefined;
  const l = a.split(',').map((x) => x.trim()).filter(Boolean);
  return l.length ? l : undefined;
}

/** Istio host matching: `*.example.com` matches `a.example.com`; `*` matches everything. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h || p === '*') return true;
  if (p.startsWith('*')) {
    const suf = p.slice(1);
    if (h.startsWith('*')) return h.slice(1).endsWith(suf);
    return h.endsWith(suf);
  }
  if (h.startsWith('*')) return p.endsWith(h.slice(1));
  return false;
}

/**
 * The fully qualified name Istio uses for a host written in namespace ns: Istio's
 * ResolveShortnameToFQDN (pkg/config/model.go) expands only names without a dot, so `reviews.prod`
 * stays `reviews.prod` (unlike nginx, whose DNS search path expands it).
 */
export function fqdn(_model: MeshModel, host: string, ns: string): string {
  return istioFqdn(host, ns);
}

export type LookupStatus = 'found' | 'missing' | 'unknown';

export interface HostLookup {
  status: LookupStatus;
  service?: Service;
  serviceEntry?: ServiceEntry;
  /** namespace the host points into (cluster-local hosts) */
  ns?: string;
  /** why it is missing, for messages */
  reason?: string;
  /** a ServiceEntry or Service that defines the host but is not exported to the caller */
  hidden?: K8sObject;
  /** a dotted name (`name.ns`) that DNS would resolve to this Service but Istio does not expand */
  fqdnOf?: Service;
  dotted?: boolean;
}

/** The FQDN a DNS client (nginx) reaches: its search path expands `name.ns` too. */
function dnsFqdn(model: MeshModel, host: string, ns: string): string {
  const r = model.resolveHost(host, ns);
  if (r.clusterLocal && r.ns) return `${hostShape(host).name}.${r.ns}.svc.cluster.local`;
  return host.toLowerCase().replace(/\.$/, '');
}

/** The Istio control-plane namespace: its Services (istiod, gateways) come from the Istio install. */
export function installedElsewhere(model: MeshModel, ns: string): boolean {
  return ns === 'istio-system' || ns === model.meshConfig.rootNamespace;
}

/** A name that appears in a file meshlint could not read as objects (a Helm template, say): its objects are unknown. */
export function mentionedInUnparsed(model: MeshModel, name: string): boolean {
  if (!name) return false;
  if (/^[A-Za-z0-9-]+$/.test(name)) {
    // the words of the unread files, once per model: a lookup per name, not a scan per finding
    let words = unparsedWords.get(model);
    if (!words) {
      words = unparsedWordSet(routing(model).unparsed);
      unparsedWords.set(model, words);
    }
    return words.has(name);
  }
  const re = new RegExp(`(^|[^A-Za-z0-9-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9-]|$)`, 'm');
  return routing(model).unparsed.some((t) => re.test(t));
}
const unparsedWords = new WeakMap<MeshModel, Set<string>>();

/**
 * The word set of the unread files' texts. An edit builds a new model but rarely touches an unread
 * file: when every text is the same string as last time, the last set is reused (measured: tokenizing
 * them again was the largest cost of an edit in a workspace with thousands of findings).
 */
let lastWords: { texts: string[]; words: Set<string> } | undefined;
function unparsedWordSet(texts: string[]): Set<string> {
  const last = lastWords;
  if (last && last.texts.length === texts.length && last.texts.every((t, i) => t === texts[i])) return last.words;
  const words = new Set<string>();
  for (const t of texts) for (const w of t.match(/[A-Za-z0-9-]+/g) ?? []) words.add(w);
  lastWords = { texts, words };
  return words;
}

/**
 * Files that are applied together: the same directory, and when that directory has a
 * kustomization, only the files it lists (a kustomize build's expected output is an alternative).
 */
export function sameUnit(model: MeshModel, a: string, b: string): boolean {
  const dir = (f: string) => (f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '');
  if (a === b) return true;
  if (dir(a) !== dir(b)) return false;
  const d = dir(a);
  const k = model.text(`${d ? d + '/' : ''}kustomization.yaml`) ?? model.text(`${d ? d + '/' : ''}kustomization.yml`);
  if (k === undefined) return true;
  const base = (f: string) => f.slice(f.lastIndexOf('/') + 1);
  const listed = (f: string) => new RegExp(`^\\s*-\\s*['"]?(\\./)?${base(f).replace(/[.]/g, '\\.')}['"]?\\s*$`, 'm').test(k);
  return listed(a) && listed(b);
}

function dirOf(f: string): string {
  return f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '';
}

function kustomizationText(model: MeshModel, dir: string): string | undefined {
  const p = dir ? dir + '/' : '';
  return model.text(`${p}kustomization.yaml`) ?? model.text(`${p}kustomization.yml`) ?? model.text(`${p}Kustomization`);
}

/**
 * Is `other` part of the deployable unit of `file`? A kustomization's unit is the resources it lists;
 * otherwise the unit is the file's folder and its sibling folders (app/ beside istio/, say).
 * Other parts of a repository are alternatives or other applications, not what this file is applied with.
 */
export function inUnit(model: MeshModel, file: string, other: string): boolean {
  if (file === other) return true;
  const d = dirOf(file);
  const k = kustomizationText(model, d);
  if (k !== undefined) {
    if (!other.startsWith(d ? d + '/' : '')) return false;
    const rel = other.slice(d ? d.length + 1 : 0);
    const first = rel.split('/')[0];
    return new RegExp(`^\\s*-\\s*['"]?(\\./)?(${rel.replace(/[.]/g, '\\.')}|${first.replace(/[.]/g, '\\.')}/?)['"]?\\s*$`, 'm').test(k);
  }
  const parent = dirOf(d);
  return parent === '' ? true : other.startsWith(parent + '/');
}

/** Does the deployable unit of `file` show the applications of this namespace (at least one Service)? */
export function namespaceDefinesServices(model: MeshModel, ns: string, file?: string): boolean {
  const svcs = model.servicesIn(ns);
  if (file === undefined) return svcs.length > 0;
  // inUnit depends on the file's folder only: answer once per (namespace, folder)
  let memo = definesMemo.get(model);
  if (!memo) definesMemo.set(model, (memo = new Map()));
  const key = ns + '\u0000' + dirOf(file);
  let r = memo.get(key);
  if (r === undefined) memo.set(key, (r = svcs.some((s) => inUnit(model, file, s.obj.file))));
  return r;
}

const seIndex = new WeakMap<MeshModel, { exact: Map<string, ServiceEntry[]>; wild: ServiceEntry[]; order: Map<ServiceEntry, number> }>();

/** ServiceEntries that may define one of `hosts` (exact hosts from an index, wildcard entries always), in workspace order. */
function serviceEntriesFor(model: MeshModel, hosts: string[]): ServiceEntry[] {
  let idx = seIndex.get(model);
  if (!idx) {
    idx = { exact: new Map(), wild: [], order: new Map() };
    const all = routing(model).serviceEntries;
    all.forEach((se, i) => {
      idx!.order.set(se, i);
      let wild = false;
      for (const h of new Set(se.hosts.map((x) => x.toLowerCase()))) {
        if (h.includes('*')) wild = true;
        else {
          const l = idx!.exact.get(h);
          if (l) l.push(se);
          else idx!.exact.set(h, [se]);
        }
      }
      if (wild) idx!.wild.push(se);
    });
    seIndex.set(model, idx);
  }
  const out = new Set<ServiceEntry>();
  for (const h of hosts) for (const se of idx.exact.get(h.toLowerCase()) ?? []) out.add(se);
  for (const se of idx.wild) out.add(se);
  return [...out].sort((a, b) => idx!.order.get(a)! - idx!.order.get(b)!);
}

const definesMemo = new WeakMap<MeshModel, Map<string, boolean>>();
const namesMemo = new WeakMap<MeshModel, Map<string, string[]>>();

/** The Service names of a namespace, for closest-name suggestions (computed once per namespace). */
export function serviceNamesIn(model: MeshModel, ns: string): string[] {
  let memo = namesMemo.get(model);
  if (!memo) namesMemo.set(model, (memo = new Map()));
  let r = memo.get(ns);
  if (!r) memo.set(ns, (r = [...new Set(model.servicesIn(ns).map((s) => s.name))]));
  return r;
}

/**
 * Look a host up as Istio's registry would from namespace fromNs: Services (with their exportTo
 * annotation) and ServiceEntries (with exportTo). 'missing' only when the workspace shows the
 * namespace's services (cluster-local hosts) or shows a definition that is not exported to fromNs;
 * wildcards and external hosts without a ServiceEntry are 'unknown'.
 */
export function lookupHost(model: MeshModel, host: string, fromNs: string, fromFile?: string, names: 'istio' | 'dns' = 'istio'): HostLookup {
  if (!host || host.includes('*')) {
    const se = routing(model).serviceEntries.find((e) => visibleTo(e.exportTo, e.ns, fromNs) && e.hosts.some((h) => hostMatches(h, host)));
    return se ? { status: 'found', serviceEntry: se } : { status: 'unknown' };
  }
  const full = names === 'dns' ? dnsFqdn(model, host, fromNs) : fqdn(model, host, fromNs);
  let hidden: K8sObject | undefined;
  for (const se of serviceEntriesFor(model, [full, host])) {
    if (!se.hosts.some((h) => hostMatches(h, full) || hostMatches(h, host))) continue;
    if (visibleTo(se.exportTo, se.ns, fromNs)) return { status: 'found', serviceEntry: se };
    hidden ??= se.obj;
  }
  const r = names === 'dns' ? model.resolveHost(host, fromNs) : model.resolveIstioHost(host, fromNs);
  if (r.dotted && !r.service) {
    // `name.ns` / `name.ns.svc`: DNS would find the Service, Istio's config does not
    const dns = model.resolveHost(host, fromNs);
    if (dns.service) return { status: 'missing', ns: dns.ns, fqdnOf: dns.service, dotted: true, reason: `Istio expands only host names without a dot, so ${host} is not ${dns.service.name}.${dns.service.ns}.svc.cluster.local; write the full name` };
    if (dns.clusterLocal && dns.ns && dns.nsKnown && namespaceDefinesServices(model, dns.ns, fromFile) && !installedElsewhere(model, dns.ns) && !mentionedInUnparsed(model, host.split('.')[0])) return { status: 'missing', ns: dns.ns, dotted: true, reason: `no Service ${host.split('.')[0]} in namespace ${dns.ns}, and Istio would not expand ${host} anyway` };
    return { status: 'unknown', ns: dns.ns };
  }
  if (r.service) {
    if (visibleTo(serviceExportTo(r.service), r.service.ns, fromNs)) return { status: 'found', service: r.service, ns: r.ns };
    return { status: 'missing', ns: r.ns, hidden: r.service.obj, reason: `Service ${r.service.ns}/${r.service.name} is not exported to namespace ${fromNs} (annotation networking.istio.io/exportTo: ${r.service.obj.annotations['networking.istio.io/exportTo']})` };
  }
  if (hidden) return { status: 'missing', hidden, reason: `ServiceEntry ${hidden.ns}/${hidden.name} defines it but is not exported to namespace ${fromNs}` };
  if (r.clusterLocal && r.ns && r.nsKnown && namespaceDefinesServices(model, r.ns, fromFile) && !installedElsewhere(model, r.ns) && !mentionedInUnparsed(model, host.split('.')[0])) return { status: 'missing', ns: r.ns, reason: `no Service ${host.split('.')[0]} in namespace ${r.ns}` };
  return { status: 'unknown', ns: r.ns };
}

/** DestinationRules that apply to a host (as written in namespace fromNs) and are visible there. */
export function destinationRulesForHost(model: MeshModel, host: string, fromNs: string): DestinationRule[] {
  const full = fqdn(model, host, fromNs);
  // indexed by the DestinationRule's FQDN once per model (a per-call scan is quadratic on large workspaces)
  let idx = drHostIndex.get(model);
  if (!idx) {
    idx = { exact: new Map(), wildcard: [] };
    model.destinationRules.forEach((dr, i) => {
      if (!dr.host || get(dr.obj.root, 'spec', 'workloadSelector')) return;
      const drFull = fqdn(model, dr.host, dr.ns);
      const e = { i, dr, drFull };
      if (drFull.startsWith('*')) idx!.wildcard.push(e);
      const l = idx!.exact.get(drFull);
      if (l) l.push(e);
      else idx!.exact.set(drFull, [e]);
    });
    drHostIndex.set(model, idx);
  }
  const hits = [...(idx.exact.get(full) ?? [])];
  for (const e of idx.wildcard) if (e.drFull !== full && hostMatches(e.drFull, full)) hits.push(e);
  if (idx.wildcard.length) hits.sort((a, b) => a.i - b.i);
  return hits.filter((e) => visibleTo(e.dr.exportTo, e.dr.ns, fromNs)).map((e) => e.dr);
}

const drHostIndex = new WeakMap<MeshModel, { exact: Map<string, { i: number; dr: DestinationRule; drFull: string }[]>; wildcard: { i: number; dr: DestinationRule; drFull: string }[] }>();

// ---------- close names ----------

export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n];
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Edit distance when it is at most `limit`, else any value above `limit` (stops once every cell of a row exceeds it). */
export function boundedDistance(a: string, b: string, limit: number): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > limit) return limit + 1;
  if (rowA.length <= n) {
    rowA = new Int32Array(n + 1);
    rowB = new Int32Array(n + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[n];
}

/** Candidates close to name (edit distance within a third of the length, at least 2), closest first. */
export function closeNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  const scored: { c: string; d: number }[] = [];
  for (const c of new Set(candidates)) {
    if (c === name) continue;
    const contains = Math.min(c.length, name.length) >= 3 && (c.includes(name) || name.includes(c));
    // the distance is at least the length difference: a candidate too long or too short can only qualify by containment
    if (!contains && Math.abs(c.length - name.length) > limit) continue;
    const cl = c.toLowerCase();
    const d = contains ? editDistance(lower, cl) : boundedDistance(lower, cl, limit);
    if (d <= limit || contains) scored.push({ c, d });
  }
  scored.sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1));
  return scored.slice(0, max).map((s) => s.c);
}

/** Workload labels set at runtime by controllers or the scheduler (not in pod templates). */
export const RUNTIME_LABEL = /^(pod-template-hash|rollouts-pod-template-hash|controller-revision-hash|statefulset\.kubernetes\.io\/pod-name|apps\.kubernetes\.io\/pod-index|batch\.kubernetes\.io\/|job-name|controller-uid|topology\.kubernetes\.io\/|topology\.istio\.io\/|kubernetes\.io\/hostname|failure-domain\.beta\.kubernetes\.io\/|security\.istio\.io\/tlsMode|service\.istio\.io\/canonical-)/;

/** Pod labels of the workloads behind a Service that also carry these subset labels (runtime labels ignored). */
export function subsetSelects(labels: Record<string, string>, podLabels: Record<string, string>): boolean {
  const static_: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!RUNTIME_LABEL.test(k)) static_[k] = v;
  if (Object.keys(static_).length === 0) return true;
  return selects(static_, podLabels);
}

/** Gateway names and workloads that an IstioOperator/Helm install in the workspace would create (label sets). */
export function installedGatewayLabels(model: MeshModel): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const o of model.kind('IstioOperator')) {
    for (const key of ['ingressGateways', 'egressGateways']) {
      for (const g of seq(o.root, 'spec', 'components', key)) {
        if (str(g, 'enabled') === 'false') continue;
        const name = str(g, 'name') ?? (key === 'ingressGateways' ? 'istio-ingressgateway' : 'istio-egressgateway');
        const labels = strMap(g, 'label');
        const dflt = key === 'ingressGateways' ? { app: 'istio-ingressgateway', istio: 'ingressgateway' } : { app: 'istio-egressgateway', istio: 'egressgateway' };
        out.push({ ...(name === dflt.app ? dflt : { app: name, istio: name.replace(/^istio-/, '') }), ...labels });
      }
    }
  }
  return out;
}

/** An edit replacing a scalar's value, keeping its quoting style. */
export function replaceScalar(file: string, node: YScalar, value: string): TextEdit {
  const q = node.style === 'double' ? '"' : node.style === 'single' ? "'" : '';
  const plainSafe = /^[A-Za-z0-9_.\/-][A-Za-z0-9_.\/:-]*$/.test(value);
  const quote = q || (plainSafe ? '' : '"');
  return { file, start: node.start, end: node.end, newText: quote + value + quote };
}

/** One fix per close candidate: "Use <candidate>" replacing the scalar. */
export function closeNameFixes(file: string, node: YScalar, candidates: string[], render: (c: string) => string = (c) => c, what = ''): Fix[] {
  return candidates.map((c, i) => ({ title: `Use ${what}${render(c)}`, edits: [replaceScalar(file, node, render(c))], preferred: i === 0 && candidates.length === 1 }));
}
