/**
 * The language server: LSP wiring over the analysis core. It indexes the workspace in slices
 * (requests are answered in between), keeps the core's in-memory workspace current from open
 * documents (which override disk) and watched-file events, re-analyses on a short debounce, and
 * publishes diagnostics for every file whose findings changed. Every handler is guarded: an
 * exception is logged once and answered with an empty result; the server keeps serving.
 */
import {
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  Connection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DidChangeWatchedFilesParams,
  FileChangeType,
  Hover,
  HoverParams,
  InitializeParams,
  InitializeResult,
  MarkupKind,
  TextDocuments,
  TextDocumentSyncKind,
  WorkDoneProgressServerReporter,
  WorkspaceSymbolParams,
  SymbolInformation,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import picomatch from 'picomatch';
import { Workspace, analyze as analyzeFiles, type AnalysisResult } from '../core/engine';
import type { Finding } from '../core/types';
import type { MeshModel } from '../core/model/model';
import { LineIndex } from '../core/text';
import { classifyPath } from '../core/source/files';
import { hover } from '../core/features/hover';
import { coverage } from '../core/features/coverage';
import { fixAllEdits, suppressionEdit } from '../core/features/codeActions';
import { readText, DEFAULT_EXCLUDES } from '../workspace/discover';
import { walk } from './walk';
import { Paths } from './paths';
import { DEFAULT_SETTINGS, Settings, analysisOptions, readSettings } from './settings';
import type { FeatureContext } from './context';
import { onDefinition } from './definition';
import { onReferences } from './references';
import { onCompletion } from './completion';
import { onDocumentSymbols } from './documentSymbols';
import { onWorkspaceSymbols } from './workspaceSymbols';
import { onCodeLens } from './codeLens';
import { onPrepareRename, onRename } from './rename';
import { onGraph } from './graph';
import { FolderConfig, configStamp, effectiveSettings, isConfigKey, problemFindings, readConfigs } from './configFile';
import { LineIndexes, toDiagnostic, toWorkspaceEdit, withLocations, EditSupport } from './convert';
import {
  COVERAGE_REQUEST,
  CoverageParams,
  CoverageResult,
  GRAPH_REQUEST,
  GraphParams,
  GraphResult,
  MODEL_CHANGED_NOTIFICATION,
  ModelChangedParams,
  STATUS_NOTIFICATION,
  StatusParams,
} from './protocol';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.meshlint`;

/** Files the core reads; globs for the file watcher (classifyPath decides in the end). */
const WATCH_GLOBS = ['**/*.{yaml,yml}', '**/*.{conf,nginx}', '**/*.conf.template', '**/{conf.d,nginx,sites-available,sites-enabled}/*'];

/** Time budget of one indexing slice before yielding to pending requests. */
const SLICE_MS = 5;
/** idle time after a partial analysis before a full one refreshes the files with workspace-wide inputs */
const REFRESH_AFTER_MS = 1500;
/** slice of idle time for preparing the incremental index after a full analysis */
const PREPARE_SLICE_MS = 10;

export interface ServerOptions {
  /** quiet period after an edit burst before re-analysis (ms) */
  debounceMs: number;
  /** longest an analysis waits under continuous edits (ms) */
  maxWaitMs: number;
  /** a full analysis after an edit slower than this is explained in the output channel */
  slowFullMs: number;
}

interface Snapshot {
  result: AnalysisResult;
  generation: number;
  byFile: Map<string, Finding[]>;
  /** open-document versions the analysis saw */
  versions: Map<string, number>;
}

interface PublishedFile {
  uri: string;
  findings: Finding[];
  hash: string;
  /** the file and the files its related information points into, with the texts used */
  texts: [string, string | undefined][];
}

/** One tiny analysis and hover: loads the hover data and warms the code paths a first hover takes. */
function warmUp(): void {
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: w\ndata:\n  default.conf: |\n    server { location / { proxy_pass http://w:80; } }\n';
  const model = analyzeFiles([{ path: 'warm-up.yaml', text }]).model;
  hover(model, 'warm-up.yaml', text.indexOf('name') + 1);
  hover(model, 'warm-up.yaml', text.indexOf('proxy_pass') + 1);
}

/** Field-by-field equality of two finding lists (fixes are not shown in diagnostics). */
function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.rule !== y.rule || x.start !== y.start || x.end !== y.end || x.severity !== y.severity || x.message !== y.message) return false;
    if ((x.tags ?? []).join() !== (y.tags ?? []).join()) return false;
    const rx = x.related ?? [];
    const ry = y.related ?? [];
    if (rx.length !== ry.length) return false;
    for (let j = 0; j < rx.length; j++) {
      const p = rx[j];
      const q = ry[j];
      if (p.message !== q.message || p.span.file !== q.span.file || p.span.start !== q.span.start || p.span.end !== q.span.end) return false;
    }
  }
  return true;
}

export class MeshlintServer {
  private readonly docs = new TextDocuments(TextDocument);
  private readonly paths = new Paths();
  /** what analysis uses: the editor settings over .meshlint.yaml (lsp/configFile.ts) */
  private settings: Settings = DEFAULT_SETTINGS;
  private editorSettings: Settings = DEFAULT_SETTINGS;
  private configs: FolderConfig[] = [];
  /** a config file changed (editor or disk) since it was last read */
  private configDirty = false;
  private ws = new Workspace(analysisOptions(DEFAULT_SETTINGS), { incremental: true });
  private excluded: (rel: string) => boolean = picomatch(DEFAULT_EXCLUDES, { dot: true });
  private options: ServerOptions = { debounceMs: 75, maxWaitMs: 400, slowFullMs: 500 };

  private caps = { dynamicWatch: false, dynamicConfig: false, configuration: false, progress: false, edit: { documentChanges: false, create: false } as EditSupport };
  private initOptionsSettings: unknown;

  /** open documents by key -> uri */
  private readonly openByKey = new Map<string, string>();
  /** open documents changed since the last analysis */
  private readonly pendingOpen = new Set<string>();
  /** closed files changed or deleted on disk since the last analysis */
  private readonly pendingDisk = new Map<string, 'changed' | 'deleted'>();

  private snapshot?: Snapshot;
  private generation = 0;
  private published = new Map<string, string>();
  /** per file: the findings and texts its last diagnostics were computed from */
  private publishedFiles = new Map<string, PublishedFile>();
  private readonly lines = new LineIndexes((f) => this.snapshot?.result.text(f) ?? this.ws.text(f));

  private timer?: NodeJS.Timeout;
  private lastChangeAt = 0;
  private pendingSince = 0;

  /** true until the first index completes (and during a re-index) */
  private indexing = true;
  private readonly slowReasons = new Set<string>();
  /** refresh after a partial analysis, or incremental-index preparation after a full one */
  private idleTimer?: ReturnType<typeof setTimeout>;
  private indexRun = 0;
  private readyResolve?: () => void;
  private ready: Promise<void> = new Promise((r) => (this.readyResolve = r));
  private shuttingDown = false;

  private readonly logged = new Set<string>();
  private readonly reportedRules = new Set<string>();

  constructor(private readonly conn: Connection) {}

  listen(): void {
    const c = this.conn;
    c.onInitialize((p) => this.initialize(p));
    c.onInitialized(() => this.guard('initialized', () => void this.initialized(), undefined));
    c.onShutdown(() => {
      this.shuttingDown = true;
      this.indexRun++;
      if (this.timer) clearTimeout(this.timer);
    });
    this.docs.onDidChangeContent((e) => this.guard('didChange', () => this.onOpenChange(e.document), undefined));
    this.docs.onDidClose((e) => this.guard('didClose', () => this.onClose(e.document), undefined));
    c.onDidChangeWatchedFiles((p) => this.guard('didChangeWatchedFiles', () => this.onWatched(p), undefined));
    c.onDidChangeConfiguration((p) => this.guard('didChangeConfiguration', () => void this.reloadSettings(p.settings), undefined));
    c.onHover((p) => this.guard('hover', () => this.hover(p), null));
    c.onCodeAction((p) => this.guard('codeAction', () => this.codeActions(p), []));
    c.onDefinition((p) => this.guard('definition', () => this.withContext(p.textDocument.uri, (x) => onDefinition(x, p), 'file'), null));
    c.onReferences((p) => this.guard('references', () => this.withContext(p.textDocument.uri, (x) => onReferences(x, p)), null));
    c.onCompletion((p) => this.guard('completion', () => this.withContext(p.textDocument.uri, (x) => onCompletion(x, p), 'file'), null));
    c.onDocumentSymbol((p) => this.guard('documentSymbol', () => this.withContext(p.textDocument.uri, (x) => onDocumentSymbols(x), 'file'), null));
    c.onWorkspaceSymbol((p) => this.guard('workspaceSymbol', () => this.workspaceSymbols(p), []));
    c.onCodeLens((p) => this.guard('codeLens', () => this.withContext(p.textDocument.uri, (x) => onCodeLens(x), 'file'), null));
    c.onPrepareRename((p) => this.withContext(p.textDocument.uri, (x) => onPrepareRename(x, p)));
    c.onRenameRequest((p) => this.withContext(p.textDocument.uri, (x) => onRename(x, p, this.caps.edit)));
    c.onRequest(GRAPH_REQUEST, (p: GraphParams | undefined) => this.guardAsync('graph', () => this.graph(p ?? {}), null));
    c.onRequest(COVERAGE_REQUEST, (p: CoverageParams | undefined) => this.guardAsync('coverage', () => this.coverage(p ?? {}), null));
    this.docs.listen(c);
    c.listen();
  }

  // ------------------------------------------------------------------ lifecycle

  private initialize(p: InitializeParams): InitializeResult {
    const cap = p.capabilities;
    this.caps = {
      dynamicWatch: !!cap.workspace?.didChangeWatchedFiles?.dynamicRegistration,
      dynamicConfig: !!cap.workspace?.didChangeConfiguration?.dynamicRegistration,
      configuration: !!cap.workspace?.configuration,
      progress: !!cap.window?.workDoneProgress,
      edit: {
        documentChanges: !!cap.workspace?.workspaceEdit?.documentChanges,
        create: !!cap.workspace?.workspaceEdit?.resourceOperations?.includes('create'),
        annotations: !!cap.workspace?.workspaceEdit?.changeAnnotationSupport,
      },
    };
    const io = (p.initializationOptions ?? {}) as { settings?: unknown; debounceMs?: unknown; maxWaitMs?: unknown; slowFullMs?: unknown };
    this.initOptionsSettings = io.settings;
    if (typeof io.debounceMs === 'number' && io.debounceMs >= 0) this.options.debounceMs = io.debounceMs;
    if (typeof io.maxWaitMs === 'number' && io.maxWaitMs >= 0) this.options.maxWaitMs = io.maxWaitMs;
    if (typeof io.slowFullMs === 'number' && io.slowFullMs >= 0) this.options.slowFullMs = io.slowFullMs;
    const folders = p.workspaceFolders?.length
      ? p.workspaceFolders
      : p.rootUri
        ? [{ uri: p.rootUri, name: '' }]
        : [];
    this.paths.setFolders(folders);
    // load the hover data and compile the hot paths before the first request needs them
    setImmediate(() => this.guard('warm-up', () => warmUp(), undefined));
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        completionProvider: { triggerCharacters: ['/', ':', ' '], resolveProvider: false },
        documentSymbolProvider: { label: 'meshlint' },
        workspaceSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        renameProvider: { prepareProvider: true },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'meshlint', version: '0.1.0' },
    };
  }

  private async initialized(): Promise<void> {
    if (this.caps.dynamicWatch) {
      await this.conn.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCH_GLOBS.map((globPattern) => ({ globPattern })) }).catch((e) => this.log('register file watcher', e));
    } else {
      this.conn.console.warn('meshlint: the client cannot watch files for the server; closed files update when reopened or on restart.');
    }
    if (this.caps.dynamicConfig) {
      await this.conn.client.register(DidChangeConfigurationNotification.type, { section: 'meshlint' }).catch((e) => this.log('register configuration', e));
    }
    try {
      this.conn.workspace.onDidChangeWorkspaceFolders((e) =>
        this.guard('didChangeWorkspaceFolders', () => {
          const now = this.paths.list().map((f) => ({ uri: f.uri, name: f.name })).filter((f) => !e.removed.some((r) => r.uri === f.uri));
          this.paths.setFolders([...now, ...e.added]);
          void this.index();
        }, undefined),
      );
    } catch {
      /* client without workspace folder support */
    }
    this.editorSettings = await this.fetchSettings(this.initOptionsSettings);
    this.readConfigFiles();
    this.applySettings();
    await this.index();
  }

  // ------------------------------------------------------------------ settings

  private async fetchSettings(pushed: unknown): Promise<Settings> {
    if (this.caps.configuration) {
      try {
        const scopeUri = this.paths.list()[0]?.uri;
        const v = await this.conn.workspace.getConfiguration(scopeUri ? { scopeUri, section: 'meshlint' } : { section: 'meshlint' });
        if (v !== null && v !== undefined) return readSettings(v);
      } catch (e) {
        this.log('workspace/configuration', e);
      }
    }
    const p = (pushed ?? {}) as Record<string, unknown>;
    return readSettings('meshlint' in p ? p.meshlint : pushed);
  }

  /** Re-reads .meshlint.yaml (open editor text first, then disk); true when its text changed. */
  private readConfigFiles(): boolean {
    const before = configStamp(this.configs);
    this.configs = readConfigs(this.paths, (key) => {
      const uri = this.openByKey.get(key);
      const doc = uri ? this.docs.get(uri) : undefined;
      return doc ? doc.getText() : readText(this.paths.fsPath(key), 1024 * 1024)?.text;
    });
    this.configDirty = false;
    this.settings = effectiveSettings(this.editorSettings, this.configs);
    return configStamp(this.configs) !== before;
  }

  private applySettings(): void {
    this.excluded = picomatch([...DEFAULT_EXCLUDES, ...this.settings.exclude], { dot: true });
    this.ws.setOptions(analysisOptions(this.settings));
  }

  private async reloadSettings(pushed: unknown): Promise<void> {
    const prev = this.settings;
    this.editorSettings = await this.fetchSettings(pushed);
    this.settings = effectiveSettings(this.editorSettings, this.configs);
    this.applySettings();
    const reindex = JSON.stringify(prev.exclude) !== JSON.stringify(this.settings.exclude) || prev.maxFileSize !== this.settings.maxFileSize;
    if (reindex) await this.index();
    else if (!this.indexing) this.runAnalysis();
  }

  private included(key: string): boolean {
    if (classifyPath(key) === 'other') return false;
    const rel = this.paths.relative(key);
    return rel === undefined || !this.excluded(rel);
  }

  // ------------------------------------------------------------------ indexing

  /** Reads every candidate file in slices, then analyses once. A newer call supersedes an older one. */
  private async index(): Promise<void> {
    const run = ++this.indexRun;
    this.indexing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let progress: WorkDoneProgressServerReporter | undefined;
    try {
      if (this.caps.progress) progress = await this.conn.window.createWorkDoneProgress().catch(() => undefined);
      const found = new Set<string>();
      const cancelled = () => run !== this.indexRun || this.shuttingDown;
      for (const f of this.paths.list()) {
        for (const file of await walk(f.fsPath, { excludes: this.settings.exclude, cancelled })) found.add(this.paths.keyOfFsPath(file));
      }
      if (cancelled()) return;
      // open documents count even when not on disk; ones that settings now exclude drop out
      for (const k of [...this.openByKey.keys()]) {
        if (this.included(k)) found.add(k);
        else this.openByKey.delete(k);
      }
      const keys = [...found];
      const total = keys.length;
      const title = `Indexing ${total.toLocaleString('en-US')} files`;
      progress?.begin('meshlint', 0, title, false);
      this.status({ state: 'indexing', message: title, done: 0, total });
      const ws = new Workspace(analysisOptions(this.settings), { incremental: true });
      let i = 0;
      let lastReport = Date.now();
      while (i < total) {
        if (run !== this.indexRun || this.shuttingDown) return;
        const t0 = Date.now();
        while (i < total && Date.now() - t0 < SLICE_MS) {
          const key = keys[i++];
          const uri = this.openByKey.get(key);
          const doc = uri ? this.docs.get(uri) : undefined;
          if (doc) {
            ws.set({ path: key, text: doc.getText() });
            continue;
          }
          const t = readText(this.paths.fsPath(key), this.settings.maxFileSize);
          if (t) ws.set({ path: key, text: t.text, size: t.size });
        }
        if (Date.now() - lastReport > 200) {
          lastReport = Date.now();
          progress?.report(Math.floor((100 * i) / Math.max(1, total)), `${title}: ${i.toLocaleString('en-US')} read`);
          this.status({ state: 'indexing', message: title, done: i, total });
        }
        await new Promise<void>((r) => setImmediate(r));
      }
      if (run !== this.indexRun || this.shuttingDown) return;
      this.ws = ws;
      // everything open is read from the editor; disk events that arrived meanwhile are re-applied
      for (const k of this.openByKey.keys()) this.pendingOpen.add(k);
      this.indexing = false;
      progress?.report(100, `${title}: analysing`);
      this.runAnalysis();
      this.readyResolve?.();
    } catch (e) {
      this.log('index', e);
      if (run === this.indexRun) {
        this.indexing = false;
        this.readyResolve?.();
      }
    } finally {
      progress?.done();
      if (run === this.indexRun && !this.shuttingDown) this.status(this.readyStatus());
    }
  }

  // ------------------------------------------------------------------ changes

  private onOpenChange(doc: TextDocument): void {
    const key = this.paths.key(doc.uri);
    if (key !== undefined && isConfigKey(this.paths, key)) this.configChanged();
    if (key === undefined || !this.included(key)) return;
    this.paths.rememberUri(key, doc.uri);
    this.openByKey.set(key, doc.uri);
    this.pendingOpen.add(key);
    this.schedule();
  }

  private onClose(doc: TextDocument): void {
    const key = this.paths.key(doc.uri);
    if (key === undefined || !this.openByKey.has(key)) return;
    this.openByKey.delete(key);
    if (isConfigKey(this.paths, key)) this.configChanged();
    this.pendingOpen.delete(key);
    // back to the disk version (or gone, when it was never saved)
    this.pendingDisk.set(key, 'changed');
    this.schedule();
  }

  private onWatched(p: DidChangeWatchedFilesParams): void {
    let any = false;
    for (const ch of p.changes) {
      const key = this.paths.key(ch.uri);
      if (key === undefined) continue;
      if (isConfigKey(this.paths, key)) {
        this.configChanged();
        any = true;
      }
      if (ch.type === FileChangeType.Deleted) {
        if (this.ws.has(key)) this.pendingDisk.set(key, 'deleted');
        else {
          if (this.included(key)) this.pendingDisk.set(key, 'deleted');
          // not a file we know: maybe a folder, which takes its files with it
          for (const k of this.ws.paths()) if (k.startsWith(key + '/')) this.pendingDisk.set(k, 'deleted');
        }
        any = true;
      } else if (this.included(key)) {
        this.pendingDisk.set(key, 'changed');
        any = true;
      }
    }
    if (any) this.schedule();
  }

  /** A config file changed: the next analysis re-reads it first (and re-indexes when excludes change). */
  private configChanged(): void {
    this.configDirty = true;
    this.schedule();
  }

  /**
   * Leading edge after a quiet period (an isolated edit is analysed at once), trailing debounce
   * within a burst, and a maximum wait so continuous typing still gets results.
   */
  private schedule(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.indexing || this.shuttingDown) return;
    const now = Date.now();
    const quiet = now - this.lastChangeAt > this.options.debounceMs;
    this.lastChangeAt = now;
    if (!this.timer) this.pendingSince = now;
    if (this.timer) clearTimeout(this.timer);
    const waited = now - this.pendingSince;
    const delay = quiet ? 0 : Math.max(0, Math.min(this.options.debounceMs, this.options.maxWaitMs - waited));
    this.timer = setTimeout(() => this.guard('analysis', () => this.runAnalysis(), undefined), delay);
  }

  private applyPending(): Map<string, number> {
    for (const [key, what] of this.pendingDisk) {
      if (this.openByKey.has(key)) continue; // the editor's text wins
      if (what === 'deleted') {
        this.ws.delete(key);
        continue;
      }
      const t = readText(this.paths.fsPath(key), this.settings.maxFileSize);
      if (t) this.ws.set({ path: key, text: t.text, size: t.size });
      else this.ws.delete(key);
    }
    this.pendingDisk.clear();
    const versions = new Map<string, number>();
    for (const [key, uri] of this.openByKey) {
      const doc = this.docs.get(uri);
      if (!doc) continue;
      if (this.pendingOpen.has(key)) this.ws.set({ path: key, text: doc.getText() });
      versions.set(key, doc.version);
    }
    this.pendingOpen.clear();
    return versions;
  }

  private get stale(): boolean {
    return this.pendingOpen.size > 0 || this.pendingDisk.size > 0;
  }

  /** Brings the analysis up to date now (handlers call it so they never answer from stale offsets). */
  private flush(): void {
    if (!this.indexing && (this.stale || !this.snapshot)) this.runAnalysis();
  }

  /**
   * After a partial analysis some files (those with workspace-wide inputs) may lag: a full analysis
   * refreshes them once the user pauses. After a full analysis, the incremental index is built in
   * idle slices so that the first edit does not pay for it.
   */
  private afterAnalysis(result: AnalysisResult): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.shuttingDown) return;
    if (result.mode === 'partial' && result.stale.size) {
      this.idleTimer = setTimeout(() => this.guard('analysis', () => this.runAnalysis(true), undefined), REFRESH_AFTER_MS);
      return;
    }
    // a no-op once the index is ready; an analysis in between (a document opened, say) resumes it
    const step = () => {
      this.idleTimer = undefined;
      if (this.shuttingDown || this.timer || this.stale) return;
      if (!this.ws.prepare(PREPARE_SLICE_MS)) this.idleTimer = setTimeout(step, 0);
    };
    this.idleTimer = setTimeout(step, 0);
  }

  private runAnalysis(full = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.indexing || this.shuttingDown) return;
    if (this.configDirty) {
      const prev = this.settings;
      if (this.readConfigFiles()) {
        this.applySettings();
        if (JSON.stringify(prev.exclude) !== JSON.stringify(this.settings.exclude) || prev.maxFileSize !== this.settings.maxFileSize) {
          void this.index();
          return;
        }
      }
    }
    const versions = this.applyPending();
    const generation = ++this.generation;
    let result: AnalysisResult;
    const t0 = performance.now();
    try {
      result = this.ws.analyze({ full });
    } catch (e) {
      this.log('analysis', e);
      return;
    }
    const ms = performance.now() - t0;
    if (result.mode === 'full' && ms >= this.options.slowFullMs && !full && result.why && !result.why.startsWith('first analysis')) {
      // an edit that needed the whole workspace re-analysed: say why in the output (once per reason)
      const why = (result.why ?? '').replace(/^\S+ is read workspace-wide/, 'a file with workspace-wide inputs changed');
      if (!this.slowReasons.has(why)) {
        this.slowReasons.add(why);
        this.conn.console.info(`meshlint: an edit needed a full analysis (${Math.round(ms)} ms): ${result.why}. Edits elsewhere re-analyse only the files they can affect.`);
      }
    }
    for (const err of result.ruleErrors) {
      const first = err.message.split('\n')[0];
      this.log(`rule ${err.rule}`, `${first}\n${err.message}`, `rule ${err.rule} failed (other rules still ran): ${first}`);
      if (!this.reportedRules.has(err.rule)) {
        this.reportedRules.add(err.rule);
        void this.conn.window.showWarningMessage(`meshlint: rule ${err.rule} failed and was skipped; the other rules still ran. See the meshlint output for details.`);
      }
    }
    const byFile = new Map<string, Finding[]>();
    for (const f of result.findings) {
      let l = byFile.get(f.file);
      if (!l) byFile.set(f.file, (l = []));
      l.push(f);
    }
    // problems in .meshlint.yaml are published on it, with the file's own findings
    for (const f of problemFindings(this.configs)) {
      let l = byFile.get(f.file);
      if (!l) byFile.set(f.file, (l = []));
      l.push(f);
    }
    this.snapshot = { result, generation, byFile, versions };
    this.publish();
    const mc: ModelChangedParams = { generation, files: result.files, findings: result.findings.length };
    void this.conn.sendNotification(MODEL_CHANGED_NOTIFICATION, mc);
    if (!this.indexing) this.status(this.readyStatus());
    this.afterAnalysis(result);
  }

  private publish(): void {
    const snap = this.snapshot!;
    const result = snap.result;
    const next = new Map<string, string>();
    const nextCache = new Map<string, PublishedFile>();
    const uriOf = (f: string) => this.paths.uri(f);
    for (const [file, findings] of snap.byFile) {
      const uri = uriOf(file);
      const version = snap.versions.get(file);
      const open = this.openByKey.get(file);
      const doc = open ? this.docs.get(open) : undefined;
      if (doc && version !== undefined && doc.version !== version) {
        // the document moved on while we analysed: keep the old state, a new analysis is due
        const old = this.published.get(uri);
        if (old !== undefined) next.set(uri, old);
        continue;
      }
      // unchanged findings over unchanged texts need no conversion (large workspaces, small edits)
      const prev = this.publishedFiles.get(file);
      if (prev && prev.uri === uri && sameFindings(prev.findings, findings) && prev.texts.every(([f, t]) => result.text(f) === t)) {
        next.set(uri, prev.hash);
        nextCache.set(file, prev);
        continue;
      }
      const diagnostics = findings.map((f) => toDiagnostic(f, this.lines, uriOf));
      const hash = JSON.stringify(diagnostics);
      next.set(uri, hash);
      const files = new Set<string>([file]);
      for (const f of findings) for (const r of f.related ?? []) files.add(r.span.file);
      nextCache.set(file, { uri, findings, hash, texts: [...files].map((f) => [f, result.text(f)] as [string, string | undefined]) });
      if (this.published.get(uri) !== hash) void this.conn.sendDiagnostics({ uri, version, diagnostics });
    }
    for (const uri of this.published.keys()) if (!next.has(uri)) void this.conn.sendDiagnostics({ uri, diagnostics: [] });
    this.published = next;
    this.publishedFiles = nextCache;
  }

  private readyStatus(): StatusParams {
    const snap = this.snapshot;
    const n = snap?.result.findings.length ?? 0;
    const files = snap?.byFile.size ?? 0;
    return {
      state: 'ready',
      message: n ? `meshlint: ${n} finding${n === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}` : 'meshlint: no findings',
      ruleErrors: [...new Set(snap?.result.ruleErrors.map((e) => e.rule) ?? [])],
    };
  }

  private status(s: StatusParams): void {
    void this.conn.sendNotification(STATUS_NOTIFICATION, s);
  }

  // ------------------------------------------------------------------ requests

  private currentText(key: string, uri: string): string | undefined {
    const doc = this.docs.get(uri);
    if (doc) return doc.getText();
    const t = this.ws.text(key);
    if (t !== undefined || !this.included(key)) return t;
    // not read yet (indexing under way, or a watcher event not applied yet)
    return readText(this.paths.fsPath(key), this.settings.maxFileSize)?.text;
  }

  private hover(p: HoverParams): Hover | null {
    const key = this.paths.key(p.textDocument.uri);
    if (key === undefined) return null;
    this.flush();
    const text = this.currentText(key, p.textDocument.uri);
    if (text === undefined) return null;
    const snap = this.snapshot?.result;
    let model: MeshModel;
    let li: LineIndex;
    if (snap && snap.text(key) === text) {
      model = snap.modelFor(key);
      li = this.lines.get(key);
    } else {
      // still indexing (or the file is not part of the analysis): answer from this file alone
      model = analyzeFiles([{ path: key, text }], analysisOptions(this.settings)).model;
      li = new LineIndex(model.text(key) ?? text);
    }
    const offset = li.offset(p.position.line, p.position.character);
    const h = hover(model, key, offset);
    if (!h) return null;
    return { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: { start: li.position(h.start), end: li.position(h.end) } };
  }

  /**
   * Answers a language-feature request from the current analysis (the whole workspace's model), or from
   * the document alone while the workspace is still being indexed. null when the document is not ours.
   */
  private withContext<T>(uri: string, fn: (ctx: FeatureContext) => T, scope: 'file' | 'workspace' = 'workspace'): T | null {
    const key = this.paths.key(uri);
    if (key === undefined) return null;
    this.flush();
    const text = this.currentText(key, uri);
    if (text === undefined) return null;
    const snap = this.snapshot?.result;
    let model: MeshModel;
    let range: FeatureContext['range'];
    let li: LineIndex;
    if (snap && snap.text(key) === text) {
      // the file's own model after a partial analysis holds everything its references resolve to;
      // references, rename and lenses need the whole workspace's
      model = scope === 'file' ? snap.modelFor(key) : snap.model;
      li = this.lines.get(key);
      range = (f, s, e) => this.lines.range(f, s, e);
    } else {
      model = analyzeFiles([{ path: key, text }], analysisOptions(this.settings)).model;
      li = new LineIndex(model.text(key) ?? text);
      range = (f, s, e) => ({ start: li.position(s), end: li.position(e) });
    }
    return fn({ key, model, text: model.text(key) ?? text, li, range, uri: (f) => this.paths.uri(f) });
  }

  private workspaceSymbols(p: WorkspaceSymbolParams): SymbolInformation[] {
    this.flush();
    const snap = this.snapshot?.result;
    if (!snap) return [];
    return onWorkspaceSymbols(snap.model, p, (f, s, e) => this.lines.range(f, s, e), (f) => this.paths.uri(f));
  }

  private codeActions(p: CodeActionParams): CodeAction[] {
    const uri = p.textDocument.uri;
    const key = this.paths.key(uri);
    if (key === undefined) return [];
    this.flush();
    const snap = this.snapshot;
    const text = snap?.result.text(key);
    if (!snap || text === undefined || this.currentText(key, uri) !== text) return [];
    const uriOf = (f: string) => this.paths.uri(f);
    // an edit may only target texts the analysis saw
    const fresh = (file: string) => {
      const open = this.openByKey.get(file);
      const doc = open ? this.docs.get(open) : undefined;
      return !doc || doc.getText() === snap.result.text(file);
    };
    const versionOf = (file: string) => {
      const open = this.openByKey.get(file);
      return (open ? this.docs.get(open)?.version : undefined) ?? null;
    };
    const li = this.lines.get(key);
    const s = li.offset(p.range.start.line, p.range.start.character);
    const e = li.offset(p.range.end.line, p.range.end.character);
    const only = p.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(k + '.'));
    const all = snap.byFile.get(key) ?? [];
    const here = all.filter((f) => f.start <= e && f.end >= s);
    const out: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      const disables: CodeAction[] = [];
      const seenDisable = new Set<string>();
      for (const f of here) {
        const diag = toDiagnostic(f, this.lines, uriOf);
        for (const fix of f.fixes ?? []) {
          const files = new Set(fix.edits.map((x) => x.file));
          if (![...files].every(fresh)) continue;
          const edit = toWorkspaceEdit(fix.edits, fix.creates ?? [], this.lines, uriOf, versionOf, this.caps.edit);
          if (!edit) continue;
          out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: !!fix.preferred, edit });
        }
        const line = li.position(f.start).line;
        const k = `${f.rule}@${line}`;
        if (seenDisable.has(k)) continue;
        seenDisable.add(k);
        const sup = suppressionEdit(text, key, f.start, f.rule);
        if (sup.newText === '' && sup.start === sup.end) continue;
        const edit = toWorkspaceEdit([sup], [], this.lines, uriOf, versionOf, this.caps.edit);
        if (edit) disables.push({ title: `Disable ${f.rule} for this line`, kind: CodeActionKind.QuickFix, diagnostics: [diag], edit });
      }
      out.sort((a, b) => Number(!!b.isPreferred) - Number(!!a.isPreferred));
      out.push(...disables);
    }
    if (wants(FIX_ALL_KIND) && (only || here.length)) {
      const edits = fixAllEdits(all, key);
      if (edits.length) {
        const edit = toWorkspaceEdit(edits, [], this.lines, uriOf, versionOf, this.caps.edit);
        if (edit) out.push({ title: 'Fix all auto-fixable meshlint problems', kind: FIX_ALL_KIND, edit });
      }
    }
    return out;
  }

  private async graph(p: GraphParams): Promise<GraphResult | null> {
    await this.ready;
    this.flush();
    const snap = this.snapshot;
    return snap ? onGraph(snap.result, snap.generation, p, this.lines, (f) => this.paths.uri(f)) : null;
  }

  private async coverage(p: CoverageParams): Promise<CoverageResult | null> {
    await this.ready;
    this.flush();
    const snap = this.snapshot;
    if (!snap) return null;
    const data = coverage(snap.result.model, { namespace: typeof p.namespace === 'string' ? p.namespace : undefined });
    return withLocations({ ...data, generation: snap.generation }, this.lines, (f) => this.paths.uri(f));
  }

  // ------------------------------------------------------------------ robustness

  private guard<T>(what: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (e) {
      this.log(what, e);
      return fallback;
    }
  }

  private async guardAsync<T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      this.log(what, e);
      return fallback;
    }
  }

  /** Logs an error once per distinct (where, message). */
  log(what: string, e: unknown, summary?: string): void {
    const err = e instanceof Error ? e : undefined;
    const msg = err ? err.message : String(e);
    const key = `${what}|${msg.split('\n')[0]}`;
    if (this.logged.has(key)) return;
    if (this.logged.size > 1000) this.logged.clear();
    this.logged.add(key);
    try {
      this.conn.console.error(`meshlint: ${summary ?? `${what} failed: ${msg}`}${err?.stack ? `\n${err.stack}` : ''}`);
    } catch {
      /* the connection itself is gone */
    }
  }
}
