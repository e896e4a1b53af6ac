/**
 * Safety in untrusted workspaces: meshlint never executes anything, never touches the network and
 * never writes a file. This test arms traps on child_process, net/http/https/http2/dns/tls/dgram,
 * fetch, worker_threads and every fs write path (including fs.promises and open with write flags),
 * then runs a full analysis of the shared corpus, the CLI in-process (text/json/sarif), and the
 * language server in-process over streams (index, open, edit, hover, code actions, coverage).
 * Any trapped call is recorded and blocked; the test fails if one happened.
 *
 * If the CLI ever uses worker threads, the Worker trap fires: allow it here only together with the
 * same traps installed inside the worker (execArgv --require), so that workers cannot write or spawn.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as os from 'node:os';
import { PassThrough } from 'node:stream';
import realFs = require('node:fs');
import childProcess = require('node:child_process');
import net = require('node:net');
import http = require('node:http');
import https = require('node:https');
import http2 = require('node:http2');
import dns = require('node:dns');
import tls = require('node:tls');
import dgram = require('node:dgram');
import workerThreads = require('node:worker_threads');
import { createConnection } from 'vscode-languageserver/node';
import { analyze } from '../../server/src/core/engine';
import { run } from '../../server/src/cli';
import { MeshlintServer } from '../../server/src/lsp/server';
import { LspClient } from '../lsp/lspClient';
import { loadDir, ROOT, SHARED } from '../helpers/workspace';

type Mod = Record<string, unknown>;
const violations: string[] = [];
let armed = false;
const restores: (() => void)[] = [];

function describeArgs(args: unknown[]): string {
  return args
    .slice(0, 2)
    .map((a) => (typeof a === 'string' || typeof a === 'number' ? JSON.stringify(a) : a && typeof a === 'object' ? '{…}' : String(a)))
    .join(', ');
}

/** Replaces mod[name]; while armed, a call (for which `when` holds) is recorded and blocked. */
function trap(mod: Mod, name: string, label: string, when?: (args: unknown[]) => boolean): void {
  const orig = mod[name];
  if (typeof orig !== 'function') return;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    if (armed && (!when || when(args))) {
      const what = `${label}.${name}(${describeArgs(args)})`;
      violations.push(`${what}\n    ${new Error().stack?.split('\n').slice(2, 6).join('\n    ')}`);
      throw new Error(`meshlint safety test: ${what} is not allowed`);
    }
    return (orig as (...a: unknown[]) => unknown).apply(this, args);
  };
  Object.defineProperty(mod, name, { value: wrapped, configurable: true, writable: true });
  restores.push(() => Object.defineProperty(mod, name, { value: orig, configurable: true, writable: true }));
}

const WRITE_FLAG = /[wa+]/;
const isWriteOpen = (args: unknown[]) => {
  const f = args[1];
  if (typeof f === 'string') return WRITE_FLAG.test(f);
  if (typeof f === 'number') return (f & (realFs.constants.O_WRONLY | realFs.constants.O_RDWR | realFs.constants.O_CREAT | realFs.constants.O_APPEND | realFs.constants.O_TRUNC)) !== 0;
  return false;
};

