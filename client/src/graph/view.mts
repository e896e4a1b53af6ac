/// <reference lib="dom" />
/**
 * The mesh graph page (the `meshlint graph --format html` file and the VS Code webview): lays out the graph
 * with dagre, draws SVG, filters by namespace, searches, highlights a node's neighbours, and shows what an
 * edge carries. In VS Code a click posts {type:'open', location} to the extension, which opens the file.
 * Bundled with dagre into server/out/graph-view.js; no network.
 */
import dagre from '@dagrejs/dagre';
import type { MeshGraph, GraphNode, GraphEdge, EdgeState } from '../../../server/src/core/features/graph.js';

interface VsCodeApi {
  postMessage(m: unknown): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

const COLORS: Record<EdgeState, string> = { mtls: '#2e7d32', plaintext: '#ef6c00', passthrough: '#c62828', denied: '#b71c1c', unknown: '#757575', selects: '#9e9e9e' };
const LABEL: Record<EdgeState, string> = { mtls: 'mTLS', plaintext: 'plaintext', passthrough: 'PassthroughCluster', denied: 'denied', unknown: 'unknown', selects: '' };
const SVG = 'http://www.w3.org/2000/svg';

const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
let graph: MeshGraph = JSON.parse(document.getElementById('meshlint-graph-data')?.textContent || '{"nodes":[],"edges":[]}');
let selected: string | undefined;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
const svgEl = (tag: string, attrs: Record<string, string | number>) => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};

const root = document.getElementById('meshlint-graph')!;
const toolbar = el('div', { class: 'toolbar' });
const nsSelect = el('select', { id: 'ns', 'aria-label': 'namespace' });
const search = el('input', { id: 'search', type: 'search', placeholder: 'Search workloads and Services', 'aria-label': 'search' });
const legend = el('span', { class: 'legend' });
for (const s of ['mtls', 'plaintext', 'passthrough', 'denied', 'unknown'] as EdgeState[]) {
  const item = el('span', { class: 'key' }, LABEL[s]);
  item.style.borderColor = COLORS[s];
  legend.append(item);
}
toolbar.append(nsSelect, search, legend);
const canvas = el('div', { class: 'canvas' });
const details = el('div', { class: 'details', id: 'details' }, 'Click a node or an edge.');
root.append(toolbar, canvas, details);

function namespaces(): string[] {
  return [...new Set(graph.nodes.map((n) => n.namespace).filter(Boolean))].sort();
}

function fillNamespaces(): void {
  const cur = nsSelect.value;
  nsSelect.replaceChildren(el('option', { value: '' }, 'All namespaces'), ...namespaces().map((n) => el('option', { value: n }, n)));
  nsSelect.value = namespaces().includes(cur) ? cur : '';
}

function visible(): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const ns = nsSelect.value;
  if (!ns) return graph;
  const keep = new Set(graph.nodes.filter((n) => n.namespace === ns).map((n) => n.id));
  // callers from elsewhere into this namespace stay visible
  for (const e of graph.edges) if (keep.has(e.to) || keep.has(e.from)) keep.add(e.from), keep.add(e.to);
  return { nodes: graph.nodes.filter((n) => keep.has(n.id)), edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)) };
}

function open(loc: unknown): void {
  if (vscode && loc) vscode.postMessage({ type: 'open', location: loc });
}

function showNode(n: GraphNode): void {
  details.replaceChildren(el('strong', {}, n.label), el('div', {}, n.detail), ...(n.location ? [el('div', { class: 'loc' }, `${n.location.file}`)] : []));
}

function showEdge(e: GraphEdge): void {
  const from = graph.nodes.find((n) => n.id === e.from)?.label ?? e.from;
  const to = graph.nodes.find((n) => n.id === e.to)?.label ?? e.to;
  const items = [el('strong', {}, `${from} → ${to}`), el('div', {}, `${e.via}${e.port ? ` :${e.port}` : ''}: ${LABEL[e.state] || 'selects'}`)];
  if (e.location) items.push(el('div', { class: 'loc' }, e.location.file));
  for (const f of e.findings) items.push(el('div', { class: `finding ${f.severity}` }, `${f.rule}: ${f.message}`));
  details.replaceChildren(...items);
}

