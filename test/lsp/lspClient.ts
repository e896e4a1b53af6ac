/**
 * A small LSP client for the tests: spawns the bundled server over stdio, answers the server's
 * requests (progress tokens, registrations, configuration), records notifications, and keeps
 * open documents so edits can be applied the way an editor would.
 */
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  CodeAction,
  Diagnostic,
  Hover,
  InitializeResult,
  Position,
  PublishDiagnosticsParams,
  Range,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SERVER = path.join(ROOT, 'server', 'out', 'server.js');

/** Copies a folder of the repository to a fresh temp dir (the repo's copy is never touched). */
export function tempCopy(rel: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-lsp-'));
  fs.cpSync(path.join(ROOT, rel), dir, { recursive: true });
  return dir;
}

export const capabilities: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeWatchedFiles: { dynamicRegistration: true },
    didChangeConfiguration: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
  },
  window: { workDoneProgress: true },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: true },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, tagSupport: { valueSet: [1, 2] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
      isPreferredSupport: true,
    },
  },
};

interface OpenDoc {
  uri: string;
  text: string;
  version: number;
}

export class LspClient {
  readonly proc: ChildProcess | undefined;
  readonly conn: MessageConnection;
  readonly diagnostics = new Map<string, Diagnostic[]>();
  /** every publishDiagnostics with the time it arrived */
  readonly published: { at: number; params: PublishDiagnosticsParams }[] = [];
  readonly progress: { token: unknown; value: { kind: string; title?: string; message?: string; percentage?: number } }[] = [];
  readonly progressTokens: unknown[] = [];
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly logs: string[] = [];
  readonly docs = new Map<string, OpenDoc>();
  settings: unknown = {};
  stderr = '';
  private waiters: (() => void)[] = [];
  exited = false;

