/**
 * Which DestinationRules a client proxy uses for a host: Istio selects per client, not the union of
 * every rule in the mesh. One place for the rules that ask (vs-subset-not-found, dr-multiple-for-host,
 * dr-tls-conflict, missing-destination-rule, hover).
 *
 * Facts (istio/istio, pilot/pkg/model/push_context.go):
 * - `setDestinationRules`: a rule's host is first made a FQDN by `ResolveShortnameToFQDN`
 *   (pkg/config/model.go): only a name without a dot gets `.<namespace>.svc.cluster.local`;
 *   `reviews.prod` stays `reviews.prod`. Rules are indexed per namespace: "namespace-local" (exportTo
 *   empty, `*`, `.` or the own namespace), "exported" (unless exportTo is only `.`/the own namespace),
 *   and the root namespace's private rules apart. A rule with a workloadSelector is never exported.
 *   Rules for one host in one namespace are merged, oldest first.
 * - `destinationRule(proxyNamespace, service)`: 1. the most specific host match among the client
 *   namespace's local rules (for a client in the root namespace: the root's private rules only);
 *   2. else the service's namespace's exported rules, if exported to the client; 3. else the root
 *   namespace's exported rules, if exported to the client. The first step that matches decides: a
 *   client-namespace rule hides subsets and TLS settings defined in the other two.
 * - `MostSpecificHostMatch` (pilot/pkg/model/...): an exact host beats wildcards; among wildcards the
 *   longest (most specific) wins.
 * - sidecar.go `DestinationRule`: rules with a workloadSelector that matches the client workload take
 *   precedence over the namespace's other rules. meshlint does not know which workload calls, so a
 *   client namespace with such rules for the host is reported as uncertain.
 */
import type { DestinationRule, MeshModel } from './model';
import { get, str } from '../source/ynode';
import { hostMatches, visibleTo } from './routing';

/** Istio's ResolveShortnameToFQDN: only a name without a dot is expanded (in the config's namespace). */
export function istioFqdn(host: string, ns: string): string {
  const h = host.trim().toLowerCase();
  if (!h || h === '*' || h.includes('.') || h.includes(':')) return h;
  return `${h}.${ns}.svc.cluster.local`;
}

/** The namespace of a Kubernetes Service FQDN (`name.ns.svc.cluster.local`), else undefined. */
export function fqdnNamespace(fqdn: string): string | undefined {
  const m = /^[^.]+\.([^.]+)\.svc\.cluster\.local$/.exec(fqdn);
  return m ? m[1] : undefined;
}

interface Group {
  exact: Map<string, DestinationRule[]>;
  wild: string[];
}

interface DrIndex {
  local: Map<string, Group>;
  exported: Map<string, Group>;
  rootLocal: Group;
  /** namespaces with workload-selector rules, by host */
  selector: Map<string, Group>;
  fqdn: Map<DestinationRule, string>;
  /** exact (non-wildcard) host -> namespaces with local rules for it, in the order of `local` */
  localByHost: Map<string, string[]>;
  /** namespaces whose local rules include a wildcard host, in the order of `local` */
  localWild: string[];
}

const indexes = new WeakMap<MeshModel, DrIndex>();

function add(groups: Map<string, Group> | Group, ns: string | undefined, host: string, dr: DestinationRule): void {
  let g: Group;
  if (groups instanceof Map) {
    g = groups.get(ns!) ?? { exact: new Map(), wild: [] };
    groups.set(ns!, g);
  } else g = groups;
  const l = g.exact.get(host);
  if (l) l.push(dr);
  else {
    g.exact.set(host, [dr]);
    if (host.startsWith('*')) g.wild.push(host);
  }
}

function index(model: MeshModel): DrIndex {
  let idx = indexes.get(model);
  if (idx) return idx;
  idx = { local: new Map(), exported: new Map(), rootLocal: { exact: new Map(), wild: [] }, selector: new Map(), fqdn: new Map(), localByHost: new Map(), localWild: [] };
  const root = model.meshConfig.rootNamespace;
  // Istio merges oldest first; rules without a creation time keep workspace order
  const ordered = model.destinationRules.map((dr, i) => ({ dr, i, t: created(dr) })).sort((a, b) => (a.t === b.t ? a.i - b.i : a.t < b.t ? -1 : 1));
  for (const { dr } of ordered) {
    if (!dr.host) continue;
    const host = istioFqdn(dr.host, dr.ns);
    idx.fqdn.set(dr, host);
    if (get(dr.obj.root, 'spec', 'workloadSelector')) {
      add(idx.selector, dr.ns, host, dr);
      continue;
    }
    const e = dr.exportTo ?? [];
    if (!e.length || e.includes('*') || e.includes('.') || e.includes(dr.ns)) add(idx.local, dr.ns, host, dr);
    const privateOnly = e.length === 1 && (e[0] === '.' || e[0] === dr.ns);
    if (!privateOnly && !(e.length === 1 && e[0] === '~')) add(idx.exported, dr.ns, host, dr);
    else if (privateOnly && dr.ns === root) add(idx.rootLocal, undefined, host, dr);
  }
  // per-host lookups, so that "which namespaces have rules for this host" does not scan every namespace
  for (const [ns, g] of idx.local) {
    if (g.wild.length) idx.localWild.push(ns);
    for (const h of g.exact.keys()) {
      if (h.startsWith('*')) continue;
      const l = idx.localByHost.get(h);
      if (l) l.push(ns);
      else idx.localByHost.set(h, [ns]);
    }
  }
  indexes.set(model, idx);
  return idx;
}

