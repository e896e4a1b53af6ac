/**
 * The mesh graph: who calls whom, through which file and line, and what the mesh does with each call.
 * Nodes are workloads, Services and callers outside the workspace's workloads (ingress controllers,
 * Prometheus); edges are the model's callers (nginx, Ingress, VirtualService/HTTPRoute, scrape jobs) and
 * Service -> workload selection. Each call edge is marked from the findings on it and the mesh facts:
 * denied (a STRICT or ALLOW policy rejects it), passthrough (PassthroughCluster), plaintext, mtls, unknown.
 * Pure and JSON-serialisable; the CLI renders it as JSON, DOT, Mermaid or HTML.
 */
import type { Finding, Span } from '../types';
import type { MeshModel, MeshMode, Service, Workload, Caller } from '../model/model';
import { objSpan } from '../model/model';
import { nginxFacts } from '../model/nginx';
import { prometheusFacts } from '../model/prometheus';

export type NodeKind = 'workload' | 'service' | 'external';
export type EdgeState = 'mtls' | 'plaintext' | 'passthrough' | 'denied' | 'unknown' | 'selects';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  namespace: string;
  /** mesh membership (workloads and external callers), or the Service's backends' */
  mesh: MeshMode;
  detail: string;
  location?: Span;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  state: EdgeState;
  /** "nginx proxy_pass", "Ingress backend", ... */
  via: string;
  port?: number;
  location?: Span;
  findings: { rule: string; severity: Finding['severity']; message: string; location: Span }[];
}

export interface MeshGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const DENY_RULES = new Set(['strict-mtls-plaintext-client', 'authz-plaintext-denied', 'dr-tls-conflict']);
const PASSTHROUGH_RULES = new Set(['host-header-passthrough']);
const VIA: Record<Caller['kind'], string> = { ingress: 'Ingress backend', nginx: 'nginx proxy_pass', virtualservice: 'VirtualService route', httproute: 'HTTPRoute backendRef', prometheus: 'Prometheus scrape' };

const overlaps = (a: Span, b: Span) => a.file === b.file && a.start <= b.end && b.start <= a.end;

export function meshGraph(model: MeshModel, findings: readonly Finding[], opts: { namespace?: string } = {}): MeshGraph {
  nginxFacts(model);
  prometheusFacts(model);
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const wid = (w: Workload) => `workload:${w.ns}/${w.kind}/${w.name}`;
  const sid = (s: Service) => `service:${s.ns}/${s.name}`;
  const addWorkload = (w: Workload) => {
    const id = wid(w);
    if (!nodes.has(id)) {
      const m = model.membership(w);
      nodes.set(id, { id, kind: 'workload', label: w.name, namespace: w.ns, mesh: m.mode, detail: `${w.kind} ${w.ns}/${w.name}: ${m.mode === 'none' ? 'outside the mesh' : m.mode} (${m.reason})`, location: objSpan(w.obj) });
    }
    return id;
  };
  const addService = (s: Service) => {
    const id = sid(s);
    if (!nodes.has(id)) {
      nodes.set(id, { id, kind: 'service', label: s.name, namespace: s.ns, mesh: model.serviceMesh(s), detail: `Service ${s.ns}/${s.name}${s.ports.length ? ` (${s.ports.map((p) => p.port).join(', ')})` : ''}`, location: objSpan(s.obj) });
      for (const w of model.serviceWorkloads(s)) {
        const to = addWorkload(w);
        edges.push({ id: `${id}->${to}`, from: id, to, state: 'selects', via: 'selector', findings: [] });
      }
    }
    return id;
  };
  const inScope = (ns: string) => !opts.namespace || ns === opts.namespace;

  // findings indexed by file, to find the ones on an edge's reference or naming it as related
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    for (const file of new Set([f.file, ...(f.related ?? []).map((r) => r.span.file)])) {
      let l = byFile.get(file);
      if (!l) byFile.set(file, (l = []));
      l.push(f);
    }
  }
  const findingsOn = (span: Span) =>
    (byFile.get(span.file) ?? []).filter((f) => overlaps({ file: f.file, start: f.start, end: f.end }, span) || (f.related ?? []).some((r) => overlaps(r.span, span)));

  let n = 0;
  for (const c of model.callers()) {
    const s = c.service;
    const callerNs = c.from[0]?.ns ?? c.obj?.ns ?? s.ns;
    if (!inScope(s.ns) && !inScope(callerNs)) continue;
    const to = addService(s);
    let froms: string[];
    if (c.from.length) froms = c.from.map(addWorkload);
    else {
      // the caller is not a workload of the workspace (an ingress controller installed elsewhere, Prometheus, a gateway)
      const label = c.kind === 'ingress' && c.obj ? model.ingressController(c.obj).name : c.kind === 'prometheus' ? 'prometheus' : c.obj ? `${c.obj.kind} ${c.obj.name}` : c.kind;
      const id = `external:${label}`;
      if (!nodes.has(id)) nodes.set(id, { id, kind: 'external', label, namespace: '', mesh: c.mesh, detail: c.description, location: c.obj ? objSpan(c.obj) : c.span });
      froms = [id];
    }
    const on = findingsOn(c.span).map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, location: { file: f.file, start: f.start, end: f.end } }));
    const serious = on.filter((f) => f.severity === 'error' || f.severity === 'warning');
    const targetMesh = model.serviceMesh(s);
    const state: EdgeState = serious.some((f) => DENY_RULES.has(f.rule))
      ? 'denied'
      : serious.some((f) => PASSTHROUGH_RULES.has(f.rule))
        ? 'passthrough'
        : c.mesh === 'unknown' || targetMesh === 'unknown'
          ? 'unknown'
          : c.mesh !== 'none' && targetMesh !== 'none'
            ? 'mtls'
            : 'plaintext';
    for (const from of froms) edges.push({ id: `e${n++}`, from, to, state, via: VIA[c.kind], port: c.port, location: c.span, findings: on });
  }
  if (!opts.namespace) for (const s of model.services) addService(s);
  for (const w of model.workloads) if (inScope(w.ns)) addWorkload(w);
  return { nodes: [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), edges };
}