  /**
   * @param streams when given, talk to an in-process server over these streams instead of
   *   spawning the bundled one (`toServer` is what the server reads, `fromServer` what it writes)
   */
  constructor(
    readonly root: string,
    streams?: { toServer: NodeJS.WritableStream; fromServer: NodeJS.ReadableStream },
  ) {
    if (streams) {
      this.conn = createMessageConnection(new StreamMessageReader(streams.fromServer), new StreamMessageWriter(streams.toServer));
    } else {
      const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
      this.proc = proc;
      proc.stderr!.on('data', (d) => (this.stderr += String(d)));
      proc.on('exit', () => {
        this.exited = true;
        this.wake();
      });
      this.conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    }
    this.conn.onRequest('window/workDoneProgress/create', (p: { token: unknown }) => {
      this.progressTokens.push(p.token);
      return null;
    });
    this.conn.onRequest('client/registerCapability', (p: { registrations: { method: string; registerOptions?: unknown }[] }) => {
      this.registrations.push(...p.registrations);
      return null;
    });
    this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.settings));
    this.conn.onRequest('window/showMessageRequest', (p: { message: string }) => {
      this.logs.push(p.message);
      return null;
    });
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.published.push({ at: performance.now(), params: p });
      this.wake();
    });
    this.conn.onNotification('$/progress', (p: { token: unknown; value: LspClient['progress'][number]['value'] }) => {
      this.progress.push(p);
      this.wake();
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => void this.logs.push(p.message));
    this.conn.onNotification('window/showMessage', (p: { message: string }) => void this.logs.push(p.message));
    this.conn.onUnhandledNotification((n) => {
      this.notifications.push({ method: n.method, params: n.params });
      this.wake();
    });
    this.conn.listen();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `probe` returns something other than undefined/false (checked on every message). */
  async waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v as T;
      if (this.exited) throw new Error(`server exited while waiting for ${what}\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; diagnostics now:\n${this.describe()}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  uri(rel: string): string {
    return pathToFileURL(path.join(this.root, rel)).href;
  }

  rel(uri: string): string {
    return path.relative(this.root, new URL(uri).pathname).split(path.sep).join('/');
  }

  describe(): string {
    const lines: string[] = [];
    for (const [uri, ds] of this.diagnostics) for (const d of ds) lines.push(`  ${this.rel(uri)}:${d.range.start.line + 1} ${d.code}: ${String(d.message).slice(0, 80)}`);
    return lines.join('\n') || '  (none)';
  }

  codes(rel: string): string[] {
    return (this.diagnostics.get(this.uri(rel)) ?? []).map((d) => String(d.code));
  }

  find(code: string, rel?: string): { uri: string; d: Diagnostic } | undefined {
    for (const [uri, ds] of this.diagnostics) {
      if (rel && uri !== this.uri(rel)) continue;
      const d = ds.find((x) => x.code === code);
      if (d) return { uri, d };
    }
    return undefined;
  }

  async initialize(extra: { initializationOptions?: unknown; folders?: string[] } = {}): Promise<InitializeResult> {
    const folders = extra.folders ?? [this.root];
    const res = (await this.conn.sendRequest('initialize', {
      // no process id for an in-process server (its watchdog would keep the test alive)
      processId: this.proc ? process.pid : null,
      rootUri: pathToFileURL(folders[0]).href,
      workspaceFolders: folders.map((f) => ({ uri: pathToFileURL(f).href, name: path.basename(f) })),
      capabilities,
      initializationOptions: extra.initializationOptions,
    })) as InitializeResult;
    await this.conn.sendNotification('initialized', {});
    return res;
  }

  async open(rel: string, languageId = rel.endsWith('.conf') ? 'nginx' : 'yaml'): Promise<OpenDoc> {
    const uri = this.uri(rel);
    const text = fs.readFileSync(path.join(this.root, rel), 'utf8');
    const doc = { uri, text, version: 1 };
    this.docs.set(uri, doc);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return doc;
  }

  async close(rel: string): Promise<void> {
    const uri = this.uri(rel);
    this.docs.delete(uri);
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Replaces the first match of `re` in an open document (an incremental didChange). */
  async replaceIn(rel: string, re: RegExp, replacement: string): Promise<void> {
    const doc = this.docs.get(this.uri(rel));
    if (!doc) throw new Error(`${rel} is not open`);
    const m = re.exec(doc.text);
    if (!m) throw new Error(`${rel}: no match for ${re}`);
    await this.applyTextEdits(doc.uri, [{ range: { start: offsetToPos(doc.text, m.index), end: offsetToPos(doc.text, m.index + m[0].length) }, newText: replacement }]);
  }

  /** Applies edits to an open document and sends them as one incremental didChange. */
  async applyTextEdits(uri: string, edits: TextEdit[]): Promise<void> {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    const sorted = [...edits].sort((a, b) => cmpPos(b.range.start, a.range.start));
    const changes = [];
    for (const e of sorted) {
      const s = posToOffset(doc.text, e.range.start);
      const en = posToOffset(doc.text, e.range.end);
      doc.text = doc.text.slice(0, s) + e.newText + doc.text.slice(en);
      changes.push({ range: e.range, text: e.newText });
    }
    doc.version++;
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: changes });
  }

  /**
   * Applies a WorkspaceEdit like an editor: open documents get didChange, closed files are
   * written to disk and reported through didChangeWatchedFiles; CreateFile creates the file.
   */
  async applyWorkspaceEdit(edit: WorkspaceEdit): Promise<string[]> {
    const touched: string[] = [];
    const events: { uri: string; type: number }[] = [];
    const onDisk = async (uri: string, edits: TextEdit[]) => {
      const file = new URL(uri).pathname;
      const text = fs.readFileSync(file, 'utf8');
      const sorted = [...edits].sort((a, b) => cmpPos(b.range.start, a.range.start));
      let out = text;
      for (const e of sorted) out = out.slice(0, posToOffset(out, e.range.start)) + e.newText + out.slice(posToOffset(out, e.range.end));
      fs.writeFileSync(file, out);
      if (!events.some((x) => x.uri === uri)) events.push({ uri, type: 2 });
    };
    const apply = async (uri: string, edits: TextEdit[]) => {
      touched.push(uri);
      if (this.docs.has(uri)) await this.applyTextEdits(uri, edits);
      else await onDisk(uri, edits);
    };
    for (const ch of edit.documentChanges ?? []) {
      if ('kind' in ch) {
        if (ch.kind !== 'create') throw new Error(`unexpected resource operation ${ch.kind}`);
        const file = new URL(ch.uri).pathname;
        if (!fs.existsSync(file) || ch.options?.overwrite) {
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, '');
        }
        events.push({ uri: ch.uri, type: 1 });
        touched.push(ch.uri);
      } else {
        await apply(ch.textDocument.uri, ch.edits as TextEdit[]);
      }
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) await apply(uri, edits);
    if (events.length) await this.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: events });
    return touched;
  }

  async watched(changes: { rel: string; type: 1 | 2 | 3 }[]): Promise<void> {
    await this.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map((c) => ({ uri: this.uri(c.rel), type: c.type })) });
  }

  hover(rel: string, pos: Position): Promise<Hover | null> {
    return this.conn.sendRequest('textDocument/hover', { textDocument: { uri: this.uri(rel) }, position: pos }) as Promise<Hover | null>;
  }

  codeActions(rel: string, range: Range, diagnostics: Diagnostic[] = [], only?: string[]): Promise<CodeAction[]> {
    return this.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: this.uri(rel) }, range, context: { diagnostics, only } }) as Promise<CodeAction[]>;
  }

  /** Position of group `group` of `re` in a file (open text, else disk), `delta` characters in. */
  positionOf(rel: string, re: RegExp, group = 1, delta = 1): Position {
    const text = this.docs.get(this.uri(rel))?.text ?? fs.readFileSync(path.join(this.root, rel), 'utf8');
    const m = re.exec(text);
    if (!m) throw new Error(`${rel}: no match for ${re}`);
    const start = m.index + (group === 0 ? 0 : m[0].indexOf(m[group]));
    return offsetToPos(text, start + delta);
  }

  async stop(): Promise<void> {
    if (!this.proc) {
      await Promise.race([this.conn.sendRequest('shutdown').catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      this.conn.dispose();
      return;
    }
    if (!this.exited) {
      try {
        await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await this.conn.sendNotification('exit');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 100));
      if (!this.exited) this.proc.kill();
    }
    this.conn.dispose();
  }
}

export function offsetToPos(text: string, offset: number): Position {
  let line = 0;
  let ls = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      ls = i + 1;
    }
  }
  return { line, character: offset - ls };
}

export function posToOffset(text: string, p: Position): number {
  let line = 0;
  let i = 0;
  while (line < p.line && i < text.length) {
    if (text.charCodeAt(i) === 10) line++;
    i++;
  }
  return Math.min(text.length, i + p.character);
}

function cmpPos(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function hoverText(h: Hover | null): string {
  if (!h) return '';
  const c = h.contents as unknown;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n');
  return (c as { value: string }).value;
}