function installTraps(): void {
  const fsWrites = [
    'writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'mkdir', 'mkdirSync', 'mkdtemp', 'mkdtempSync',
    'rm', 'rmSync', 'rmdir', 'rmdirSync', 'unlink', 'unlinkSync', 'rename', 'renameSync', 'copyFile', 'copyFileSync',
    'cp', 'cpSync', 'symlink', 'symlinkSync', 'link', 'linkSync', 'truncate', 'truncateSync', 'ftruncate', 'ftruncateSync',
    'chmod', 'chmodSync', 'chown', 'chownSync', 'utimes', 'utimesSync', 'createWriteStream', 'write', 'writeSync', 'writev', 'writevSync',
  ];
  for (const n of fsWrites) trap(realFs as unknown as Mod, n, 'fs');
  trap(realFs as unknown as Mod, 'open', 'fs', isWriteOpen);
  trap(realFs as unknown as Mod, 'openSync', 'fs', isWriteOpen);
  const p = realFs.promises as unknown as Mod;
  for (const n of ['writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'cp', 'symlink', 'link', 'truncate', 'chmod', 'chown', 'utimes']) trap(p, n, 'fs.promises');
  trap(p, 'open', 'fs.promises', isWriteOpen);
  for (const n of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) trap(childProcess as unknown as Mod, n, 'child_process');
  for (const n of ['connect', 'createConnection', 'createServer']) trap(net as unknown as Mod, n, 'net');
  trap(net.Socket.prototype as unknown as Mod, 'connect', 'net.Socket');
  for (const m of [
    [http, 'http'],
    [https, 'https'],
  ] as const)
    for (const n of ['request', 'get', 'createServer']) trap(m[0] as unknown as Mod, n, m[1]);
  for (const n of ['connect', 'createServer', 'createSecureServer']) trap(http2 as unknown as Mod, n, 'http2');
  for (const n of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveSrv', 'resolveTxt', 'reverse']) {
    trap(dns as unknown as Mod, n, 'dns');
    trap(dns.promises as unknown as Mod, n, 'dns.promises');
  }
  trap(tls as unknown as Mod, 'connect', 'tls');
  trap(dgram as unknown as Mod, 'createSocket', 'dgram');
  trap(globalThis as unknown as Mod, 'fetch', 'globalThis');
  // a class: wrap the constructor
  const RealWorker = workerThreads.Worker;
  const TrappedWorker = function (this: unknown, ...args: unknown[]) {
    if (armed) {
      violations.push(`worker_threads.Worker(${describeArgs(args)})`);
      throw new Error('meshlint safety test: worker_threads.Worker is not allowed (see the note at the top of safety.test.ts)');
    }
    return Reflect.construct(RealWorker, args, new.target ?? RealWorker);
  };
  Object.defineProperty(workerThreads, 'Worker', { value: TrappedWorker, configurable: true, writable: true });
  restores.push(() => Object.defineProperty(workerThreads, 'Worker', { value: RealWorker, configurable: true, writable: true }));
}

after(() => {
  armed = false;
  for (const r of restores.reverse()) r();
});

/** The traps themselves work (a trap that never fires proves nothing). */
test('the traps catch writes, spawns and connects', () => {
  installTraps();
  armed = true;
  const tries: [string, () => unknown][] = [
    ['writeFileSync', () => realFs.writeFileSync(path.join(os.tmpdir(), 'meshlint-safety-probe'), 'x')],
    ['openSync w', () => realFs.openSync(path.join(os.tmpdir(), 'meshlint-safety-probe'), 'w')],
    ['spawnSync', () => childProcess.spawnSync('true')],
    ['net.connect', () => net.connect(1, '127.0.0.1')],
    ['http.get', () => http.get('http://127.0.0.1:1/')],
    ['dns.lookup', () => dns.lookup('example.com', () => undefined)],
    ['Worker', () => new workerThreads.Worker('0', { eval: true })],
  ];
  for (const [name, f] of tries) assert.throws(f, /meshlint safety test/, name);
  // reads stay allowed
  assert.ok(realFs.readFileSync(path.join(ROOT, 'package.json'), 'utf8').length > 0);
  assert.ok(realFs.openSync(path.join(ROOT, 'package.json'), 'r') > 0);
  armed = false;
  assert.equal(violations.length, tries.length);
  violations.length = 0;
});

test('full corpus analysis and the CLI: no process, no network, no write', (t) => {
  const corpus = path.join(SHARED, 'corpus');
  const files = realFs.existsSync(corpus) ? loadDir(corpus) : loadDir(path.join(ROOT, 'test/fixtures'));
  armed = true;
  let findings = 0;
  const outputs: string[] = [];
  try {
    const r = analyze(files);
    findings = r.findings.length;
    const example = path.join(ROOT, 'examples/blog-system');
    for (const format of ['text', 'json', 'sarif']) {
      run(['check', example, '--format', format, '--severity', 'hint'], (s) => outputs.push(s), (s) => outputs.push(s));
    }
    run(['check', realFs.existsSync(corpus) ? corpus : path.join(ROOT, 'test/fixtures'), '--format', 'json'], (s) => outputs.push(s.slice(0, 100)), (s) => outputs.push(s));
    run(['check', '/nonexistent/meshlint'], () => undefined, () => undefined);
    run(['bogus'], () => undefined, () => undefined);
  } finally {
    armed = false;
  }
  t.diagnostic(`${files.length} corpus files analysed (${findings} findings), CLI run 6 times; ${violations.length} trapped calls`);
  assert.deepEqual(violations, []);
  assert.ok(outputs.some((o) => o.includes('"version": "2.1.0"')), 'the SARIF run produced output');
});

test('the language server (in-process): index, edit, hover, code actions, coverage: no process, no network, no write', async (t) => {
  // the copy is made before arming; the server only reads it
  const dir = realFs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-safety-'));
  realFs.cpSync(path.join(ROOT, 'examples/blog-system'), dir, { recursive: true });
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  armed = true;
  const c = new LspClient(dir, { toServer, fromServer });
  try {
    const server = new MeshlintServer(createConnection(toServer, fromServer));
    server.listen();
    await c.initialize();
    await c.waitFor('diagnostics', () => c.find('host-header-passthrough'));
    await c.open('web/configmap.yaml');
    await c.replaceIn('web/configmap.yaml', /Host \$host;/, 'Host was-service;');
    await c.waitFor('re-analysis', () => !c.find('host-header-passthrough', 'web/configmap.yaml'));
    await c.replaceIn('web/configmap.yaml', /Host was-service;/, 'Host $host;');
    const f = await c.waitFor('finding back', () => c.find('host-header-passthrough', 'web/configmap.yaml'));
    const actions = await c.codeActions('web/configmap.yaml', f.d.range, [f.d]);
    assert.ok(actions.length > 0, 'code actions offered (the server returns edits; it never applies them itself)');
    await c.hover('web/configmap.yaml', f.d.range.start);
    await c.conn.sendRequest('meshlint/coverage', {});
    await c.watched([{ rel: 'web/deployment.yaml', type: 2 }]);
    await c.close('web/configmap.yaml');
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    armed = false;
    await c.stop();
    realFs.rmSync(dir, { recursive: true, force: true });
  }
  t.diagnostic(`server session: ${c.published.length} publishDiagnostics; ${violations.length} trapped calls`);
  assert.deepEqual(violations, []);
});
