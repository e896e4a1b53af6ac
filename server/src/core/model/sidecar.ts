/**
 * Istio Sidecar resources (networking.istio.io Sidecar): which workloads each one configures.
 *
 * Istio's selection (the Sidecar reference, and pilot's sidecar scopes): a Sidecar applies only to
 * workloads of its own namespace. One with `workloadSelector.labels` applies to the pods carrying
 * those labels; one without a selector (no `workloadSelector`, or empty `labels`, which selects every
 * pod) is the namespace's default; a selector-less Sidecar in the root namespace is the mesh-wide
 * default for namespaces that have none. Several Sidecars for one workload, or several selector-less
 * ones in a namespace, make the behaviour undefined. Workloads in ambient mode have no sidecar, so no
 * Sidecar resource affects them (istioctl analyze IST0167, sidecar.SelectorAnalyzer).
 */
import type { K8sObject } from '../source/yaml';
import { YNode, YScalar, get, seq, str, strMap, isMap, isScalar } from '../source/ynode';
import { MeshModel, Workload, Service, cachedView, nameNode, selects } from './model';
import { appliedTogether, sharedWorkloads } from './overlap';
import { namespaceEnrolment } from './membership';
import type { Span } from '../types';

export interface SidecarResource {
  obj: K8sObject;
  ns: string;
  /** workloadSelector.labels; undefined when the Sidecar has no selector (namespace-wide) */
  selector?: Record<string, string>;
  /** the workloadSelector node (range for selector findings) */
  selectorNode?: YNode;
  /** where to point at the Sidecar itself (metadata.name) */
  span: Span;
  /** spec.egress listeners; undefined when the Sidecar has no egress section (every visible service is imported) */
  egress?: EgressListener[];
  /** spec.outboundTrafficPolicy.mode */
  outboundPolicy?: string;
}

export interface EgressListener {
  node: YNode;
  hosts: YScalar[];
  /** the listener sets port, bind or captureMode (a port-specific or non-default listener) */
  special: boolean;
}

function toSidecar(o: K8sObject): SidecarResource {
  const ws = get(o.root, 'spec', 'workloadSelector');
  const labels = isMap(ws) ? strMap(ws, 'labels') : {};
  const n = nameNode(o);
  return {
    obj: o,
    ns: o.ns,
    selector: Object.keys(labels).length ? labels : undefined,
    selectorNode: isMap(ws) ? (get(ws, 'labels') ?? ws) : undefined,
    span: n ? { file: o.file, start: n.start, end: n.end } : { file: o.file, start: o.root.start, end: o.root.start },
    egress: get(o.root, 'spec', 'egress') ? seq(o.root, 'spec', 'egress').map((e) => ({
      node: e,
      hosts: seq(e, 'hosts').filter((h): h is YScalar => isScalar(h) && h.v !== null),
      special: !!get(e, 'port') || !!get(e, 'bind') || !!get(e, 'captureMode'),
    })) : undefined,
    outboundPolicy: str(o.root, 'spec', 'outboundTrafficPolicy', 'mode'),
  };
}

const cache = new WeakMap<MeshModel, SidecarResource[]>();

/** The Istio Sidecar resources of the workspace. */
export function sidecars(model: MeshModel): SidecarResource[] {
  let r = cache.get(model);
  if (!r) {
    r = model.kind('Sidecar').filter((o) => o.group.startsWith('networking.istio.io')).map((o) => cachedView(o, 'sidecar', toSidecar));
    cache.set(model, r);
  }
  return r;
}

/** Workloads of the Sidecar's namespace its selector matches (empty for selector-less Sidecars). */
export function sidecarWorkloads(model: MeshModel, sc: SidecarResource): Workload[] {
  return sc.selector ? model.workloadsFor(sc.ns, sc.selector) : [];
}

/**
 * Is the namespace in ambient mode as istioctl analyze reads it (analyzers/util NamespaceInAmbientMode):
 * `istio.io/dataplane-mode: ambient` and neither `istio-injection: enabled` nor an `istio.io/rev` label.
 * undefined when the workspace does not define the Namespace.
 */
