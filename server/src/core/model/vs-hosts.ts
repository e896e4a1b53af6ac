/**
 * VirtualService hosts as the sidecars see them: which VirtualServices bound to the `mesh` gateway
 * claim the same host for a common namespace.
 *
 * Istio merges VirtualServices for one host only on gateways; for sidecars (the `mesh` gateway) two
 * VirtualServices with the same host make the route table undefined. istioctl analyze IST0109
 * (`pkg/config/analysis/analyzers/virtualservice/conflictingmeshgatewayhosts.go`, initMeshGatewayHosts):
 * a VirtualService is bound to mesh when `spec.gateways` is empty or lists `mesh` (match-level gateways are
 * not read); its hosts are scoped by exportTo (none or `*`: every namespace; `.` is its own namespace);
 * short hosts become `name.<ns>.svc.cluster.local` (util.ConvertHostToFQDN; wildcards and dotted names are
 * kept as written).
 */
import { YScalar, get, isScalar, isSeq, seq } from '../source/ynode';
import type { MeshModel } from './model';
import { VirtualService, IstioGateway, routing, sameUnit, hostMatches } from './routing';
import { GatewayServer, gatewayServers } from './gateway';
import { sidecars } from './sidecar';
import { fqdnNamespace } from './destination';

/** util.ConvertHostToFQDN: only names without a dot and not starting with `*` are expanded. */
export function analyzerFqdn(host: string, ns: string): string {
  return !host.startsWith('*') && !host.includes('.') ? `${host}.${ns}.svc.cluster.local` : host;
}

/** The VirtualService applies to sidecars: no `spec.gateways`, or `mesh` among them. */
export function boundToMesh(vs: VirtualService): boolean {
  const top = seq(vs.obj.root, 'spec', 'gateways').filter(isScalar).map((s) => String(s.v));
  return top.length === 0 || top.includes('mesh');
}

/** Namespaces the VirtualService is visible in: `['*']` for all (no exportTo, or `*` among them). */
export function exportScope(vs: VirtualService): string[] {
  const e = vs.exportTo;
  if (!e || e.length === 0 || e.includes('*')) return ['*'];
  return [...new Set(e.map((x) => (x === '.' ? vs.ns : x)))];
}

function commonNamespaces(a: string[], b: string[]): string[] {
  if (a.includes('*')) return b;
  if (b.includes('*')) return a;
  return a.filter((x) => b.includes(x));
}

/** `spec.hosts` scalars of a VirtualService (ranges of findings). */
export function hostNodes(vs: VirtualService): YScalar[] {
  const h = get(vs.obj.root, 'spec', 'hosts');
  return isSeq(h) ? h.items.filter(isScalar).filter((s) => s.v !== null && String(s.v) !== '') : [];
}

/**
 * Does a namespace-wide Sidecar of `ns` keep this host out of the namespace's proxies? Its egress hosts
 * (`namespace/dnsName`) must name the host's namespace (or `*`, or `.` for the Sidecar's own) and a
 * matching dnsName; Kiali skips KIA1106 for hosts the Sidecar does not import.
 */
function notImported(model: MeshModel, ns: string, host: string): boolean {
  const sc = sidecars(model).find((s) => s.ns === ns && !s.selector);
  if (!sc) return false;
  const egress = seq(sc.obj.root, 'spec', 'egress');
  if (!egress.length) return false;
  const hostNs = fqdnNamespace(host);
  for (const e of egress) {
    for (const h of seq(e, 'hosts').filter(isScalar)) {
      const v = String(h.v ?? '');
      const i = v.indexOf('/');
      if (i < 0) return false; // not the namespace/dnsName form: do not guess
      const n = v.slice(0, i);
      const dns = v.slice(i + 1);
      const nsOk = n === '*' || (hostNs !== undefined ? n === hostNs || (n === '.' && hostNs === ns) : n !== '~');
      if (nsOk && hostMatches(dns, host)) return false;
    }
  }
  return true;
}

export interface MeshHostConflict {
  vs: VirtualService;
  hostNode: YScalar;
  /** the FQDN both claim */
  host: string;
  others: { vs: VirtualService; hostNode: YScalar }[];
  /** namespaces whose sidecars see both */
  namespaces: string[];
}

const cache = new WeakMap<MeshModel, MeshHostConflict[]>();

