/**
 * Which files an edit can affect, so that `Workspace.analyze()` re-runs the model and the rules on
 * a small part of a large workspace and keeps every other file's findings.
 *
 * The argument, in short (docs/performance.md has the long version):
 * - Rules and model questions read across namespaces only by name: a host `svc.ns[.svc...]`, an
 *   `ns/name` reference, a `namespace:`/`namespaces:`/`exportTo:` value. A file that *mentions* a
 *   namespace is linked to it; files of the same namespace are linked. Linked files form
 *   components (union-find); an edit can only change the findings of files in the components of
 *   the edited file's old and new contents.
 * - Some inputs are read workspace-wide (the mesh config and root namespace, gateways, ingress
 *   controllers, Prometheus, wildcard hosts (an external host links the files naming it), ServiceEntries, kustomizations, files
 *   meshlint could not read as objects, kinds the model does not know to be local). Files holding
 *   them are "global": they are inputs of every partial analysis, an edit to one of them (before
 *   or after) triggers a full analysis, and their own findings, which may depend on any
 *   component, are only refreshed by a full analysis (the result lists them as `stale`).
 * - nginx configs whose namespace is unknown (standalone files) resolve short names by a Service
 *   name unique in the workspace: they are linked to every namespace defining a Service of that
 *   name; standalone configs are linked to the configs their `include`s can reach. The link is by
 *   the include's basename glob, whatever folder it resolves from (model/nginx.ts resolves from the
 *   main config's folder, nginx's prefix), so it covers every resolution; it also covers which configs
 *   are analysed on their own (a config some config includes is analysed only inside its includers).
 * - Workspace-wide aggregates (the set of known namespaces, whether Istio is in use) are compared
 *   before and after the edit; any change means a full analysis.
 * test/unit/incremental.test.ts compares partial and cold analyses after thousands of random edits.
 */
import type { K8sObject } from './source/yaml';
import type { NgxDirective, NgxConfig } from './source/nginx/ast';
import type { YNode } from './source/ynode';
import { isMeshObject, hostShape, WORKLOAD_KINDS } from './model/model';
import { globToRegExp } from './model/nginx';

/**
 * Kinds the model and rules read only from their own namespace or through names (see above).
 * Kinds no rule reads are irrelevant to findings and count as local too.
 */
export const LOCAL_KINDS = new Set([
  'Service', 'Namespace', 'PeerAuthentication', 'DestinationRule', 'VirtualService', 'AuthorizationPolicy',
  'Ingress', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute', 'ConfigMap', 'ReferenceGrant', 'ServiceAccount', ...WORKLOAD_KINDS,
  // read by namespace, only for gateways' TLS credentials (model/credentials.ts; gateway files are global anyway);
  // Secret, SealedSecret and Certificate are not even objects (lean SecretStubs)
  'ExternalSecret', 'Secret', 'SealedSecret', 'Certificate',
]);

/**
 * Kinds read workspace-wide: mesh config, ingress classes, gateways (their selectors match
 * workloads in any namespace), ServiceEntries (hosts visible everywhere), Prometheus and its monitors.
 * test/unit/incremental-scenarios.test.ts checks that every kind the core reads is in one of the two sets.
 */
export const GLOBAL_KINDS = new Set(['IstioOperator', 'IngressClass', 'Gateway', 'ServiceEntry', 'Prometheus', 'ServiceMonitor', 'PodMonitor', 'Kustomization', 'Sidecar', 'ClusterExternalSecret']);

/** Content facts of one parsed file that do not depend on the rest of the workspace (cached per parse). */
export interface FileFacts {
  /** why the file is global regardless of namespaces (undefined: it is not) */
  global?: string;
  /** tokens that may name a namespace */
  nsTokens: string[];
  /** the subset of nsTokens seen as a host's namespace (`name.ns...`) */
  hostNsTokens: string[];
  /** namespaces of `name.ns.svc[...]` hosts, known to the workspace or not (matched by FQDN in any namespace) */
  svcNsTokens: string[];
  /** second labels of two-label hosts in VirtualService/DestinationRule hosts (`name.x`): global unless x is a known namespace */
  twoLabelHosts: string[];
  /** external (not cluster-local), non-wildcard VirtualService/DestinationRule hosts: linked by name */
  externalHosts: string[];
  /** single-label host names in nginx configs whose namespace is unknown (standalone files) */
  nameTokens: string[];
  /** basename globs of `include`s in standalone nginx configs */
  includes: RegExp[];
  /** a standalone nginx config (may be reached by another config's include) */
  standaloneNginx: boolean;
  /** an istio.io object, or a Namespace with mesh labels (the "Istio is in use" aggregate) */
  istio: boolean;
  /** rules may report on this file: it has objects or nginx configs, or is a standalone Prometheus config */
  subject: boolean;
}