export function namespaceAmbient(model: MeshModel, ns: string): boolean | undefined {
  const l = model.namespaceLabels(ns);
  if (!l) return undefined;
  if (l['istio-injection'] === 'enabled' || !!l['istio.io/rev']) return false;
  return l['istio.io/dataplane-mode'] === 'ambient';
}

export function describeSidecar(sc: SidecarResource): string {
  return `${sc.ns}/${sc.obj.name}`;
}

export function selectorText(sel: Record<string, string>): string {
  return Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(', ');
}

/**
 * No proxy reads the Sidecar resources of this namespace: the namespace is in ambient mode (as
 * istioctl reads it) and none of its workloads in the workspace gets a sidecar anyway.
 */
export function namespaceWithoutSidecars(model: MeshModel, ns: string): boolean {
  return namespaceAmbient(model, ns) === true && !model.workloadsIn(ns).some((w) => model.membership(w).mode === 'sidecar');
}

export interface SidecarConflict {
  sidecar: SidecarResource;
  /** 'namespace': several selector-less Sidecars in one namespace; 'workload': several selectors match one workload */
  scope: 'namespace' | 'workload';
  others: SidecarResource[];
  /** the workloads selected by this Sidecar and another (scope 'workload') */
  workloads: Workload[];
}

const conflictCache = new WeakMap<MeshModel, SidecarConflict[]>();

/**
 * Sidecars whose selection overlaps another Sidecar applied with them (istioctl IST0110 / IST0111,
 * `analyzers/sidecar/selector.go`): selector-less Sidecars sharing a namespace, and Sidecars whose
 * selectors match a common workload. Workloads in ambient mode, and namespaces where no proxy reads
 * Sidecars, are left out (no sidecar to configure; see sidecar-resource-ambient).
 */
export function sidecarConflicts(model: MeshModel): SidecarConflict[] {
  let out = conflictCache.get(model);
  if (out) return out;
  out = [];
  const byNs = new Map<string, SidecarResource[]>();
  const byWorkload = new Map<Workload, SidecarResource[]>();
  for (const sc of sidecars(model)) {
    if (!sc.selector) {
      const l = byNs.get(sc.ns) ?? [];
      l.push(sc);
      byNs.set(sc.ns, l);
      continue;
    }
    for (const w of sidecarWorkloads(model, sc)) {
      if (model.membership(w).mode === 'ambient') continue;
      const l = byWorkload.get(w) ?? [];
      l.push(sc);
      byWorkload.set(w, l);
    }
  }
  for (const [ns, group] of byNs) {
    if (group.length < 2 || namespaceWithoutSidecars(model, ns)) continue;
    for (const sc of group) {
      const others = group.filter((o) => appliedTogether(model, sc, o));
      if (others.length) out.push({ sidecar: sc, scope: 'namespace', others, workloads: [] });
    }
  }
  const perSidecar = sharedWorkloads(model, byWorkload);
  // workspace order
  for (const sc of sidecars(model)) {
    const e = perSidecar.get(sc);
    if (e) out.push({ sidecar: sc, scope: 'workload', others: [...e.others], workloads: e.workloads });
  }
  conflictCache.set(model, out);
  return out;
}

export interface IneffectiveSidecar {
  sidecar: SidecarResource;
  /** why no proxy reads it */
  reason: string;
  /** where the ambient enrolment is written (namespace label or pod label), when in the workspace */
  span?: Span;
}

/**
 * Sidecar resources that configure no proxy because their workloads run in ambient mode (istioctl
 * IST0167, `analyzers/sidecar/selector.go`): a selector-less Sidecar in a namespace where no proxy reads
 * Sidecars, or a Sidecar whose selector matches only workloads in ambient mode. The root namespace's
 * selector-less Sidecar is the mesh-wide default and is left out.
 */
