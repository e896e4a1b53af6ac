/**
 * One self-contained HTML page for the mesh graph: the data as JSON, the bundled view script (dagre
 * included, server/out/graph-view.js), styles; nothing fetched. The CLI writes it; the VS Code webview
 * loads the same page with a nonce and its own CSP.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MeshGraph } from '../core/features/graph';

export function graphViewScript(): string {
  for (const p of [path.join(__dirname, 'graph-view.js'), path.join(__dirname, '..', '..', 'server', 'out', 'graph-view.js'), path.join(__dirname, '..', 'out', 'graph-view.js')]) {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      // next candidate
    }
  }
  throw new Error('server/out/graph-view.js is missing: run `npm run build`');
}

const STYLE = `
body { margin: 0; font: 13px/1.4 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--vscode-foreground, #222); background: var(--vscode-editor-background, #fff); }
#meshlint-graph { display: grid; grid-template-rows: auto 1fr auto; height: 100vh; }
.toolbar { display: flex; gap: 8px; align-items: center; padding: 6px 10px; border-bottom: 1px solid #8884; flex-wrap: wrap; }
.toolbar input, .toolbar select { font: inherit; padding: 2px 6px; }
.legend .key { border-bottom: 3px solid; margin-right: 10px; padding: 0 2px; }
.canvas { overflow: auto; }
.details { border-top: 1px solid #8884; padding: 6px 10px; max-height: 30vh; overflow: auto; }
.details .loc { opacity: .7; font-family: monospace; }
.details .finding.error { color: #c62828; } .details .finding.warning { color: #b26a00; }
g.node { cursor: pointer; }
g.node rect { fill: #e3f2fd; stroke: #1565c0; stroke-width: 1.2; }
g.node.service rect { fill: #ede7f6; stroke: #4527a0; }
g.node.external rect { fill: #fff3e0; stroke: #e65100; }
g.node.mesh-none rect { stroke-dasharray: 4 3; fill: #f5f5f5; }
g.node.selected rect { stroke-width: 3; }
g.node.match rect { stroke: #f9a825; stroke-width: 3; }
g.node text { font-size: 12px; fill: #222; pointer-events: none; }
.dim { opacity: .18; }
path.edge { cursor: pointer; }
`;

export function graphHtml(graph: MeshGraph, opts: { title?: string; nonce?: string; csp?: string; script?: string } = {}): string {
  const nonce = opts.nonce ? ` nonce="${opts.nonce}"` : '';
  const csp = opts.csp ?? "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";
  // </script> inside the JSON would end the element: escape '<'
  const data = JSON.stringify(graph).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title ?? 'meshlint: mesh graph')}</title>
<style${nonce}>${STYLE}</style>
</head>
<body>
<div id="meshlint-graph"></div>
<script id="meshlint-graph-data" type="application/json">${data}</script>
<script${nonce}>${(opts.script ?? graphViewScript()).replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
