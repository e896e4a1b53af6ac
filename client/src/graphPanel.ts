/**
 * "meshlint: Show Mesh Graph": the server's mesh graph in a webview that follows edits (it asks again on
 * every new analysis) and opens the manifest or nginx line behind a clicked node or edge. The page is the
 * CLI's HTML (server/src/graph/html.ts) with the webview's CSP and a nonce; no network.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { graphHtml } from '../../server/src/graph/html';
import type { GraphResult, LspRange } from '../../server/src/lsp/protocol';

export class GraphPanel {
  private panel?: vscode.WebviewPanel;
  private generation = -1;

  constructor(
    private readonly extensionPath: string,
    private readonly fetch: () => Promise<GraphResult | null>,
  ) {}

  get visible(): boolean {
    return !!this.panel;
  }

  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('meshlint.graph', 'Mesh Graph', vscode.ViewColumn.Beside, { enableScripts: true, localResourceRoots: [], retainContextWhenHidden: true });
    this.panel = panel;
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.generation = -1;
    });
    panel.webview.onDidReceiveMessage((m: { type?: string; location?: { uri?: string; range?: LspRange } }) => {
      if (m?.type === 'open' && m.location?.uri && m.location.range) void this.open(m.location.uri, m.location.range);
    });
    const g = await this.fetch();
    const nonce = randomBytes(16).toString('base64');
    const csp = `default-src 'none'; style-src ${panel.webview.cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}'`;
    const script = fs.readFileSync(path.join(this.extensionPath, 'server', 'out', 'graph-view.js'), 'utf8');
    panel.webview.html = graphHtml(g ?? { nodes: [], edges: [] }, { nonce, csp, script, title: 'meshlint: mesh graph' });
    this.generation = g?.generation ?? -1;
  }

  /** A new analysis: refresh the open graph. */
  async modelChanged(): Promise<void> {
    if (!this.panel) return;
    const g = await this.fetch();
    if (!g || g.generation === this.generation || !this.panel) return;
    this.generation = g.generation;
    await this.panel.webview.postMessage({ type: 'graph', graph: g });
  }

  private async open(uri: string, r: LspRange): Promise<void> {
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: range, preserveFocus: false });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
