/**
 * The mesh's references as links: every place a file names another object (a proxy_pass host and the
 * Service it reaches, a Service selector and the workloads it selects, a route subset and the
 * DestinationRule subset...). Go to definition follows a link from its source; find references walks the
 * links into an object backwards; rename rewrites the name at both ends. Pure, cached per model.
 */
import type { K8sObject } from '../source/yaml';
import type { Span } from '../types';
import { YNode, YScalar, get, seq, isMap, isScalar } from '../source/ynode';
import { MeshModel, Service, nameNode, objSpan, selects, describeObj } from '../model/model';
import { nginxFacts, hostHeader } from '../model/nginx';
import { prometheusFacts } from '../model/prometheus';
import { routing } from '../model/routing';
import { destinationRuleFor, istioFqdn } from '../model/destination';

export type LinkKind = 'calls' | 'selects' | 'host' | 'subset' | 'gateway' | 'parent' | 'upstream' | 'configmap' | 'include' | 'rollout';

export interface Link {
  kind: LinkKind;
  /** the referring text */
  from: Span;
  /** the referenced place (an object's name, a subset's name, an upstream block) */
  to: Span;
  /** the object the link leads to (for references and rename); none for an nginx upstream block */
  target?: K8sObject;
  /** the subset name, for subset links */
  subset?: string;
  /** where the target's own name sits inside `from` (rename edits it), when the reference spells it */
  nameSpan?: Span;
  /** one line for previews: "VirtualService shop/reviews routes to" */
  label: string;
}

const cache = new WeakMap<MeshModel, Link[]>();
const fileCache = new WeakMap<MeshModel, Map<string, Link[]>>();

/** Every link of the workspace (references, rename, code lens counts). */
export function links(model: MeshModel): Link[] {
  let l = cache.get(model);
  if (!l) cache.set(model, (l = build(model)));
  return l;
}

/** The links whose source is in `file` (go to definition): only that file's references are resolved. */
export function linksFrom(model: MeshModel, file: string): Link[] {
  const all = cache.get(model);
  if (all) return all.filter((l) => l.from.file === file);
  let m = fileCache.get(model);
  if (!m) fileCache.set(model, (m = new Map()));
  let l = m.get(file);
  if (!l) {
    if (m.size > 8) m.clear();
    m.set(file, (l = build(model, file)));
  }
  return l;
}