export function ineffectiveSidecars(model: MeshModel): IneffectiveSidecar[] {
  const out: IneffectiveSidecar[] = [];
  for (const sc of sidecars(model)) {
    if (!sc.selector) {
      if (sc.ns === model.meshConfig.rootNamespace || !namespaceWithoutSidecars(model, sc.ns)) continue;
      const nsObj = model.namespaces.get(sc.ns);
      out.push({ sidecar: sc, reason: `namespace ${sc.ns} is in ambient mode (istio.io/dataplane-mode: ambient, no sidecar injection label)${model.workloadsIn(sc.ns).length ? ' and none of its workloads in the workspace has a sidecar' : ''}`, span: nsObj ? namespaceEnrolment(nsObj).ambient?.span : undefined });
      continue;
    }
    const ws = sidecarWorkloads(model, sc);
    if (!ws.length) continue;
    const ms = ws.map((w) => model.membership(w));
    if (!ms.every((m) => m.mode === 'ambient')) continue;
    out.push({ sidecar: sc, reason: `the workloads it selects (${ws.slice(0, 3).map((w) => `${w.kind} ${w.name}`).join(', ')}${ws.length > 3 ? ', ...' : ''}) run in ambient mode (${ms[0].reason})`, span: ms[0].span });
  }
  return out;
}

/**
 * The Sidecar resource that configures this workload's proxy (Sidecar reference, "workloadSelector"):
 * the one of its namespace whose selector matches it, else its namespace's selector-less Sidecar, else the
 * root namespace's selector-less Sidecar (the mesh-wide default). 'ambiguous' when several would apply
 * (undefined behaviour, see sidecar-multiple-for-workload); undefined when none does.
 */
export function sidecarFor(model: MeshModel, w: Workload): { sidecar: SidecarResource; scope: 'workload' | 'namespace' | 'mesh' } | 'ambiguous' | undefined {
  const all = sidecars(model);
  const inNs = all.filter((sc) => sc.ns === w.ns);
  const sel = inNs.filter((sc) => sc.selector && selects(sc.selector, w.podLabels));
  if (sel.length > 1) return 'ambiguous';
  if (sel.length === 1) return { sidecar: sel[0], scope: 'workload' };
  const nsWide = inNs.filter((sc) => !sc.selector);
  if (nsWide.length > 1) return 'ambiguous';
  if (nsWide.length === 1) return { sidecar: nsWide[0], scope: 'namespace' };
  if (w.ns === model.meshConfig.rootNamespace) return undefined;
  const root = all.filter((sc) => sc.ns === model.meshConfig.rootNamespace && !sc.selector);
  if (root.length > 1) return 'ambiguous';
  return root.length === 1 ? { sidecar: root[0], scope: 'mesh' } : undefined;
}

/**
 * Does one egress host (`namespace/dnsName`, Sidecar reference `egress.hosts`) import the Kubernetes
 * Service? The namespace part is `*` (any), `.` (the namespace of the Sidecar; for the mesh-wide default,
 * that of the workload: unknown here), `~` (none) or a namespace name; the dnsName is an FQDN, `*` (every
 * service of that namespace) or a wildcard in the left-most label (`*.example.com`, a suffix match as in
 * Istio's host matching). A dnsName that spells the Service by a short or partial name (`reviews`,
 * `reviews.prod`, another cluster domain) is 'unknown', as is a host without `/`.
 */
export function egressHostImports(host: string, sidecarNs: string | undefined, s: Service): boolean | 'unknown' {
  const i = host.indexOf('/');
  if (i < 0) return 'unknown';
  const nsPart = host.slice(0, i);
  const dns = host.slice(i + 1).toLowerCase().replace(/\.$/, '');
  if (nsPart === '~') return false;
  if (nsPart === '.') {
    if (sidecarNs === undefined) return 'unknown';
    if (sidecarNs !== s.ns) return false;
  } else if (nsPart !== '*' && nsPart !== s.ns) return false;
  const fq = `${s.name}.${s.ns}.svc.cluster.local`;
  if (dns === '*' || dns === fq) return true;
  if (dns.startsWith('*')) return fq.endsWith(dns.slice(1)) ? true : false;
  if (dns === s.name || dns === `${s.name}.${s.ns}` || dns.startsWith(`${s.name}.${s.ns}.svc`)) return 'unknown';
  return false;
}
