/**
 * The mTLS coverage tree view: namespaces -> workloads -> (membership, Services, ports with their
 * effective mTLS mode, callers outside the mesh). Data comes from the server's `meshlint/coverage`
 * request; the view refreshes on `meshlint/modelChanged` (only while visible).
 */
import * as vscode from 'vscode';
import type { CoverageResult, LspSpan } from '../../server/src/lsp/protocol';
import type { NamespaceCoverage, WorkloadCoverage, PortCoverage, CallerCoverage, ServiceCoverage } from '../../server/src/core/features/coverage';

type Located<T> = { [K in keyof T]: T[K] extends { file: string; start: number; end: number } | undefined ? LspSpan | undefined : T[K] };

type Node =
  | { type: 'summary'; data: CoverageResult }
  | { type: 'namespace'; ns: NamespaceCoverage }
  | { type: 'workload'; w: WorkloadCoverage }
  | { type: 'membership'; w: WorkloadCoverage }
  | { type: 'service'; s: ServiceCoverage }
  | { type: 'port'; w: WorkloadCoverage; p: PortCoverage }
  | { type: 'caller'; c: CallerCoverage }
  | { type: 'message'; text: string };

function openCommand(span: unknown, title = 'Open'): vscode.Command | undefined {
  const s = span as LspSpan | undefined;
  if (!s?.uri || !s.range) return undefined;
  const r = s.range;
  return {
    command: 'vscode.open',
    title,
    arguments: [vscode.Uri.parse(s.uri), { selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character) } satisfies vscode.TextDocumentShowOptions],
  };
}

function allStrict(w: WorkloadCoverage): boolean {
  return (w.membership === 'sidecar' || w.membership === 'ambient') && w.ports.length > 0 && w.ports.every((p) => p.mode === 'STRICT');
}

function lockIcon(locked: boolean, warn = false): vscode.ThemeIcon {
  return locked ? new vscode.ThemeIcon('lock', new vscode.ThemeColor('testing.iconPassed')) : new vscode.ThemeIcon('unlock', warn ? new vscode.ThemeColor('list.warningForeground') : undefined);
}