/** Spans of `from` where the name starts the text and ends at a label boundary (`was` in `was.ns.svc:80`). */
function leadingName(model: MeshModel, from: Span, name: string): Span | undefined {
  const text = model.text(from.file);
  if (text === undefined) return undefined;
  const s = text.slice(from.start, from.end);
  const i = s.toLowerCase().startsWith(name) ? 0 : s.toLowerCase().indexOf('//' + name) >= 0 ? s.toLowerCase().indexOf('//' + name) + 2 : -1;
  if (i < 0) return undefined;
  const after = s[i + name.length];
  if (after !== undefined && !/[.:/;\s"']/.test(after)) return undefined;
  return { file: from.file, start: from.start + i, end: from.start + i + name.length };
}

function scalarSpan(o: K8sObject, n: YNode | undefined): Span | undefined {
  return n ? { file: o.file, start: n.start, end: n.end } : undefined;
}

function build(model: MeshModel, only?: string): Link[] {
  const out: Link[] = [];
  const here = (file: string) => only === undefined || file === only;
  // callers are collected lazily by the nginx and Prometheus facts
  nginxFacts(model);
  prometheusFacts(model);
  const svcLink = (kind: LinkKind, from: Span, s: Service, label: string) => {
    out.push({ kind, from, to: objSpan(s.obj), target: s.obj, nameSpan: leadingName(model, from, s.name), label });
  };
  for (const c of model.callers()) if (here(c.span.file)) svcLink('calls', c.span, c.service, c.description);

  // selectors: Service, PeerAuthentication, AuthorizationPolicy, RequestAuthentication, Sidecar, Telemetry
  const selectorLink = (o: K8sObject, node: YNode | undefined, labels: Record<string, string>) => {
    if (!here(o.file)) return;
    const from = scalarSpan(o, node);
    if (!from || !Object.keys(labels).length) return;
    for (const w of model.workloadsIn(o.ns)) if (selects(labels, w.podLabels)) out.push({ kind: 'selects', from, to: objSpan(w.obj), target: w.obj, label: `${describeObj(o)} selects` });
  };
  for (const s of model.services) if (s.selector) selectorLink(s.obj, get(s.obj.root, 'spec', 'selector'), s.selector);
  for (const kind of ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin']) {
    for (const o of model.kind(kind)) {
      const n = get(o.root, 'spec', 'selector', 'matchLabels');
      if (isMap(n)) selectorLink(o, n, mapOf(n));
    }
  }
  for (const o of model.kind('Sidecar')) {
    const n = get(o.root, 'spec', 'workloadSelector', 'labels');
    if (isMap(n)) selectorLink(o, n, mapOf(n));
  }

  const r = routing(model);
  // an Istio host: the Service it names, else the ServiceEntry declaring it (exact host, visible from ns)
  const hostLink = (kind: LinkKind, o: K8sObject, node: YNode, host: string, ns: string, label: string) => {
    const from = { file: o.file, start: node.start, end: node.end };
    const res = model.resolveIstioHost(host, ns);
    if (res.service) return svcLink(kind, from, res.service, label);
    const h = host.toLowerCase();
    const se = r.serviceEntries.find((e) => e.hosts.some((x) => x.toLowerCase() === h) && (e.ns === ns || !e.exportTo || e.exportTo.includes('*') || e.exportTo.includes(ns)));
    if (!se) return;
    const hn = seq(se.obj.root, 'spec', 'hosts').find((x) => isScalar(x) && String(x.v).toLowerCase() === h);
    out.push({ kind, from, to: hn ? { file: se.obj.file, start: hn.start, end: hn.end } : objSpan(se.obj), target: se.obj, label });
  };
  // VirtualService hosts, route hosts are callers already; subsets and gateways here
  for (const vs of r.virtualServices) {
    if (!here(vs.obj.file)) continue;
    for (const h of seq(vs.obj.root, 'spec', 'hosts')) if (isScalar(h)) hostLink('host', vs.obj, h, String(h.v), vs.ns, `${describeObj(vs.obj)} hosts`);
    for (const g of vs.gateways) {
      const gw = findGateway(model, g.ref, vs.ns);
      if (gw) out.push({ kind: 'gateway', from: { file: vs.obj.file, start: g.node.start, end: g.node.end }, to: objSpan(gw), target: gw, nameSpan: gatewayName(vs.obj, g.node, gw.name), label: `${describeObj(vs.obj)} binds to` });
    }
    for (const d of vs.destinations) {
      hostLink('host', vs.obj, d.hostNode, d.host, vs.ns, `${describeObj(vs.obj)} routes to`);
      const res = model.resolveIstioHost(d.host, vs.ns);
      if (!res.service) continue;
      if (!d.subset || !d.subsetNode) continue;
      const rules = destinationRuleFor(model, istioFqdn(d.host, vs.ns), res.service.ns, vs.ns).selection?.rules ?? [];
      const dr = rules.find((x) => x.subsets.some((y) => y.name === d.subset));
      const sub = dr?.subsets.find((x) => x.name === d.subset);
      if (!dr || !sub) continue;
      const nn = get(sub.node, 'name');
      const to = scalarSpan(dr.obj, nn) ?? scalarSpan(dr.obj, sub.node)!;
      out.push({ kind: 'subset', from: { file: vs.obj.file, start: d.subsetNode.start, end: d.subsetNode.end }, to, target: dr.obj, subset: d.subset, nameSpan: { file: vs.obj.file, start: d.subsetNode.start, end: d.subsetNode.end }, label: `${describeObj(vs.obj)} routes to subset ${d.subset} of` });
    }
  }
  for (const dr of model.destinationRules) {
    if (!dr.hostNode || !here(dr.obj.file)) continue;
    hostLink('host', dr.obj, dr.hostNode, dr.host, dr.ns, `${describeObj(dr.obj)} configures`);
  }
  for (const rt of r.routes) {
    if (!here(rt.obj.file)) continue;
    for (const b of rt.backends) {
      const svc = model.service(b.ns, b.name);
      if (svc) svcLink('calls', { file: rt.obj.file, start: b.nameNode.start, end: b.nameNode.end }, svc, `${describeObj(rt.obj)} routes to`);
    }
    for (const p of rt.parents) {
      const gw = r.k8sGateways.find((g) => g.name === p.name && g.ns === p.ns);
      if (gw) out.push({ kind: 'parent', from: { file: rt.obj.file, start: p.nameNode.start, end: p.nameNode.end }, to: objSpan(gw.obj), target: gw.obj, nameSpan: { file: rt.obj.file, start: p.nameNode.start, end: p.nameNode.end }, label: `${describeObj(rt.obj)} attaches to` });
    }
  }

  // nginx: a Host header that spells the target's name (rename must follow it, or the call falls to PassthroughCluster)
  const facts = nginxFacts(model);
  for (const t of facts.targets) {
    const svc = t.service ?? (t.upstream?.servers.length === 1 ? t.upstream.servers[0].service : undefined);
    if (!svc) continue;
    const h = hostHeader(facts, t);
    const arg = h.directive?.d.args[1];
    if (h.directive && !here(h.directive.file)) continue;
    if (!arg || h.unknown || !model.hostNames(svc, t.caller.ns ?? svc.ns).includes(h.value.toLowerCase().replace(/:\d+$/, ''))) continue;
    svcLink('host', { file: h.directive!.file, start: arg.start, end: arg.end }, svc, `nginx Host header for`);
  }
  // nginx: proxy_pass naming an upstream block, and the upstream's servers
  for (const t of facts.targets) {
    if (!t.upstream) continue;
    for (const sv of t.upstream.servers) if (sv.service && here(sv.file)) svcLink('calls', { file: sv.file, start: sv.arg.start, end: sv.arg.end }, sv.service, `upstream ${t.upstream.name} server`);
    const b = t.upstream.block;
    const nameArg = b.d.args[0];
    const file = t.hostFile ?? t.file;
    if (!here(file)) continue;
    out.push({
      kind: 'upstream',
      from: { file, start: t.hostStart, end: t.hostEnd },
      to: { file: b.file, start: nameArg?.start ?? b.d.nameStart, end: nameArg?.end ?? b.d.nameEnd },
      label: `proxy_pass to upstream ${t.upstream.name}`,
    });
  }

  // nginx includes: to the file(s) or ConfigMap keys the expansion reached
  for (const [d, { file, confs }] of facts.includeTargets) {
    const arg = d.args[0];
    if (!here(file)) continue;
    for (const c of confs) {
      const keyNode = c.configMap ? get(c.configMap.root, 'data') : undefined;
      const keyPair = isMap(keyNode) ? keyNode.items.find((p) => String(p.key.v) === c.key) : undefined;
      const to = keyPair ? { file: c.file, start: keyPair.key.start, end: keyPair.key.end } : { file: c.file, start: 0, end: 0 };
      out.push({ kind: 'include', from: { file, start: arg.start, end: arg.end }, to, target: c.configMap, label: `include ${arg.value}` });
    }
  }

  // Argo Rollouts: trafficRouting.istio refs and the canary/stable Services
  for (const ro of model.kind('Rollout')) {
    if (!here(ro.file)) continue;
    const canary = get(ro.root, 'spec', 'strategy', 'canary');
    const istio = get(canary, 'trafficRouting', 'istio');
    for (const ref of [get(istio, 'virtualService'), ...seq(istio, 'virtualServices')]) {
      const n = get(ref, 'name');
      if (!isScalar(n)) continue;
      const [name, ns] = String(n.v).split('.');
      const vs = r.virtualServices.find((v) => v.obj.name === name && v.ns === (ns ?? ro.ns));
      if (vs) out.push({ kind: 'rollout', from: { file: ro.file, start: n.start, end: n.end }, to: objSpan(vs.obj), target: vs.obj, label: `Rollout ${ro.ns}/${ro.name} shifts traffic through` });
    }
    const drRef = get(istio, 'destinationRule');
    const drName = get(drRef, 'name');
    const dr = isScalar(drName) ? model.destinationRules.find((d) => d.ns === ro.ns && d.obj.name === String(drName.v)) : undefined;
    if (dr && isScalar(drName)) {
      out.push({ kind: 'rollout', from: { file: ro.file, start: drName.start, end: drName.end }, to: objSpan(dr.obj), target: dr.obj, label: `Rollout ${ro.ns}/${ro.name} splits by subset through` });
      for (const k of ['canarySubsetName', 'stableSubsetName']) {
        const sn = get(drRef, k);
        const sub = isScalar(sn) ? dr.subsets.find((x) => x.name === String(sn.v)) : undefined;
        const nn = sub ? get(sub.node, 'name') : undefined;
        if (isScalar(sn) && sub && nn) out.push({ kind: 'subset', from: { file: ro.file, start: sn.start, end: sn.end }, to: { file: dr.obj.file, start: nn.start, end: nn.end }, target: dr.obj, subset: sub.name, nameSpan: { file: ro.file, start: sn.start, end: sn.end }, label: `Rollout ${ro.ns}/${ro.name} ${k}` });
      }
    }
    for (const k of ['canaryService', 'stableService']) {
      const sn = get(canary, k);
      const svc = isScalar(sn) ? model.service(ro.ns, String(sn.v)) : undefined;
      if (svc && isScalar(sn)) svcLink('calls', { file: ro.file, start: sn.start, end: sn.end }, svc, `Rollout ${ro.ns}/${ro.name} ${k}`);
    }
  }

  // workloads mounting ConfigMaps
  for (const w of model.workloads) {
    if (!here(w.obj.file)) continue;
    const spec = get(w.obj.root, ...w.templatePath, 'spec');
    for (const v of seq(spec, 'volumes')) {
      const n = get(v, 'configMap', 'name');
      if (!isScalar(n)) continue;
      const cm = model.kind('ConfigMap').find((c) => c.name === String(n.v) && c.ns === w.ns);
      if (cm) out.push({ kind: 'configmap', from: { file: w.obj.file, start: n.start, end: n.end }, to: objSpan(cm), target: cm, nameSpan: { file: w.obj.file, start: n.start, end: n.end }, label: `${describeObj(w.obj)} mounts` });
    }
  }
  return out;
}

function mapOf(n: YNode): Record<string, string> {
  const out: Record<string, string> = {};
  if (isMap(n)) for (const p of n.items) if (isScalar(p.value)) out[String(p.key.v)] = String(p.value.v);
  return out;
}

/** `gw`, `ns/gw` (Istio also accepts a FQDN-ish `gw.ns.svc.cluster.local`; not resolved here). */
export function findGateway(model: MeshModel, ref: string, fromNs: string): K8sObject | undefined {
  if (ref === 'mesh') return undefined;
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [fromNs, ref];
  return model.kind('Gateway').find((g) => g.group === 'networking.istio.io' && g.name === name && g.ns === ns);
}

function gatewayName(o: K8sObject, node: YScalar, name: string): Span | undefined {
  const v = String(node.v);
  const i = v.lastIndexOf('/') + 1;
  if (v.slice(i) !== name) return undefined;
  const q = node.style === 'single' || node.style === 'double' ? 1 : 0;
  return { file: o.file, start: node.start + q + i, end: node.start + q + i + name.length };
}

const inside = (s: Span, file: string, offset: number) => s.file === file && offset >= s.start && offset <= s.end;

/** Go to definition: the links whose source is under the cursor (the innermost). */
export function definition(model: MeshModel, file: string, offset: number): Link[] {
  const hits = linksFrom(model, file).filter((l) => inside(l.from, file, offset));
  if (!hits.length) return [];
  const w = Math.min(...hits.map((l) => l.from.end - l.from.start));
  const best = hits.filter((l) => l.from.end - l.from.start === w);
  const seen = new Set<string>();
  return best.filter((l) => {
    const k = `${l.to.file}:${l.to.start}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** What the cursor names for find references and rename: an object (by its metadata.name or body) or a subset. */
export interface Subject {
  obj: K8sObject;
  subset?: string;
  /** where its name is spelled at the definition */
  nameSpan?: Span;
}

export function subjectAt(model: MeshModel, file: string, offset: number): Subject | undefined {
  // on a reference: its target
  const d = definition(model, file, offset)[0];
  if (d?.target) return { obj: d.target, subset: d.subset, nameSpan: d.kind === 'subset' ? d.to : objNameSpan(d.target) };
  // on a DestinationRule subset name
  for (const dr of model.destinationRules) {
    if (dr.obj.file !== file) continue;
    for (const s of dr.subsets) {
      const n = get(s.node, 'name');
      if (isScalar(n) && offset >= n.start && offset <= n.end) return { obj: dr.obj, subset: s.name, nameSpan: { file, start: n.start, end: n.end } };
    }
  }
  // inside an object: the object
  let best: K8sObject | undefined;
  for (const o of model.objects) {
    if (o.file !== file || offset < o.root.start || offset > o.root.end) continue;
    if (!best || o.root.end - o.root.start < best.root.end - best.root.start) best = o;
  }
  return best && { obj: best, nameSpan: objNameSpan(best) };
}

function objNameSpan(o: K8sObject): Span | undefined {
  const n = nameNode(o);
  if (!n) return undefined;
  const q = n.style === 'single' || n.style === 'double' ? 1 : 0;
  return { file: o.file, start: n.start + q, end: n.end - q };
}

/**
 * Find references: every link into the subject (for a subset, only links to that subset). For a Service,
 * also the policies (AuthorizationPolicy, PeerAuthentication, Sidecar...) that select its workloads.
 */
export function references(model: MeshModel, subject: Subject): Link[] {
  const all = links(model);
  const out = all.filter((l) => l.target === subject.obj && (subject.subset === undefined || l.subset === subject.subset));
  const svc = subject.subset === undefined && subject.obj.kind === 'Service' ? model.services.find((s) => s.obj === subject.obj) : undefined;
  if (svc) {
    const pods = new Set(model.serviceWorkloads(svc).map((w) => w.obj));
    const seen = new Set<string>();
    for (const l of all) {
      if (l.kind !== 'selects' || !l.target || !pods.has(l.target) || l.from.file === svc.obj.file && l.from.start >= svc.obj.root.start && l.from.end <= svc.obj.root.end) continue;
      const k = `${l.from.file}:${l.from.start}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(l);
    }
  }
  return out;
}

export interface RenameEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
}

/**
 * Rename a Service, Gateway, ConfigMap or DestinationRule subset: its own name and every reference that
 * spells it. undefined (with the reason) when the subject cannot be renamed safely.
 */
export function rename(model: MeshModel, subject: Subject, newName: string): { edits: RenameEdit[] } | { error: string } {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(newName) || newName.length > 63) return { error: `"${newName}" is not a valid name (lower-case letters, digits and "-", at most 63 characters)` };
  const kind = subject.obj.kind;
  if (subject.subset === undefined && !['Service', 'Gateway', 'ConfigMap'].includes(kind)) return { error: `meshlint renames Services, Gateways, ConfigMaps and DestinationRule subsets (not a ${kind})` };
  if (!subject.nameSpan) return { error: 'the name is not spelled in the workspace' };
  const edits: RenameEdit[] = [{ ...subject.nameSpan, newText: newName }];
  for (const l of references(model, subject)) {
    if (!l.nameSpan) continue;
    edits.push({ ...l.nameSpan, newText: newName });
  }
  // one edit per place (two links can share a source, e.g. a caller and a host link)
  const seen = new Set<string>();
  return {
    edits: edits.filter((e) => {
      const k = `${e.file}:${e.start}:${e.end}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    }),
  };
}
