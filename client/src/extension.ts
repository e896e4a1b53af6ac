/**
 * The VS Code client: starts the bundled language server over IPC and adds the coverage view,
 * a status bar item while indexing, an output channel and the commands. All analysis happens in
 * the server; this file only wires the editor to it.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  ErrorAction,
  ErrorHandler,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { CoverageProvider } from './coverageView';
import { GraphPanel } from './graphPanel';
import {
  COVERAGE_REQUEST,
  CoverageParams,
  CoverageResult,
  GRAPH_REQUEST,
  GraphResult,
  MODEL_CHANGED_NOTIFICATION,
  STATUS_NOTIFICATION,
  StatusParams,
} from '../../server/src/lsp/protocol';

const VIEW_ID = 'meshlint.coverage';
/** restarts allowed within RESTART_WINDOW_MS before giving up */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60_000;

let client: LanguageClient | undefined;
let starting: Promise<void> | undefined;

/** Restarts a crashed server a few times, then stops and offers a manual restart. */
class RestartingErrorHandler implements ErrorHandler {
  private restarts: number[] = [];
  constructor(private readonly output: vscode.OutputChannel) {}

  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    this.output.appendLine(`[client] connection error (${count ?? 1}): ${error.message}`);
    return { action: count !== undefined && count > 3 ? ErrorAction.Shutdown : ErrorAction.Continue, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    this.restarts.push(now);
    if (this.restarts.length <= MAX_RESTARTS) {
      this.output.appendLine(`[client] the meshlint server stopped unexpectedly; restarting (${this.restarts.length}/${MAX_RESTARTS})`);
      return { action: CloseAction.Restart, handled: true };
    }
    void vscode.window.showErrorMessage(`meshlint: the server crashed ${MAX_RESTARTS} times in 3 minutes and was not restarted.`, 'Restart').then((pick) => {
      if (pick === 'Restart') void vscode.commands.executeCommand('meshlint.restartServer');
    });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<{ getCoverage: (p?: CoverageParams) => Promise<CoverageResult | null> }> {
  const output = vscode.window.createOutputChannel('meshlint', { log: true });
  context.subscriptions.push(output);

  const serverModule = context.asAbsolutePath('server/out/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6029'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'file', language: 'nginx' },
    ],
    synchronize: { configurationSection: 'meshlint' },
    outputChannel: output,
    diagnosticCollectionName: 'meshlint',
    errorHandler: new RestartingErrorHandler(output),
  };

  // status bar: shown while the server indexes
  const status = vscode.window.createStatusBarItem('meshlint.status', vscode.StatusBarAlignment.Left, 10);
  status.name = 'meshlint';
  status.command = 'meshlint.showOutput';
  context.subscriptions.push(status);
  const onStatus = (s: StatusParams) => {
    if (s.state === 'indexing') {
      status.text = `$(sync~spin) meshlint: ${s.message}`;
      status.tooltip = s.total ? `${s.done ?? 0} of ${s.total} files read` : s.message;
      status.show();
    } else if (s.ruleErrors?.length) {
      status.text = `$(warning) meshlint`;
      status.tooltip = `Rules that failed in the last analysis (the others ran): ${s.ruleErrors.join(', ')}. Click for the log.`;
      status.show();
    } else {
      status.hide();
    }
  };

  const provider = new CoverageProvider(async () => {
    const c = await ready();
    return c.sendRequest<CoverageResult | null>(COVERAGE_REQUEST, {});
  });
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  context.subscriptions.push(view, provider.attach(view), provider);

  const graphPanel = new GraphPanel(context.extensionPath, async () => {
    const c = await ready();
    return c.sendRequest<GraphResult | null>(GRAPH_REQUEST, {});
  });
  context.subscriptions.push(graphPanel);

  const create = () => {
    const c = new LanguageClient('meshlint', 'meshlint', serverOptions, clientOptions);
    c.onNotification(STATUS_NOTIFICATION, onStatus);
    c.onNotification(MODEL_CHANGED_NOTIFICATION, () => {
      provider.modelChanged();
      void graphPanel.modelChanged().catch((e) => output.appendLine(`[client] graph refresh failed: ${(e as Error).message}`));
    });
    c.onDidChangeState((e) => {
      if (e.newState === State.Stopped) status.hide();
    });
    return c;
  };

  async function ready(): Promise<LanguageClient> {
    if (!client) {
      client = create();
      starting = client.start();
    }
    await starting;
    return client;
  }

  const getCoverage = async (p?: CoverageParams): Promise<CoverageResult | null> => {
    const c = await ready();
    const params: CoverageParams = p && typeof p === 'object' && typeof p.namespace === 'string' ? { namespace: p.namespace } : {};
    return c.sendRequest<CoverageResult | null>(COVERAGE_REQUEST, params);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('meshlint.getCoverage', getCoverage),
    vscode.commands.registerCommand('meshlint.showCoverage', async () => {
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
      await provider.refresh();
    }),
    vscode.commands.registerCommand('meshlint.refreshCoverage', () => provider.refresh()),
    vscode.commands.registerCommand('meshlint.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('meshlint.showGraph', () => graphPanel.show()),
    vscode.commands.registerCommand('meshlint.getGraph', async () => (await ready()).sendRequest<GraphResult | null>(GRAPH_REQUEST, {})),
    // code lenses carry JSON (uri, position, locations); the editor's references peek wants editor types
    vscode.commands.registerCommand('meshlint.showReferences', async (uri: string, pos: { line: number; character: number }, locs: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[]) => {
      const c = await ready();
      const conv = c.protocol2CodeConverter;
      await vscode.commands.executeCommand('editor.action.showReferences', vscode.Uri.parse(uri), conv.asPosition(pos), locs.map((l) => conv.asLocation(l)));
    }),
    vscode.commands.registerCommand('meshlint.restartServer', async () => {
      output.appendLine('[client] restarting the meshlint server');
      try {
        if (!client) await ready();
        else if (client.state === State.Running) await client.restart();
        else {
          starting = client.start();
          await starting;
        }
      } catch (e) {
        output.appendLine(`[client] restart failed: ${(e as Error).message}`);
        void vscode.window.showErrorMessage(`meshlint: the server did not restart (${(e as Error).message}).`);
      }
      provider.modelChanged();
    }),
  );

  try {
    await ready();
  } catch (e) {
    output.appendLine(`[client] the meshlint server did not start: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`meshlint: the language server did not start (${(e as Error).message}). See the meshlint output.`);
  }
  if (view.visible) void provider.refresh();
  return { getCoverage };
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) await c.stop(3000);
}
