/**
 * meshlint benchmark: `npm run bench [-- --sizes 1,10,50] [--quick] [--runs N] [--edits N]`
 *
 * For each generated workspace (bench/generate.ts), on the same files:
 *  (a) parse floor: `yaml.parseAllDocuments` (uniqueKeys false) over every YAML file, in a child process;
 *  (b) `meshlint check` cold: whole process, `node bin/meshlint.js check . --format json`, findings verified;
 *  (c) the language server over stdio: initialize -> first complete diagnostics (the first
 *      `meshlint/modelChanged` notification: the server sends it after publishing diagnostics of a
 *      whole analysis; the expected findings are verified), hover/codeAction latency while indexing,
 *      didChange -> publishDiagnostics of every affected file (p50/p95 over N edits of three kinds),
 *      peak RSS (VmHWM).
 * Prints a table and writes bench/results/<date>.json with ratios to the floor.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ensure, workspaceDir, Manifest, EditSpec } from './generate';
import { parseYaml, readerStats } from '../server/src/core/source/yaml';

const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------- helpers

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function vmHWM(pid: number, field = 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- (a) parse floor

/** Child-process mode: `bench/run.ts --floor <dir>` prints {ms} for parseAllDocuments over all YAML. */
function floorChild(dir: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseAllDocuments } = require('yaml') as typeof import('yaml');
  const yamlFiles = listFiles(dir).filter((f) => /\.ya?ml$/.test(f));
  const texts = yamlFiles.map((f) => fs.readFileSync(f, 'utf8'));
  const t0 = performance.now();
  let docs = 0;
  for (const t of texts) docs += parseAllDocuments(t, { uniqueKeys: false }).length;
  const ms = performance.now() - t0;
  // not timed: the share of documents meshlint's reader leaves to `yaml` (under each file's workspace path, as meshlint reads it: Helm templates it skips are read by neither)
  for (const [i, t] of texts.entries()) parseYaml(path.relative(dir, yamlFiles[i]).split(path.sep).join('/'), t.charCodeAt(0) === 0xfeff ? t.slice(1) : t);
  const { fast, fallback: slow } = readerStats;
  process.stdout.write(JSON.stringify({ ms, docs, fallback: fast + slow ? slow / (fast + slow) : 0 }));
}

function runFloor(dir: string): { ms: number; fallback: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--floor', dir], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`floor failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { ms: number; fallback: number };
}

/**
 * Workloads whose expected findings are "what the reference path says": `meshlint check` with the
 * fast YAML reader and lean trees off, once per generated workspace (cached in its manifest).
 */
function fillReference(size: string, dir: string, m: Manifest): Manifest {
  if (m.expectedFrom !== 'reference' || m.expected.length) return m;
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/meshlint.js'), 'check', '.', '--format', 'json', '--severity', 'hint'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, MESHLINT_FAST_YAML: '0', MESHLINT_LEAN_YAML: '0' },
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`reference run failed: ${r.stderr.slice(0, 500)}`);
  const seen = new Set<string>();
  const expected: Manifest['expected'] = [];
  for (const f of (JSON.parse(r.stdout) as { findings: CliFinding[] }).findings) {
    const k = `${f.rule} ${f.file}`;
    if (!seen.has(k)) seen.add(k), expected.push({ rule: f.rule, file: f.file });
  }
  const filled = { ...m, expected };
  fs.writeFileSync(path.join(dir, '..', `${size}mb.manifest.json`), JSON.stringify(filled, null, 2));
  return filled;
}

// ---------------------------------------------------------------- (b) CLI cold

interface CliFinding {
  rule: string;
  file: string;
  severity: string;
  line: number;
}

function verify(found: { rule: string; file: string }[], m: Manifest): { ok: boolean; missing: string[]; unexpected: string[] } {
  const key = (f: { rule: string; file: string }) => `${f.rule} ${f.file}`;
  const want = new Set(m.expected.map(key));
  const got = new Set(found.map(key));
  const missing = [...want].filter((k) => !got.has(k));
  const unexpected = [...got].filter((k) => !want.has(k));
  return { ok: !missing.length && !unexpected.length, missing, unexpected };
}