function render(): void {
  const { nodes, edges } = visible();
  const g = new dagre.graphlib.Graph({ multigraph: true });
  // network-simplex ranks more compactly; longest-path is about twice as fast on large workspaces
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 20, marginy: 20, ranker: nodes.length > 300 ? 'longest-path' : 'network-simplex' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: Math.max(70, n.label.length * 7 + 24), height: 30 });
  for (const e of edges) g.setEdge(e.from, e.to, {}, e.id);
  dagre.layout(g);
  const size = g.graph() as { width?: number; height?: number };
  const w = size.width ?? 100;
  const h = size.height ?? 100;
  const svg = svgEl('svg', { id: 'graph-svg', width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img' });
  // small graphs shrink to the panel (down to half size); large ones scroll at full size
  if (w <= 2 * Math.max(320, canvas.clientWidth)) svg.setAttribute('style', 'max-width: 100%; height: auto');
  const defs = svgEl('defs', {});
  for (const [s, c] of Object.entries(COLORS)) {
    const m = svgEl('marker', { id: `arrow-${s}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    m.append(svgEl('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: c }));
    defs.append(m);
  }
  svg.append(defs);
  const q = search.value.trim().toLowerCase();
  const neighbours = new Set<string>();
  if (selected) for (const e of edges) if (e.from === selected || e.to === selected) neighbours.add(e.from), neighbours.add(e.to);
  for (const e of edges) {
    const pts = (g.edge({ v: e.from, w: e.to, name: e.id }) as { points: { x: number; y: number }[] }).points;
    const d = pts.map((p, i) => `${i ? 'L' : 'M'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
    const dim = selected && e.from !== selected && e.to !== selected;
    const path = svgEl('path', { d, class: `edge ${e.state}${dim ? ' dim' : ''}`, stroke: COLORS[e.state], 'stroke-width': e.state === 'selects' ? 1 : 2, fill: 'none', 'marker-end': `url(#arrow-${e.state})`, 'data-edge': e.id });
    if (e.state === 'plaintext' || e.state === 'passthrough') path.setAttribute('stroke-dasharray', '6 4');
    if (e.state === 'selects' || e.state === 'unknown') path.setAttribute('stroke-dasharray', '2 3');
    const title = svgEl('title', {});
    title.textContent = `${LABEL[e.state] || 'selects'}${e.findings.length ? `: ${e.findings.map((f) => f.rule).join(', ')}` : ''}`;
    path.append(title);
    path.addEventListener('click', (ev) => {
      ev.stopPropagation();
      showEdge(e);
      open(e.location);
    });
    svg.append(path);
  }
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    const dim = (selected && !neighbours.has(n.id) && n.id !== selected) || (q && !n.label.toLowerCase().includes(q) && !n.namespace.toLowerCase().includes(q));
    const grp = svgEl('g', { class: `node ${n.kind} mesh-${n.mesh}${dim ? ' dim' : ''}${n.id === selected ? ' selected' : ''}${q && !dim ? ' match' : ''}`, transform: `translate(${(p.x - p.width / 2).toFixed(1)},${(p.y - p.height / 2).toFixed(1)})`, 'data-node': n.id, tabindex: 0 });
    const rx = n.kind === 'service' ? 15 : n.kind === 'external' ? 2 : 4;
    grp.append(svgEl('rect', { width: p.width, height: p.height, rx, ry: rx }));
    const t = svgEl('text', { x: p.width / 2, y: p.height / 2 + 4, 'text-anchor': 'middle' });
    t.textContent = n.label;
    grp.append(t);
    const title = svgEl('title', {});
    title.textContent = n.detail;
    grp.append(title);
    grp.addEventListener('click', (ev) => {
      ev.stopPropagation();
      selected = selected === n.id ? undefined : n.id;
      showNode(n);
      open(n.location);
      render();
    });
    svg.append(grp);
  }
  svg.addEventListener('click', () => {
    if (!selected) return;
    selected = undefined;
    render();
  });
  canvas.replaceChildren(svg);
  document.body.dataset.rendered = String(nodes.length);
}

nsSelect.addEventListener('change', () => {
  selected = undefined;
  render();
});
search.addEventListener('input', () => render());
window.addEventListener('message', (ev: MessageEvent) => {
  const m = ev.data as { type?: string; graph?: MeshGraph };
  if (m?.type === 'graph' && m.graph) {
    graph = m.graph;
    if (selected && !graph.nodes.some((n) => n.id === selected)) selected = undefined;
    fillNamespaces();
    render();
  }
});
fillNamespaces();
render();