export interface FileInput {
  path: string;
  text: string;
  objects: K8sObject[];
  nginx: { config: NgxConfig; configMap?: K8sObject }[];
  kustomization?: unknown;
}

const NS_KEY = /namespace|exportto|^names$|matchnames/i;
const DOT_TOKEN = /\.([a-z0-9][a-z0-9-]*)/g;
const SLASH_TOKEN = /([a-z0-9][a-z0-9-]*)\//g;
const SVC_NS_TOKEN = /[a-z0-9-]\.([a-z0-9][a-z0-9-]*)\.svc\b/g;

function addTokens(s: string, key: string | undefined, out: Set<string>, hostOut?: Set<string>, svcOut?: Set<string>): void {
  const l = s.toLowerCase();
  if (l.includes('.')) {
    for (const m of l.matchAll(DOT_TOKEN)) {
      out.add(m[1]);
      hostOut?.add(m[1]);
    }
    if (svcOut && l.includes('.svc')) for (const m of l.matchAll(SVC_NS_TOKEN)) svcOut.add(m[1]);
  }
  if (l.includes('/')) for (const m of l.matchAll(SLASH_TOKEN)) out.add(m[1]);
  if (key !== undefined && NS_KEY.test(key)) for (const t of l.split(/[\s,|"'[\]]+/)) if (t) out.add(t);
}

function walk(n: YNode | null, key: string | undefined, out: Set<string>, hostOut: Set<string>, svcOut: Set<string>, onScalar?: (key: string | undefined, v: string) => void): void {
  if (!n) return;
  if (n.t === 's') {
    if (typeof n.v === 'string') {
      addTokens(n.v, key, out, hostOut, svcOut);
      onScalar?.(key, n.v);
    }
    return;
  }
  if (n.t === 'q') {
    for (const x of n.items) walk(x, key, out, hostOut, svcOut, onScalar);
    return;
  }
  for (const p of n.items) {
    const k = p.key.v === null ? '' : String(p.key.v);
    walk(p.value, k, out, hostOut, svcOut, onScalar);
  }
}

function hostsOf(o: K8sObject): string[] {
  const spec = o.root.items.find((p) => p.key.v === 'spec')?.value;
  if (!spec || spec.t !== 'm') return [];
  const out: string[] = [];
  for (const p of spec.items) {
    if (o.kind === 'DestinationRule' && p.key.v === 'host' && p.value?.t === 's') out.push(String(p.value.v ?? ''));
    if (o.kind === 'VirtualService' && p.key.v === 'hosts' && p.value?.t === 'q') for (const x of p.value.items) if (x.t === 's') out.push(String(x.v ?? ''));
  }
  return out;
}

function nginxNames(ds: NgxDirective[], out: Set<string>): void {
  for (const d of ds) {
    for (const a of d.args) {
      const v = a.value.toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
      const host = v.split(/[/:?;\s]/)[0];
      if (/^[a-z0-9][a-z0-9-]*$/.test(host)) out.add(host);
    }
    if (d.block) nginxNames(d.block, out);
  }
}

function nginxIncludes(ds: NgxDirective[], out: RegExp[]): void {
  for (const d of ds) {
    if (d.name === 'include' && d.args[0]) {
      const base = d.args[0].value.slice(d.args[0].value.lastIndexOf('/') + 1);
      out.push(globToRegExp(base));
    }
    if (d.block) nginxIncludes(d.block, out);
  }
}

export function fileFacts(f: FileInput): FileFacts {
  const ns = new Set<string>();
  const hostNs = new Set<string>();
  const svcNs = new Set<string>();
  const names = new Set<string>();
  const includes: RegExp[] = [];
  const twoLabelHosts: string[] = [];
  const externalHosts: string[] = [];
  let global: string | undefined;
  let istio = false;
  // kustomizations decide namespaces and deployable units (routing.ts reads them as text, whatever they parse to)
  if (f.kustomization || /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(f.path)) global = 'kustomization';
  let subject = f.objects.length > 0 || f.nginx.length > 0;
  if (!f.objects.length && /\.(ya?ml|tpl|json)$/i.test(f.path)) {
    global = 'file without objects (read as text by the model)';
    // model/prometheus.ts reads such files as Prometheus configs and rules report on them
    if (/prometheus/i.test(f.path.slice(f.path.lastIndexOf('/') + 1))) subject = true;
  }
  for (const o of f.objects) {
    if (isMeshObject(o)) istio = true;
    if (GLOBAL_KINDS.has(o.kind)) global ??= `kind ${o.kind}`;
    if (WORKLOAD_KINDS.has(o.kind) && /ingress/i.test(o.name)) global ??= 'possible ingress controller';
    if (o.kind === 'DestinationRule' || o.kind === 'VirtualService') {
      for (const h of hostsOf(o)) {
        const shape = hostShape(h);
        // wildcards are matched by hosts in any namespace; an external host only by the same host
        // (a gateway VirtualService for shop.example.com is in most namespaces of a real repository:
        // making each global would make every namespace global)
        if (h.includes('*') || !shape.name) global ??= `host ${h}`;
        else if (shape.shape === 'other') externalHosts.push(h.trim().toLowerCase().replace(/\.$/, ''));
        else if (shape.shape === 'two') twoLabelHosts.push(shape.ns!);
      }
    }
    if ((o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute') && o.root.items.some((p) => p.key.v === 'spec' && p.value?.t === 'm' && p.value.items.some((q) => q.key.v === 'hostnames'))) global ??= 'route hostnames';
    walk(o.root, undefined, ns, hostNs, svcNs, (key, v) => {
      if (key === 'image' && /prometheus/i.test(v)) global ??= 'Prometheus image';
      if (o.kind === 'ConfigMap' && /scrape_configs|enableAutoMtls|rootNamespace|outboundTrafficPolicy|proxyMetadata/.test(v)) global ??= 'Prometheus or mesh config';
    });
  }
  let standaloneNginx = false;
  for (const c of f.nginx) {
    if (c.configMap) continue;
    standaloneNginx = true;
    nginxNames(c.config.directives, names);
    nginxIncludes(c.config.directives, includes);
    addTokens(f.text, undefined, ns, hostNs, svcNs);
  }
  return { global, nsTokens: [...ns], hostNsTokens: [...hostNs], svcNsTokens: [...svcNs], twoLabelHosts, externalHosts, nameTokens: [...names], includes, standaloneNginx, istio, subject };
}

/** Union-find over string nodes; each root keeps the files (paths) of its component. */
class Components {
  private readonly parent = new Map<string, string>();
  private readonly members = new Map<string, string[]>();
  find(x: string): string {
    let p = this.parent.get(x);
    if (p === undefined) {
      this.parent.set(x, x);
      return x;
    }
    let r = x;
    while (p !== r) {
      r = p;
      p = this.parent.get(r)!;
    }
    let c = x;
    while (c !== r) {
      const n = this.parent.get(c)!;
      this.parent.set(c, r);
      c = n;
    }
    return r;
  }
  /** A file's node joins the union-find once; later versions of the file only add links. */
  addFile(node: string, path: string): void {
    if (this.parent.has(node)) return;
    const r = this.find(node);
    const m = this.members.get(r);
    if (m) m.push(path);
    else this.members.set(r, [path]);
  }
  union(a: string, b: string): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    let ma = this.members.get(ra) ?? [];
    let mb = this.members.get(rb) ?? [];
    if (ma.length > mb.length) {
      [ra, rb] = [rb, ra];
      [ma, mb] = [mb, ma];
    }
    this.parent.set(ra, rb);
    for (const x of ma) mb.push(x);
    this.members.delete(ra);
    if (mb.length) this.members.set(rb, mb);
  }
  filesOf(node: string): readonly string[] {
    return this.members.get(this.find(node)) ?? [];
  }
}

/** Namespaces a file's objects live in (a Namespace object lives in the namespace it defines). */
export function homes(f: FileInput): string[] {
  const out = new Set<string>();
  for (const o of f.objects) out.add(o.kind === 'Namespace' && o.group === '' ? o.name : o.ns);
  for (const c of f.nginx) if (c.configMap) out.add(c.configMap.ns);
  return [...out];
}

/** Global for reasons that depend on namespaces (root namespace, two-label hosts that are not namespaces). */
function globalByNamespace(f: FileInput, facts: FileFacts, known: ReadonlySet<string>, rootNs: string): string | undefined {
  for (const o of f.objects) {
    const home = o.kind === 'Namespace' && o.group === '' ? o.name : o.ns;
    if (home === rootNs || home === 'istio-system') return `object in ${home}`;
  }
  for (const x of facts.twoLabelHosts) if (!known.has(x)) return `external host *.${x}`;
  return undefined;
}

export type Indexed = FileInput & { facts?: FileFacts };

export interface Change<F extends Indexed> {
  path: string;
  /** the version the index saw (undefined: the file was absent) */
  old?: F;
  /** the version now (undefined: deleted) */
  now?: F;
}

export interface Affected<F extends Indexed> {
  /** paths whose findings must be recomputed */
  affected: Set<string>;
  /** global files, in path order: inputs of every partial analysis */
  global: readonly F[];
  /** global files with objects or nginx configs: their findings may lag until a full analysis */
  stale: ReadonlySet<string>;
  knownNamespaces: ReadonlySet<string>;
  meshInUse: boolean;
}

const factsOf = (f: Indexed): FileFacts => (f.facts ??= fileFacts(f));

function nsKeys(f: FileInput): string[] {
  const out: string[] = [];
  for (const o of f.objects) {
    out.push(o.ns);
    if (o.kind === 'Namespace' && o.group === '') out.push(o.name);
  }
  return out;
}

/**
 * Which files an edit can affect. Built from the whole workspace after a full analysis; then each
 * `update` links the changed files in (components only grow, which stays safe) and answers in time
 * proportional to the change and its component, not to the workspace.
 */
export class LinkIndex<F extends Indexed> {
  private readonly nsCount = new Map<string, number>();
  private istioFiles = 0;
  /** files with workspace-wide inputs, in path order, and the namespaces they make global */
  private readonly globalSorted: F[] = [];
  private readonly globalNs: Set<string>;
  /** single-label names used by nginx configs without a namespace, and those some Service has */
  private readonly names = new Set<string>();
  private readonly wanted = new Set<string>();
  private readonly serviceNames = new Map<string, number>();
  private readonly includeGlobs: RegExp[] = [];
  private readonly uf = new Components();
  private readonly stale = new Set<string>();

  /** `files` in path order */
  constructor(files: readonly F[], private readonly rootNs: string) {
    for (const f of files) this.count(f, 1);
    const known = new Set(this.nsCount.keys());
    this.globalNs = new Set([rootNs, 'istio-system']);
    const global = new Set<F>();
    for (const f of files) {
      if (!this.intrinsic(f, known)) continue;
      global.add(f);
      for (const h of homes(f)) this.globalNs.add(h);
    }
    const local: F[] = [];
    for (const f of files) {
      if (global.has(f) || homes(f).some((h) => this.globalNs.has(h))) {
        this.globalSorted.push(f);
        if (factsOf(f).subject) this.stale.add(f.path);
      } else local.push(f);
    }
    for (const f of local) {
      const x = factsOf(f);
      if (!x.standaloneNginx) continue;
      for (const t of x.nameTokens) this.names.add(t);
      for (const g of x.includes) this.includeGlobs.push(g);
    }
    for (const t of this.names) if (this.serviceNames.has(t)) this.wanted.add(t);
    for (const f of local) this.link(f, known);
  }

  private count(f: F, d: 1 | -1): void {
    for (const n of nsKeys(f)) {
      const c = (this.nsCount.get(n) ?? 0) + d;
      if (c) this.nsCount.set(n, c);
      else this.nsCount.delete(n);
    }
    if (factsOf(f).istio) this.istioFiles += d;
    for (const o of f.objects) {
      if (o.kind !== 'Service' || o.group !== '') continue;
      const c = (this.serviceNames.get(o.name) ?? 0) + d;
      if (c) this.serviceNames.set(o.name, c);
      else this.serviceNames.delete(o.name);
    }
  }

  private intrinsic(f: F, known: ReadonlySet<string>): string | undefined {
    const x = factsOf(f);
    return x.global ?? globalByNamespace(f, x, known, this.rootNs);
  }

  private link(f: F, known: ReadonlySet<string>): void {
    const node = 'f:' + f.path;
    this.uf.addFile(node, f.path);
    const x = factsOf(f);
    for (const h of homes(f)) if (!this.globalNs.has(h)) this.uf.union(node, 'n:' + h);
    for (const t of x.nsTokens) if (known.has(t) && !this.globalNs.has(t)) this.uf.union(node, 'n:' + t);
    // a global namespace's own files are inputs of every partial run, but files that name one of its hosts
    // read each other through it (DestinationRules and VirtualServices for that host in any namespace)
    for (const t of x.hostNsTokens) if (this.globalNs.has(t) && known.has(t)) this.uf.union(node, 'h:' + t);
    // cluster-local hosts in a namespace the workspace does not define still match each other by name
    for (const t of x.svcNsTokens) if (!known.has(t)) this.uf.union(node, 'h:' + t);
    for (const h of x.externalHosts) this.uf.union(node, 'x:' + h);
    for (const t of x.nameTokens) if (this.wanted.has(t)) this.uf.union(node, 's:' + t);
    if (this.wanted.size) for (const o of f.objects) if (o.kind === 'Service' && o.group === '' && this.wanted.has(o.name)) this.uf.union(node, 's:' + o.name);
    if (x.standaloneNginx && this.includeGlobs.length) {
      const base = f.path.slice(f.path.lastIndexOf('/') + 1);
      // a main nginx.conf also decides where fragments below its folder resolve their includes from
      if (x.includes.length || base === 'nginx.conf' || this.includeGlobs.some((g) => g.test(base))) this.uf.union(node, 'include');
    }
  }

  /**
   * Applies changes; returns what to re-analyse, or why only a full analysis is safe (the index must
   * then be rebuilt: it may be half-updated).
   */
  update(changes: Change<F>[]): Affected<F> | string {
    const before = new Set(this.nsCount.keys());
    const istioBefore = this.istioFiles > 0;
    for (const c of changes) {
      if (c.old) this.count(c.old, -1);
      if (c.now) this.count(c.now, 1);
    }
    if (this.istioFiles > 0 !== istioBefore) return 'Istio use changed';
    if (this.nsCount.size !== before.size) return 'the set of namespaces changed';
    for (const n of this.nsCount.keys()) if (!before.has(n)) return 'the set of namespaces changed';
    const known = before;
    for (const c of changes) {
      for (const f of [c.old, c.now]) {
        if (!f) continue;
        const why = this.intrinsic(f, known) ?? (homes(f).some((h) => this.globalNs.has(h)) ? 'in a namespace with workspace-wide inputs' : undefined);
        if (why) return `${c.path} is read workspace-wide (${why})`;
      }
      // names and includes that other files resolve through: a new one means relinking from scratch
      const inc = (f?: F) => (f ? factsOf(f).includes.map((r) => r.source).join('\n') : '');
      if (inc(c.old) !== inc(c.now)) return `${c.path}: nginx includes changed`;
      if (c.now) for (const t of factsOf(c.now).nameTokens) if (!this.wanted.has(t) && this.serviceNames.has(t)) return `${c.path}: nginx uses the Service name ${t} without a namespace`;
      if (c.now && this.names.size) for (const o of c.now.objects) if (o.kind === 'Service' && o.group === '' && this.names.has(o.name) && !this.wanted.has(o.name)) return `${c.path}: Service ${o.name} is named by an nginx config without a namespace`;
    }
    for (const c of changes) {
      if (!c.now) continue;
      if (factsOf(c.now).standaloneNginx) for (const t of factsOf(c.now).nameTokens) this.names.add(t);
      this.link(c.now, known);
    }
    const affected = new Set<string>();
    for (const c of changes) for (const p of this.uf.filesOf('f:' + c.path)) affected.add(p);
    return { affected, global: this.globalSorted, stale: this.stale, knownNamespaces: known, meshInUse: istioBefore };
  }
}