async function runCli(dir: string, m: Manifest): Promise<{ ms: number; ok: boolean; detail: string; rss?: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/meshlint.js'), 'check', '.', '--format', 'json', '--severity', 'hint'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let rss = 0;
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const poll = setInterval(() => (rss = Math.max(rss, vmHWM(child.pid!) ?? 0)), 50);
  const code: number = await new Promise((r) => child.on('close', (c) => r(c ?? -1)));
  const ms = performance.now() - t0;
  clearInterval(poll);
  if (code !== 0 && code !== 1) return { ms, ok: false, detail: `exit ${code}: ${err.slice(0, 500)}` };
  const findings = (JSON.parse(out) as { findings: CliFinding[] }).findings;
  const v = verify(findings, m);
  return { ms, ok: v.ok, detail: v.ok ? `${findings.length} findings as expected` : `missing ${v.missing.join(', ')}; unexpected ${v.unexpected.slice(0, 5).join(', ')}`, rss: rss || undefined };
}

// ---------------------------------------------------------------- (c) language server over stdio

interface Diag {
  code?: string | number;
  source?: string;
  message: string;
}

class LspClient {
  private buf = Buffer.alloc(0);
  private nextId = 1;
  private pending = new Map<number, (r: { result?: unknown; error?: unknown }) => void>();
  readonly listeners: ((method: string, params: any, at: number) => void)[] = [];
  stderr = '';

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => this.onData(d));
    proc.stderr!.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const sep = this.buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, sep).toString('ascii'));
      if (!m) throw new Error('bad LSP header');
      const len = Number(m[1]);
      if (this.buf.length < sep + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString('utf8'));
      this.buf = this.buf.subarray(sep + 4 + len);
      const at = performance.now();
      if (msg.id !== undefined && msg.method === undefined) {
        this.pending.get(msg.id)?.(msg);
        this.pending.delete(msg.id);
      } else if (msg.method && msg.id !== undefined) {
        // server -> client request (configuration, registration, progress): answer plainly
        const result = msg.method === 'workspace/configuration' ? (msg.params?.items ?? []).map(() => null) : null;
        this.send({ jsonrpc: '2.0', id: msg.id, result });
      } else if (msg.method) {
        for (const l of this.listeners) l(msg.method, msg.params, at);
      }
    }
  }

  send(msg: unknown): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin!.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin!.write(body);
  }

  request<T = unknown>(method: string, params: unknown, timeoutMs = 120_000): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${method} timed out`)), timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(t);
        if (r.error) reject(new Error(JSON.stringify(r.error)));
        else resolve(r.result as T);
      });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  waitFor(pred: (method: string, params: any, at: number) => boolean, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.listeners.splice(this.listeners.indexOf(l), 1);
        reject(new Error('timeout'));
      }, timeoutMs);
      const l = (m: string, p: any, at: number) => {
        if (!pred(m, p, at)) return;
        clearTimeout(t);
        this.listeners.splice(this.listeners.indexOf(l), 1);
        resolve(at);
      };
      this.listeners.push(l);
    });
  }
}

function ruleOf(d: Diag): string {
  return typeof d.code === 'string' ? d.code : String(d.code ?? '');
}

function position(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let ls = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    ls = i + 1;
  }
  return { line, character: offset - ls };
}

interface ServerResult {
  available: boolean;
  note?: string;
  firstMs?: number;
  firstOk?: boolean;
  firstDetail?: string;
  hoverDuringIndexMs?: number;
  definitionP95?: number;
  definitionMax?: number;
  completionP95?: number;
  codeActionDuringIndexMs?: number;
  answeredDuringIndexing?: boolean;
  editP50?: number;
  editP95?: number;
  editModelP50?: number;
  editMax?: number;
  editFailures?: number;
  byKind?: Record<string, { p50: number; p95: number; n: number }>;
  rssMB?: number;
  /** peak RSS when the first complete diagnostics arrived */
  rssAtFirstMB?: number;
  /** RSS after the edits */
  rssEndMB?: number;
}

async function runServer(dir: string, m: Manifest, editsN: number, navN = 20): Promise<ServerResult> {
  const serverJs = path.join(ROOT, 'server/out/server.js');
  if (!fs.existsSync(serverJs)) return { available: false, note: 'server/out/server.js not built' };
  // MESHLINT_BENCH_NODE_ARGS: extra node flags for the server process (to compare V8 settings)
  const nodeArgs = (process.env.MESHLINT_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, serverJs, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const c = new LspClient(proc);
  const res: ServerResult = { available: true };
  const diags = new Map<string, { at: number; list: Diag[] }>();
  const rootUri = pathToFileURL(dir).href;
  const uriOf = (rel: string) => `${rootUri}/${rel}`;
  const relOf = (uri: string) => (uri.startsWith(rootUri + '/') ? decodeURIComponent(uri.slice(rootUri.length + 1)) : uri);
  let generation = 0;
  c.listeners.push((method, p, at) => {
    if (method === 'textDocument/publishDiagnostics') diags.set(relOf(p.uri), { at, list: p.diagnostics });
    if (method === 'meshlint/modelChanged') generation = Math.max(generation, p.generation);
  });
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, vmHWM(proc.pid!) ?? 0)), 100);
  try {
    const t0 = performance.now();
    try {
      await c.request('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'bench' }], capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } }, workspace: { workspaceFolders: true } }, initializationOptions: {} }, 20_000);
    } catch (e) {
      return { available: false, note: `initialize failed: ${(e as Error).message} ${c.stderr.slice(0, 300)}` };
    }
    const first = c.waitFor((mth) => mth === 'meshlint/modelChanged', 600_000);
    c.notify('initialized', {});
    // requests while indexing: a hover and a code action in the first expected file
    const probeFile = (m.expected.find((e) => e.rule === 'host-header-passthrough') ?? m.expected[0])?.file ?? m.edits[0]?.file;
    const probeText = probeFile ? fs.readFileSync(path.join(dir, probeFile), 'utf8') : '';
    const probeAt = position(probeText, Math.max(0, probeText.indexOf('proxy_pass') + 2));
    await sleep(Math.min(300, 50));
    let firstDone = false;
    void first.then(() => (firstDone = true));
    const h0 = performance.now();
    await c.request('textDocument/hover', { textDocument: { uri: uriOf(probeFile) }, position: probeAt }, 600_000).catch(() => null);
    res.hoverDuringIndexMs = performance.now() - h0;
    const a0 = performance.now();
    await c.request('textDocument/codeAction', { textDocument: { uri: uriOf(probeFile) }, range: { start: probeAt, end: probeAt }, context: { diagnostics: [] } }, 600_000).catch(() => null);
    res.codeActionDuringIndexMs = performance.now() - a0;
    res.answeredDuringIndexing = !firstDone;
    const firstAt = await first;
    res.firstMs = firstAt - t0;
    res.rssAtFirstMB = vmHWM(proc.pid!);
    const found: { rule: string; file: string }[] = [];
    for (const [file, d] of diags) for (const x of d.list) found.push({ rule: ruleOf(x), file });
    const v = verify(found, m);
    res.firstOk = v.ok;
    res.firstDetail = v.ok ? `${found.length} diagnostics as expected` : `missing ${v.missing.join(', ')}; unexpected ${v.unexpected.slice(0, 5).join(', ')}`;

    // ---- edits
    const texts = new Map<string, { text: string; version: number }>();
    const open = (rel: string) => {
      if (texts.has(rel)) return;
      const text = fs.readFileSync(path.join(dir, rel), 'utf8');
      texts.set(rel, { text, version: 1 });
      c.notify('textDocument/didOpen', { textDocument: { uri: uriOf(rel), languageId: rel.endsWith('.conf') ? 'nginx' : 'yaml', version: 1, text } });
    };
    const g0 = generation;
    for (const e of m.edits) open(e.file);
    await c.waitFor(() => generation > g0, 60_000).catch(() => undefined);
    await sleep(200);
    const state = new Map<EditSpec, boolean>(); // true: in state b
    const counts = new Map<string, number>(); // `${kind}|${state}|${file}` -> count of the rule's diagnostics
    for (const e of m.edits) for (const a of e.affected) counts.set(`${e.kind}|a|${a.file}`, (diags.get(a.file)?.list ?? []).filter((d) => ruleOf(d) === a.rule).length);
    const lat: number[] = [];
    const latModel: number[] = [];
    const byKind: Record<string, number[]> = {};
    let failures = 0;
    // the PeerAuthentication goes back to STRICT before each selector edit (the selector only
    // changes that file's findings under STRICT): nginx, mode, mode, selector, nginx, selector
    const kindOf = (kind: EditSpec['kind']) => m.edits.find((x) => x.kind === kind);
    const schedule = [kindOf('nginx-host'), kindOf('peerauth-mode'), kindOf('peerauth-mode'), kindOf('service-selector'), kindOf('nginx-host'), kindOf('service-selector')].filter((e): e is EditSpec => !!e);
    for (let k = 0; k < (schedule.length ? editsN : 0); k++) {
      const e = schedule[k % schedule.length];
      const toB = !state.get(e);
      const doc = texts.get(e.file)!;
      const from = toB ? e.a : e.b;
      const to = toB ? e.b : e.a;
      const off = doc.text.indexOf(from);
      if (off < 0) throw new Error(`edit text not found in ${e.file}: ${from}`);
      const range = { start: position(doc.text, off), end: position(doc.text, off + from.length) };
      doc.text = doc.text.slice(0, off) + to + doc.text.slice(off + from.length);
      doc.version++;
      const st = toB ? 'b' : 'a';
      const genBefore = generation;
      const waits = e.affected.map((a) =>
        c.waitFor((mth, p) => {
          if (mth !== 'textDocument/publishDiagnostics' || relOf(p.uri) !== a.file) return false;
          const n = (p.diagnostics as Diag[]).filter((d) => ruleOf(d) === a.rule).length;
          const want = toB ? a.inB : a.inA;
          if ((n > 0) !== want) return false;
          const key = `${e.kind}|${st}|${a.file}`;
          const known = counts.get(key);
          const other = counts.get(`${e.kind}|${toB ? 'a' : 'b'}|${a.file}`);
          if (known !== undefined) return n === known;
          if (other !== undefined && n === other) return false;
          counts.set(key, n);
          return true;
        }, 15_000),
      );
      const modelWait = c.waitFor((mth, p) => mth === 'meshlint/modelChanged' && p.generation > genBefore, 15_000);
      const t = performance.now();
      c.notify('textDocument/didChange', { textDocument: { uri: uriOf(e.file), version: doc.version }, contentChanges: [{ range, text: to }] });
      try {
        const ats = await Promise.all(waits);
        const ms = Math.max(...ats) - t;
        lat.push(ms);
        (byKind[e.kind] ??= []).push(ms);
        latModel.push((await modelWait) - t);
      } catch {
        failures++;
      }
      state.set(e, toB);
      await sleep(120); // a pause longer than the server's debounce: each edit is an isolated change
    }
    res.editP50 = median(lat);
    res.editP95 = pct(lat, 95);
    res.editMax = Math.max(...lat);
    res.editModelP50 = median(latModel);
    res.editFailures = failures;
    res.byKind = Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, { p50: median(v), p95: pct(v, 95), n: v.length }]));
    // ---- language features after the edits (the first request follows the last edit's partial analysis)
    if (probeFile) {
      const cur = texts.get(probeFile)?.text ?? probeText;
      const at = cur.indexOf('proxy_pass http://');
      const hostPos = position(cur, at < 0 ? 0 : at + 'proxy_pass http://'.length + 1);
      const nav: Record<'definition' | 'completion', number[]> = { definition: [], completion: [] };
      for (let k = 0; k < navN; k++) {
        for (const [method, key] of [['textDocument/definition', 'definition'], ['textDocument/completion', 'completion']] as const) {
          const t = performance.now();
          await c.request(method, { textDocument: { uri: uriOf(probeFile) }, position: hostPos }, 60_000).catch(() => null);
          nav[key].push(performance.now() - t);
        }
      }
      res.definitionP95 = pct(nav.definition, 95);
      res.completionP95 = pct(nav.completion, 95);
      res.definitionMax = Math.max(...nav.definition);
    }
    res.rssMB = Math.max(peak, vmHWM(proc.pid!) ?? 0);
    res.rssEndMB = vmHWM(proc.pid!, 'VmRSS');
    await c.request('shutdown', null, 10_000).catch(() => undefined);
    c.notify('exit', null);
    return res;
  } finally {
    clearInterval(poll);
    setTimeout(() => proc.kill(), 2000).unref();
  }
}

// ---------------------------------------------------------------- main

interface SizeResult {
  size: string;
  mb: number;
  files: number;
  documents: number;
  floorMs: number;
  floorRuns: number[];
  cliMs: number;
  cliRuns: number[];
  cliOk: boolean;
  cliDetail: string;
  cliRssMB?: number;
  cliRatio: number;
  /** share of YAML documents the fast reader left to `yaml` */
  fallback: number;
  server: ServerResult;
  serverRatio?: number;
}

function fmt(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '-';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const fi = args.indexOf('--floor');
  if (fi >= 0) return floorChild(args[fi + 1]);
  const quick = args.includes('--quick');
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  // workloads: <MB>[-styled|-findings|-corpus] (bench/generate.ts); --all: every kind at 10 and 50 MB
  const all = '1,10,50,10-styled,50-styled,10-findings,50-findings,10-corpus,50-corpus';
  const sizes = (opt('--sizes') ?? opt('--workloads') ?? (args.includes('--all') ? all : quick ? '1,10' : '1,10,50')).split(',');
  const runsOpt = opt('--runs');
  const editsN = Number(opt('--edits') ?? (quick ? 15 : 50));
  const machine = {
    nproc: os.cpus().length,
    cpu: /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model,
    node: process.version,
    memGB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadBefore: os.loadavg().map((x) => +x.toFixed(2)),
  };
  console.log(`meshlint bench: ${machine.nproc} x ${machine.cpu}, Node ${machine.node}, load ${machine.loadBefore.join(' ')}${quick ? ' (quick)' : ''}`);
  const results: SizeResult[] = [];
  for (const size of sizes) {
    const dir = workspaceDir(size);
    const m = fillReference(size, dir, ensure(size));
    const runs = runsOpt ? Number(runsOpt) : quick ? 1 : Number(size) >= 50 ? 2 : 3;
    process.stdout.write(`\n${size} MB (${m.files} files, ${m.documents} YAML documents): floor`);
    const floorRuns: number[] = [];
    let fallback = 0;
    for (let i = 0; i < runs; i++) {
      const f = runFloor(dir);
      floorRuns.push(f.ms);
      fallback = f.fallback;
      process.stdout.write(` ${fmt(floorRuns[i])}`);
    }
    process.stdout.write('; cli');
    const cliRuns: number[] = [];
    let cli = { ok: true, detail: '', rss: undefined as number | undefined };
    for (let i = 0; i < runs; i++) {
      const r = await runCli(dir, m);
      cliRuns.push(r.ms);
      if (!r.ok) cli = { ok: false, detail: r.detail, rss: r.rss };
      else if (cli.ok) cli = { ok: true, detail: r.detail, rss: Math.max(cli.rss ?? 0, r.rss ?? 0) };
      process.stdout.write(` ${fmt(r.ms)}${r.ok ? '' : ' WRONG'}`);
    }
    process.stdout.write('; server');
    let server: ServerResult;
    try {
      server = await runServer(dir, m, editsN);
    } catch (e) {
      server = { available: false, note: `error: ${(e as Error).message}` };
    }
    process.stdout.write(server.available ? ` first ${fmt(server.firstMs)}${server.firstOk ? '' : ' WRONG'}, edit p95 ${fmt(server.editP95)}\n` : ` not available (${server.note})\n`);
    if (!cli.ok) console.log(`  CLI findings wrong: ${cli.detail}`);
    if (server.available && !server.firstOk) console.log(`  server diagnostics wrong: ${server.firstDetail}`);
    const floorMs = median(floorRuns);
    results.push({
      size,
      mb: +(m.bytes / 1048576).toFixed(1),
      files: m.files,
      documents: m.documents,
      floorMs,
      floorRuns,
      cliMs: median(cliRuns),
      cliRuns,
      cliOk: cli.ok,
      cliDetail: cli.detail,
      cliRssMB: cli.rss,
      cliRatio: median(cliRuns) / floorMs,
      fallback,
      server,
      serverRatio: server.firstMs !== undefined ? server.firstMs / floorMs : undefined,
    });
  }
  machine['loadAfter' as keyof typeof machine] = os.loadavg().map((x) => +x.toFixed(2)) as never;

  // ---- table
  const rows: string[][] = [['workload', 'files', 'yaml fallback', 'parse floor', 'cli cold', 'cli/floor', 'cli peak RSS', 'server first diag', 'server/floor', 'hover while indexing', 'edit p50', 'edit p95', 'definition p95', 'completion p95', 'server peak RSS', 'correct']];
  for (const r of results) {
    const s = r.server;
    rows.push([
      `${r.size} MB`,
      String(r.files),
      `${(r.fallback * 100).toFixed(1)}%`,
      fmt(r.floorMs),
      fmt(r.cliMs),
      r.cliRatio.toFixed(2),
      r.cliRssMB ? `${r.cliRssMB.toFixed(0)} MB` : 'n/a',
      s.available ? fmt(s.firstMs) : 'n/a',
      r.serverRatio !== undefined ? r.serverRatio.toFixed(2) : 'n/a',
      s.available ? `${fmt(s.hoverDuringIndexMs)}${s.answeredDuringIndexing ? '' : ' (after)'}` : 'n/a',
      s.available ? fmt(s.editP50) : 'n/a',
      s.available ? fmt(s.editP95) : 'n/a',
      s.available && s.definitionP95 !== undefined ? fmt(s.definitionP95) : 'n/a',
      s.available && s.completionP95 !== undefined ? fmt(s.completionP95) : 'n/a',
      s.available && s.rssMB ? `${s.rssMB.toFixed(0)} MB` : 'n/a',
      `${r.cliOk ? 'cli ok' : 'CLI WRONG'}${s.available ? (s.firstOk && !s.editFailures ? ', server ok' : `, SERVER WRONG (${s.editFailures ?? 0} edit failures)`) : ''}`,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log('\n' + rows.map((r, j) => r.map((c, i) => c.padEnd(widths[i])).join(' | ') + (j === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('-|-') : '')).join('\n'));
  const small = results.find((r) => r.size === '1');
  const big = results[results.length - 1];
  if (small && big && small !== big && small.server.available && big.server.available) {
    console.log(`\nedit -> diagnostics p95: ${fmt(small.server.editP95)} at ${small.size} MB vs ${fmt(big.server.editP95)} at ${big.size} MB (p50 ${fmt(small.server.editP50)} vs ${fmt(big.server.editP50)})`);
  }
  for (const r of results) {
    if (r.server.byKind) console.log(`${r.size} MB edits by kind: ${Object.entries(r.server.byKind).map(([k, v]) => `${k} p50 ${fmt(v.p50)} p95 ${fmt(v.p95)} (n=${v.n})`).join('; ')}`);
  }
  const outDir = path.join(__dirname, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  const file = path.join(outDir, `${stamp}.json`);
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), commit, machine, quick, editsN, results }, null, 2));
  console.log(`\nwrote ${path.relative(ROOT, file)}`);
  const bad = results.some((r) => !r.cliOk || (r.server.available && (!r.server.firstOk || r.server.editFailures)));
  if (bad) process.exitCode = 1;
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 2;
});