export class CoverageProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private data: CoverageResult | undefined;
  private error: string | undefined;
  private loading = false;
  private dirty = true;
  private timer: NodeJS.Timeout | undefined;
  view: vscode.TreeView<Node> | undefined;

  constructor(private readonly fetch: () => Promise<CoverageResult | null>) {}

  attach(view: vscode.TreeView<Node>): vscode.Disposable {
    this.view = view;
    return view.onDidChangeVisibility((e) => {
      if (e.visible && this.dirty) this.refresh();
    });
  }

  /** The model changed: refresh soon if visible, else on the next reveal. */
  modelChanged(): void {
    this.dirty = true;
    if (!this.view?.visible) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 300);
  }

  async refresh(): Promise<void> {
    if (this.loading) {
      this.dirty = true;
      return;
    }
    this.loading = true;
    this.dirty = false;
    try {
      const d = await this.fetch();
      this.data = d ?? undefined;
      this.error = undefined;
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.loading = false;
    }
    if (this.view) {
      this.view.message = this.data ? undefined : this.error ? `meshlint: ${this.error}` : 'meshlint is indexing the workspace…';
      this.view.description = this.data ? `${this.data.summary.percent}%` : undefined;
    }
    this.changed.fire(undefined);
    if (this.dirty) void this.refresh();
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      if (!this.data) return [{ type: 'message', text: this.error ? `Coverage unavailable: ${this.error}` : 'Indexing…' }];
      if (!this.data.namespaces.length) return [{ type: 'message', text: 'No workloads (Deployments, StatefulSets, Pods…) in the workspace' }];
      return [{ type: 'summary', data: this.data }, ...this.data.namespaces.map((ns): Node => ({ type: 'namespace', ns }))];
    }
    switch (node.type) {
      case 'namespace':
        return [...node.ns.workloads.map((w): Node => ({ type: 'workload', w })), ...node.ns.servicesWithoutWorkloads.map((s): Node => ({ type: 'service', s }))];
      case 'workload':
        return [
          { type: 'membership', w: node.w },
          ...node.w.services.map((s): Node => ({ type: 'service', s })),
          ...node.w.ports.map((p): Node => ({ type: 'port', w: node.w, p })),
          ...node.w.callersOutside.map((c): Node => ({ type: 'caller', c })),
        ];
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const None = vscode.TreeItemCollapsibleState.None;
    switch (node.type) {
      case 'message':
        return new vscode.TreeItem(node.text, None);
      case 'summary': {
        const it = new vscode.TreeItem(`Mesh coverage: ${node.data.summary.text}`, None);
        it.iconPath = new vscode.ThemeIcon('shield');
        it.tooltip = `Root namespace ${node.data.meshConfig.rootNamespace}; auto mTLS ${node.data.meshConfig.enableAutoMtls ? 'on' : 'off'}`;
        return it;
      }
      case 'namespace': {
        const it = new vscode.TreeItem(node.ns.name, vscode.TreeItemCollapsibleState.Expanded);
        it.description = node.ns.summary.text;
        it.iconPath = new vscode.ThemeIcon('symbol-namespace');
        it.contextValue = 'namespace';
        it.command = openCommand(node.ns.location, 'Open Namespace');
        it.id = `ns:${node.ns.name}`;
        return it;
      }
      case 'workload': {
        const w = node.w;
        const it = new vscode.TreeItem(w.name, vscode.TreeItemCollapsibleState.Collapsed);
        it.description = w.description;
        it.iconPath = lockIcon(allStrict(w), w.membership === 'outside' || w.callersOutside.length > 0);
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${w.kind} ${w.namespace}/${w.name}**\n\n`);
        md.appendMarkdown(`Mesh: **${w.membership}**: ${w.reason}\n\n`);
        for (const p of w.ports) md.appendMarkdown(`- port ${p.port}${p.via.length ? ` (${p.via.join(', ')})` : ''}: **${p.mode ?? 'plaintext'}**, ${p.source}\n`);
        if (w.callersOutside.length) md.appendMarkdown(`\nCallers outside the mesh:\n${w.callersOutside.map((c) => `- ${c.description}`).join('\n')}\n`);
        it.tooltip = md;
        it.command = openCommand(w.location, 'Open manifest');
        it.contextValue = `workload.${w.membership}`;
        it.id = `w:${w.namespace}/${w.kind}/${w.name}`;
        return it;
      }
      case 'membership': {
        const w = node.w;
        const it = new vscode.TreeItem(`mesh: ${w.membership}`, None);
        it.description = w.reason;
        it.tooltip = w.reason;
        it.iconPath = new vscode.ThemeIcon(w.membership === 'outside' ? 'circle-slash' : w.membership === 'unknown' ? 'question' : 'pass');
        it.command = openCommand((w as Located<WorkloadCoverage>).membershipLocation ?? w.location, 'Open');
        return it;
      }
      case 'service': {
        const s = node.s;
        const it = new vscode.TreeItem(`Service ${s.name}`, None);
        it.description = s.ports.map((p) => `${p.port}${p.targetPort !== undefined && p.targetPort !== p.port ? `→${p.targetPort}` : ''}`).join(', ');
        it.iconPath = new vscode.ThemeIcon('plug');
        it.command = openCommand(s.location, 'Open Service');
        return it;
      }
      case 'port': {
        const p = node.p;
        const it = new vscode.TreeItem(`port ${p.port}${p.name ? ` (${p.name})` : ''}`, None);
        it.description = `${p.mode ?? 'plaintext'} · ${p.source}`;
        it.tooltip = `${p.mode ?? 'plaintext'}: ${p.source}${p.via.length ? `\nreached through ${p.via.join(', ')}` : ''}`;
        it.iconPath = lockIcon(p.mode === 'STRICT', p.mode === null || p.mode === 'DISABLE');
        it.command = openCommand(p.location, 'Open policy');
        return it;
      }
      case 'caller': {
        const c = node.c;
        const it = new vscode.TreeItem(c.description, None);
        it.description = `→ ${c.service}${c.port ? `:${c.port}` : ''} · ${c.mesh === 'outside' ? 'outside the mesh' : 'membership unknown'}`;
        it.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        it.tooltip = `${c.kind} caller ${c.mesh === 'outside' ? 'outside the mesh: it sends plaintext and has no mesh identity' : 'whose mesh membership the workspace does not show'}`;
        it.command = openCommand(c.location, 'Open caller');
        return it;
      }
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}