/**
 * VirtualServices bound to mesh that claim the same host (after FQDN expansion, written identically)
 * for a common namespace, within one deployable unit. The same ns/name written twice is one object
 * (alternatives); a host that the namespace-wide Sidecar of every common namespace does not import is
 * left out.
 */
export function meshHostConflicts(model: MeshModel): MeshHostConflict[] {
  let out = cache.get(model);
  if (out) return out;
  out = [];
  const entries: { vs: VirtualService; node: YScalar; host: string; scope: string[] }[] = [];
  for (const vs of routing(model).virtualServices) {
    if (!boundToMesh(vs)) continue;
    const scope = exportScope(vs);
    const seen = new Set<string>();
    for (const n of hostNodes(vs)) {
      const host = analyzerFqdn(String(n.v), vs.ns);
      if (seen.has(host)) continue;
      seen.add(host);
      entries.push({ vs, node: n, host, scope });
    }
  }
  const byHost = new Map<string, typeof entries>();
  for (const e of entries) {
    const l = byHost.get(e.host) ?? [];
    l.push(e);
    byHost.set(e.host, l);
  }
  for (const e of entries) {
    const group = byHost.get(e.host)!;
    if (group.length < 2) continue;
    const others: { vs: VirtualService; hostNode: YScalar }[] = [];
    const nss = new Set<string>();
    for (const o of group) {
      if (o.vs === e.vs || (o.vs.ns === e.vs.ns && o.vs.obj.name === e.vs.obj.name)) continue;
      if (!sameUnit(model, e.vs.obj.file, o.vs.obj.file)) continue;
      const common = commonNamespaces(e.scope, o.scope);
      if (!common.length) continue;
      // every common namespace whose default Sidecar does not import the host: no proxy sees the conflict
      if (!common.includes('*') && common.every((ns) => notImported(model, ns, e.host))) continue;
      others.push({ vs: o.vs, hostNode: o.node });
      for (const ns of common) nss.add(ns);
    }
    if (others.length) out.push({ vs: e.vs, hostNode: e.node, host: e.host, others, namespaces: [...nss] });
  }
  cache.set(model, out);
  return out;
}


// ---------- VirtualServices and the Istio Gateways they bind to ----------

/** Parse a VirtualService gateway reference: `mesh`, `name` (VS namespace) or `ns/name`. */
export function parseGatewayRef(ref: string, vsNs: string): { ns: string; name: string } | undefined {
  if (ref === 'mesh') return undefined;
  const i = ref.indexOf('/');
  if (i >= 0) return { ns: ref.slice(0, i), name: ref.slice(i + 1) };
  if (ref.includes('.')) return undefined; // legacy FQDN form: not resolved offline
  return { ns: vsNs, name: ref };
}

/** The Istio Gateways of the workspace that a VirtualService gateway reference names (every copy of that ns/name). */
export function gatewaysNamed(model: MeshModel, ref: string, vsNs: string): IstioGateway[] {
  const r = parseGatewayRef(ref.trim(), vsNs);
  if (!r || !r.name || r.name.includes('*')) return [];
  return routing(model).gateways.filter((g) => g.ns === r.ns && g.name === r.name);
}

/**
 * The hosts of a Gateway server that a VirtualService of namespace vsNs may bind to: `ns/host` only when ns is
 * vsNs (`.` is the Gateway's namespace) or `*`; plain hosts always (Istio's host.NamesForNamespace after
 * istioctl's sanitizeServerHostNamespace).
 */
export function serverHostsFor(s: GatewayServer, vsNs: string): string[] {
  const out: string[] = [];
  for (const { host } of s.hosts) {
    const i = host.indexOf('/');
    if (i < 0) { out.push(host); continue; }
    const ns = host.slice(0, i) === '.' ? s.gw.ns : host.slice(0, i);
    if (ns === '*' || ns === vsNs) out.push(host.slice(i + 1));
  }
  return out;
}

/** Istio host.Name.Matches: exact, or one wildcard covers the other. */
export function hostsOverlap(a: string, b: string): boolean {
  return hostMatches(a, b) || hostMatches(b, a);
}

/** Servers of a Gateway that serve one of the VirtualService's hosts. */
export function serversForVs(vs: VirtualService, gw: IstioGateway): GatewayServer[] {
  const names = [...new Set(vs.hosts.flatMap((v) => [v, analyzerFqdn(v, vs.ns)]))];
  return gatewayServers(gw).filter((s) => serverHostsFor(s, vs.ns).some((h) => names.some((v) => hostsOverlap(h, v))));
}