// ---------- text renderings ----------

const STYLE: Record<EdgeState, { color: string; label: string; dot: string }> = {
  mtls: { color: '#2e7d32', label: 'mTLS', dot: 'solid' },
  plaintext: { color: '#ef6c00', label: 'plaintext', dot: 'dashed' },
  passthrough: { color: '#c62828', label: 'PassthroughCluster', dot: 'dashed' },
  denied: { color: '#b71c1c', label: 'denied', dot: 'bold' },
  unknown: { color: '#757575', label: 'unknown', dot: 'dotted' },
  selects: { color: '#9e9e9e', label: '', dot: 'dotted' },
};

export const EDGE_STYLE = STYLE;

export function toDot(g: MeshGraph): string {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = ['digraph mesh {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
  const byNs = new Map<string, GraphNode[]>();
  for (const nd of g.nodes) byNs.set(nd.namespace, [...(byNs.get(nd.namespace) ?? []), nd]);
  let i = 0;
  for (const [ns, nds] of byNs) {
    const inner = nds.map((nd) => `    ${q(nd.id)} [label=${q(nd.label)}, shape=${nd.kind === 'service' ? 'ellipse' : nd.kind === 'external' ? 'hexagon' : 'box'}, style=${nd.mesh === 'none' ? 'dashed' : 'solid'}];`);
    if (ns) lines.push(`  subgraph cluster_${i++} {`, `    label=${q(ns)};`, ...inner, '  }');
    else lines.push(...inner.map((l) => l.slice(2)));
  }
  for (const e of g.edges) {
    const st = STYLE[e.state];
    const label = [st.label, e.port ? `:${e.port}` : ''].filter(Boolean).join(' ');
    lines.push(`  ${q(e.from)} -> ${q(e.to)} [color=${q(st.color)}, style=${st.dot}${label ? `, label=${q(label)}` : ''}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

export function toMermaid(g: MeshGraph): string {
  const ids = new Map(g.nodes.map((nd, i) => [nd.id, `n${i}`]));
  const esc = (s: string) => s.replace(/"/g, '#quot;');
  const lines = ['flowchart LR'];
  const byNs = new Map<string, GraphNode[]>();
  for (const nd of g.nodes) byNs.set(nd.namespace, [...(byNs.get(nd.namespace) ?? []), nd]);
  for (const [ns, nds] of byNs) {
    const shape = (nd: GraphNode) => (nd.kind === 'service' ? `(["${esc(nd.label)}"])` : nd.kind === 'external' ? `{{"${esc(nd.label)}"}}` : `["${esc(nd.label)}"]`);
    if (ns) lines.push(`  subgraph ${ns.replace(/[^\w-]/g, '_')}["${esc(ns)}"]`, ...nds.map((nd) => `    ${ids.get(nd.id)}${shape(nd)}`), '  end');
    else lines.push(...nds.map((nd) => `  ${ids.get(nd.id)}${shape(nd)}`));
  }
  g.edges.forEach((e, i) => {
    const st = STYLE[e.state];
    const arrow = e.state === 'selects' ? '-.->' : e.state === 'mtls' ? '==>' : '-->';
    lines.push(`  ${ids.get(e.from)} ${arrow}${st.label ? `|${st.label}${e.port ? ` :${e.port}` : ''}|` : ''} ${ids.get(e.to)}`);
    lines.push(`  linkStyle ${i} stroke:${st.color}`);
  });
  return lines.join('\n');
}