function created(dr: DestinationRule): number {
  const v = Date.parse(str(dr.obj.root, 'metadata', 'creationTimestamp') ?? '');
  return Number.isFinite(v) ? v : Infinity;
}

function mostSpecific(g: Group | undefined, host: string): DestinationRule[] | undefined {
  if (!g) return undefined;
  const exact = g.exact.get(host);
  if (exact) return exact;
  let best: string | undefined;
  for (const w of g.wild) if (hostMatches(w, host) && (!best || w.length > best.length)) best = w;
  return best ? g.exact.get(best) : undefined;
}

export interface DrSelection {
  /** the rules the client merges, oldest first */
  rules: DestinationRule[];
  /** which step of Istio's lookup chose them */
  from: 'client' | 'service' | 'root';
  /** the namespace they come from */
  ns: string;
}

export interface ClientView {
  selection?: DrSelection;
  /** workload-selector rules in the client namespace may take precedence for some workloads */
  uncertain: boolean;
}

/**
 * The DestinationRules a proxy in clientNs uses for a host (an Istio FQDN), the host's own namespace
 * given (Kubernetes Service or ServiceEntry namespace) when known.
 */
export function destinationRuleFor(model: MeshModel, host: string, serviceNs: string | undefined, clientNs: string): ClientView {
  const idx = index(model);
  const root = model.meshConfig.rootNamespace;
  const uncertain = !!mostSpecific(idx.selector.get(clientNs), host);
  const local = clientNs !== root ? mostSpecific(idx.local.get(clientNs), host) : mostSpecific(idx.rootLocal, host);
  if (local) return { selection: { rules: local, from: 'client', ns: clientNs }, uncertain };
  const exported = (ns: string) => mostSpecific(idx.exported.get(ns), host)?.filter((dr) => visibleTo(dr.exportTo, dr.ns, clientNs));
  const svcNs = serviceNs ?? fqdnNamespace(host);
  if (svcNs) {
    const s = exported(svcNs);
    if (s?.length) return { selection: { rules: s, from: 'service', ns: svcNs }, uncertain };
  }
  const r = exported(root);
  if (r?.length) return { selection: { rules: r, from: 'root', ns: root }, uncertain };
  return { uncertain };
}

/** A namespace name no workspace namespace can have: stands for every namespace without rules of its own. */
export const ANY_OTHER_NAMESPACE = '\u0000other';

/**
 * The client namespaces whose proxies use this DestinationRule for its own host: every namespace
 * that defines rules for the host, the host's namespace, the root, and any other namespace
 * (ANY_OTHER_NAMESPACE). Empty when every client skips it (e.g. a root-namespace rule shadowed by
 * the service namespace's exported rule).
 */
export function clientsUsing(model: MeshModel, dr: DestinationRule, serviceNs?: string): string[] {
  const idx = index(model);
  const host = idx.fqdn.get(dr);
  if (!host) return [];
  if (get(dr.obj.root, 'spec', 'workloadSelector')) return [dr.ns];
  const cands = new Set<string>([dr.ns, model.meshConfig.rootNamespace, ANY_OTHER_NAMESPACE]);
  const svcNs = serviceNs ?? fqdnNamespace(host);
  if (svcNs) cands.add(svcNs);
  // namespaces whose local rules match the host: exact ones from the host index, wildcard ones by matching
  for (const ns of idx.localByHost.get(host) ?? []) cands.add(ns);
  for (const ns of idx.localWild) if (mostSpecific(idx.local.get(ns), host)) cands.add(ns);
  return [...cands].filter((c) => destinationRuleFor(model, host, svcNs, c).selection?.rules.includes(dr));
}

/** Namespaces that define (non-selector) DestinationRules matching the host: their proxies are clients of it. */
/**
 * Namespaces whose own rules name exactly this host: a namespace that wrote a DestinationRule for a
 * host is taken to call it. Wildcard rules (`*.local`, mesh-wide TLS settings) say nothing about who calls.
 */
export function namespacesWithRulesFor(model: MeshModel, host: string): string[] {
  if (host.startsWith('*')) return [];
  return [...(index(model).localByHost.get(host) ?? [])];
}

/** The merged subsets of a selection: the first definition of a name wins (Istio's merge). */
export function mergedSubsets(sel: DrSelection | undefined): string[] {
  const out: string[] = [];
  for (const dr of sel?.rules ?? []) for (const s of dr.subsets) if (s.name && !out.includes(s.name)) out.push(s.name);
  return out;
}

export function describeSelection(sel: DrSelection): string {
  const names = sel.rules.map((d) => `${d.ns}/${d.obj.name}`).join(', ');
  const why = sel.from === 'client' ? "the client's own namespace" : sel.from === 'service' ? "the service's namespace" : 'the root namespace';
  return `DestinationRule${sel.rules.length > 1 ? 's' : ''} ${names} (from ${why})`;
}
