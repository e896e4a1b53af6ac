#!/usr/bin/env node
// Real-editor tests for meshlint: runs test/e2e/suite (mocha, real `vscode` API) inside a real
// VS Code extension host, then (code-server backend) a UI check with Playwright.
//
// Backends:
//   electron     @vscode/test-electron: downloads desktop VS Code (needs network and a display)
//   code-server  VS Code's server build from the code-server npm package, driven by headless
//                Debian chromium through playwright-core (harness/setup.sh installs and caches it)
// Auto: electron when VS Code can be downloaded, else code-server. MESHLINT_E2E_BACKEND forces one.
//
// Environment:
//   MESHLINT_E2E_BACKEND=electron|code-server   force a backend
//   MESHLINT_E2E_EXTENSION_PATH=<dir>           extension under test (default: the repo root)
//   MESHLINT_E2E_GREP=<regexp>                  run only matching tests (API suite and UI checks)
//   MESHLINT_E2E_UI=0                           skip the Playwright UI phase
//   MESHLINT_E2E_TIMEOUT_MS=<ms>                overall timeout (default 360000)
//   MESHLINT_E2E_CACHE=<dir>                    harness cache (default ~/.cache/meshlint-e2e)
//   MESHLINT_E2E_KEEP=1                         keep the temp dir (logs, workspace copies)
//   MESHLINT_E2E_VERBOSE=1                      print all extension-host/workbench log lines
// Screenshots: a test logs `[[screenshot:NAME]]`; the runner saves test/e2e/out/screenshots/NAME.png,
// or docs/images/NAME.png with MESHLINT_E2E_UPDATE_IMAGES=1 (names starting with "tmp-" never go there).
// Closing line: `N passed, N failed`; exit code 0 only when all ran and none failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, cpSync, writeFileSync, readFileSync, readdirSync, openSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import dns from 'node:dns/promises';
import https from 'node:https';

const e2eDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(e2eDir, '../..');
const env = process.env;
const t0 = Date.now();
const TIMEOUT_MS = Number(env.MESHLINT_E2E_TIMEOUT_MS) || 6 * 60_000;
const verbose = env.MESHLINT_E2E_VERBOSE === '1';
const grep = env.MESHLINT_E2E_GREP ? new RegExp(env.MESHLINT_E2E_GREP) : undefined;

const secs = () => ((Date.now() - t0) / 1000).toFixed(1) + 's';
const say = (msg) => console.log(`e2e: ${msg}`);

// ---------------------------------------------------------------------------------------------
// results: parsed from the suite's log lines (see suite/index.ts) plus the UI phase's checks
const results = []; // { title, ok, detail }
let suiteEnd = null;
let firstMarker = false;

function record(title, ok, detail = '', ms) {
  results.push({ title, ok, detail });
  if (ok) console.log(`  ✓ ${title}${ms !== undefined ? ` (${ms}ms)` : ''}`);
  else console.log(`  ✗ ${title}\n${indent(detail, '      ')}`);
}
const indent = (s, pre) => String(s).replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.trim()).map((l) => pre + l).join('\n');

// workbench chatter reaches codeAutomationLog too; it is never test output: component-tagged lines
// ("[AgentHost] ...", "[lifecycle] ..."), stack frames, connection and offline-marketplace noise.
// Test output is the [[e2e:...]] markers and whatever tests print themselves.
const NOISE = [
  /^\s*$/, /^\s+at /, /^\[(?!\[)[A-Za-z][\w:. /-]*\]/,
  /marketplace|gallery|open-vsx|update\.code\.visualstudio|vscode-unpkg|vscode-cdn|ENOTFOUND|ERR_NAME_NOT_RESOLVED|getaddrinfo/i,
  /connection token|Creating a socket|builtin extensions cache|authentication provider|signed-in session|ExtensionService|Extension host|ExtHost/i,
  /punycode|DeprecationWarning|ExperimentalWarning|--trace-deprecation|--trace-warnings/,
  /Unable to read file|^(Canceled: )*Canceled|Creation of workbench contribution|took \d+ms\.$/,
  /vscode-remote-resource|telemetry|workspace trust|Unable to (resolve|retrieve)|Unknown message|Failed to load resource|Content Security Policy/i,
];
const isNoise = (line) => !line.startsWith('e2e:') && NOISE.some((re) => re.test(line));

/** Handles one log message from the extension host; returns a promise when it triggers work. */
function makeLogHandler({ onScreenshot, quiet = () => false }) {
  return async (text) => {
    const m = /^\[\[e2e:(suite|pass|fail|pending|end)\]\] ?([\s\S]*)$/.exec(text);
    if (m) {
      const [, kind, rest] = m;
      if (!firstMarker) { firstMarker = true; say(`the suite started in the extension host (${secs()})`); }
      if (kind === 'suite') console.log(`  ${rest}`);
      else if (kind === 'pass') {
        const pm = /^([\s\S]*) \((\d+)ms\)$/.exec(rest);
        record(pm ? pm[1] : rest, true, '', pm ? Number(pm[2]) : undefined);
      } else if (kind === 'fail') {
        const nl = rest.indexOf('\n');
        record(nl < 0 ? rest : rest.slice(0, nl), false, nl < 0 ? '' : rest.slice(nl + 1).split('\n').slice(0, 14).join('\n'));
      } else if (kind === 'pending') console.log(`  - ${rest} (pending)`);
      else if (kind === 'end') {
        try { suiteEnd = JSON.parse(rest); } catch { suiteEnd = { raw: rest }; }
      }
      return;
    }
    const s = /^\[\[screenshot:([A-Za-z0-9._-]+)\]\] ?(\S*)/.exec(text);
    if (s) return onScreenshot(s[1], s[2]);
    if (quiet() && !verbose) return; // after the run: shutdown chatter
    for (const line of text.split('\n')) if (verbose || !isNoise(line)) console.log(`    | ${line}`);
  };
}

function screenshotPath(name) {
  // docs/images only when asked, so a test run does not leave modified PNGs in the work tree
  const toDocs = env.MESHLINT_E2E_UPDATE_IMAGES === '1' && !name.startsWith('tmp-');
  const dir = toDocs ? join(root, 'docs/images') : join(e2eDir, 'out/screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

// ---------------------------------------------------------------------------------------------
// preparation shared by both backends
let tmpDir = null; // removed on every exit unless MESHLINT_E2E_KEEP=1
process.on('exit', () => { if (tmpDir && env.MESHLINT_E2E_KEEP !== '1') try { rmSync(tmpDir, { recursive: true, force: true }); } catch { /* ignore */ } });
function fail(msg) {
  console.error(`e2e: FAILED: ${msg}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

function extensionPath() {
  const p = env.MESHLINT_E2E_EXTENSION_PATH ? resolve(root, env.MESHLINT_E2E_EXTENSION_PATH) : root;
  if (!existsSync(join(p, 'package.json'))) fail(`extension under test ${p} has no package.json`);
  if (p === root && !existsSync(join(root, 'client/out/extension.js'))) {
    say('client/out/extension.js missing: npm run build');
    const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(join(root, 'client/out/extension.js'))) {
      fail('`npm run build` did not produce client/out/extension.js; the extension cannot load');
    }
  }
  if (p !== root) say(`extension under test: ${p} (MESHLINT_E2E_EXTENSION_PATH; the default is the repo root)`);
  return p;
}

async function buildSuite() {
  const { build } = await import('esbuild');
  const outdir = join(e2eDir, 'out');
  rmSync(outdir, { recursive: true, force: true });
  const suiteDir = join(e2eDir, 'suite');
  const entries = readdirSync(suiteDir).filter((f) => f === 'index.ts' || f.endsWith('.e2e.ts')).map((f) => join(suiteDir, f));
  await build({
    entryPoints: entries,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'error',
  });
  return join(outdir, 'index.js');
}

/**
 * The fixture workspace: examples/blog-system at the root plus test/e2e/ambient-example/ as
 * ambient-example/, assembled fresh in the temp dir for every run (tests edit it; the repo stays clean).
 */
function makeWorkspace(tmp, name) {
  const src = join(root, 'examples/blog-system');
  if (!existsSync(src) || readdirSync(src).length === 0) fail(`${src} is missing or empty: the fixture is built from it`);
  const ws = join(tmp, name);
  cpSync(src, ws, { recursive: true });
  cpSync(join(e2eDir, 'ambient-example'), join(ws, 'ambient-example'), { recursive: true });
  writeFileSync(join(ws, '.meshlint-e2e-fixture'), 'temp copy of examples/blog-system + test/e2e/ambient-example made by test/e2e/run.mjs\n');
  return realpathSync(ws);
}

// ---------------------------------------------------------------------------------------------
// backend choice
function get(url, ms) {
  return new Promise((res, rej) => {
    const req = https.request(url, { method: 'HEAD', timeout: ms }, (r) => { r.resume(); res(r.statusCode); });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', rej);
    req.end();
  });
}

async function canDownloadVSCode() {
  const host = 'update.code.visualstudio.com';
  try {
    await Promise.race([dns.lookup(host), new Promise((_, rej) => setTimeout(() => rej(Object.assign(new Error('DNS timeout'), { code: 'ETIMEDOUT' })), 3000))]);
    const status = await get(`https://${host}/api/releases/stable`, 4000);
    if (status >= 400) return { ok: false, why: `${host} answered HTTP ${status}` };
    return { ok: true };
  } catch (e) {
    return { ok: false, why: `${e.code ?? ''} ${e.message}`.trim() };
  }
}

async function chooseBackend() {
  const forced = env.MESHLINT_E2E_BACKEND;
  if (forced) {
    if (forced !== 'electron' && forced !== 'code-server') fail(`MESHLINT_E2E_BACKEND=${forced}: use electron or code-server`);
    say(`backend ${forced} (forced by MESHLINT_E2E_BACKEND)`);
    return forced;
  }
  const t = Date.now();
  const net = await canDownloadVSCode();
  if (!net.ok) {
    say(`VS Code cannot be downloaded (${net.why}, ${Date.now() - t} ms): using the code-server backend`);
    return 'code-server';
  }
  if (process.platform === 'linux' && !env.DISPLAY && !which('Xvfb')) {
    say('VS Code is downloadable but there is no DISPLAY and no Xvfb: using the code-server backend');
    return 'code-server';
  }
  say('VS Code is downloadable: using the electron backend (@vscode/test-electron)');
  return 'electron';
}

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
}

// ---------------------------------------------------------------------------------------------
// cleanup of everything we started: process groups (detached children) and async closers
const groups = new Set();
const closers = [];
function killGroups(signal = 'SIGKILL') {
  for (const pid of groups) {
    try { process.kill(-pid, signal); } catch { /* gone */ }
  }
}
let cleaning = null;
async function cleanup() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    for (const c of closers.reverse()) await Promise.race([c().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
    killGroups('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    killGroups('SIGKILL');
  })();
  return cleaning;
}
process.on('exit', () => killGroups('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    console.error(`e2e: ${sig}: stopping`);
    await cleanup();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// electron backend: a child process running @vscode/test-electron; its stdout carries the log lines
async function runElectron({ extPath, testsPath, ws, tmp }) {
  const ackDir = join(tmp, 'acks');
  mkdirSync(ackDir, { recursive: true });
  const opts = {
    extensionDevelopmentPath: extPath,
    extensionTestsPath: testsPath,
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: { MESHLINT_E2E_WORKSPACE: ws, MESHLINT_E2E_ACK_DIR: ackDir, ...(env.MESHLINT_E2E_GREP ? { MESHLINT_E2E_GREP: env.MESHLINT_E2E_GREP } : {}) },
  };
  const childEnv = { ...env };
  let xvfb;
  if (process.platform === 'linux' && !env.DISPLAY && which('Xvfb')) {
    const display = ':' + (90 + Math.floor(Math.random() * 9));
    xvfb = spawn('Xvfb', [display, '-screen', '0', '1400x900x24'], { detached: true, stdio: 'ignore' });
    groups.add(xvfb.pid);
    childEnv.DISPLAY = display;
  }
  const script = `import('@vscode/test-electron').then(async ({ runTests }) => {
    try { process.exitCode = await runTests(JSON.parse(process.env.MESHLINT_E2E_OPTS)) ? 1 : 0; }
    catch (e) { console.error('e2e: @vscode/test-electron failed: ' + (e && e.message || e)); process.exitCode = 2; }
  })`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    detached: true,
    env: { ...childEnv, MESHLINT_E2E_OPTS: JSON.stringify(opts) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  groups.add(child.pid);
  const handle = makeLogHandler({
    onScreenshot: (name, id) => {
      say(`screenshot ${name} skipped (electron backend has no page)`);
      if (id) writeFileSync(join(ackDir, `${id}.ack`), '');
    },
  });
  const pump = (stream, err) => {
    let buf = '';
    let pending = null; // a multi-line [[e2e:fail]] message continues until the next marker
    const flush = () => { if (pending !== null) { handle(pending); pending = null; } };
    stream.on('data', (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        if (line.startsWith('[[')) { flush(); if (line.startsWith('[[e2e:fail]]')) pending = line; else handle(line); }
        else if (pending !== null && /^\s+at |^\S*Error|^\s/.test(line)) pending += '\n' + line;
        else { flush(); if (verbose || !isNoise(line)) (err ? process.stderr : process.stdout).write(`    | ${line}\n`); }
      }
    });
    stream.on('end', flush);
  };
  pump(child.stdout, false);
  pump(child.stderr, true);
  const code = await new Promise((r) => child.on('exit', (c) => r(c ?? 1)));
  groups.delete(child.pid);
  if (xvfb) try { process.kill(-xvfb.pid, 'SIGTERM'); } catch { /* gone */ }
  if (code === 2 && !suiteEnd) fail('the electron backend could not start VS Code (see above)');
  return { exitCode: code };
}

// ---------------------------------------------------------------------------------------------
// code-server backend
function setupHarness() {
  return new Promise((res) => {
    const child = spawn('bash', [join(e2eDir, 'harness/setup.sh')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const m = /MESHLINT_E2E_HARNESS=(\S+) MESHLINT_E2E_NODE=(\S+)/.exec(out);
      if (code !== 0 || !m) fail(`harness setup failed (exit ${code}); see the lines above`);
      res({ harness: m[1], node: m[2] });
    });
  });
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function startCodeServer({ node, harness, tmp, ws, extEnv }) {
  const port = await freePort();
  const dirs = Object.fromEntries(['user-data', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache'].map((d) => [d, join(tmp, d)]));
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  // quiet, offline-friendly workbench: no AI/chat, no startup editor, no update/extension checks
  mkdirSync(join(dirs['user-data'], 'User'), { recursive: true });
  writeFileSync(join(dirs['user-data'], 'User/settings.json'), JSON.stringify({
    'chat.disableAIFeatures': true,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    'security.workspace.trust.enabled': false,
    'git.enabled': false,
    'github.gitAuthentication': false,
    'editor.hover.delay': 200,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.commandCenter.enabled': false,
  }, null, 2));
  const config = join(tmp, 'code-server.yaml');
  writeFileSync(config, '');
  const logFile = join(tmp, 'code-server.log');
  const fd = openSync(logFile, 'a');
  const entry = join(harness, 'node_modules/code-server/out/node/entry.js');
  const args = [
    entry, '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions,
    '--vscode-option', 'enable-smoke-test-driver', ws,
  ];
  const child = spawn(node, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: {
      ...env,
      ...extEnv, // the remote extension host inherits the server's environment
      PATH: `${dirname(node)}:${env.PATH}`,
      XDG_CONFIG_HOME: dirs['xdg-config'],
      XDG_DATA_HOME: dirs['xdg-data'],
      XDG_CACHE_HOME: dirs['xdg-cache'],
      NODE_OPTIONS: '',
    },
  });
  groups.add(child.pid);
  let exited = null;
  child.on('exit', (c, s) => (exited = `exit ${c ?? s}`));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) fail(`code-server exited at start (${exited}); log ${logFile}:\n${tail(logFile)}`);
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) fail(`code-server did not answer ${base}/healthz within 60 s; log ${logFile}:\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  say(`code-server up on ${base} (${secs()})`);
  return { port, base, logFile, child, isAlive: () => !exited, exited: () => exited };
}

function tail(file, n = 20) {
  try { return readFileSync(file, 'utf8').trim().split('\n').slice(-n).map((l) => '    ' + l).join('\n'); } catch { return '    (no log)'; }
}

function workbenchUrl(server, ws, extPath, testsPath, extEnv) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extPath)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  if (extEnv) payload.push(['extensionEnvironment', JSON.stringify(extEnv)]);
  return `${server.base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

async function runCodeServer({ extPath, testsPath, ws, tmp }) {
  const { harness, node } = await setupHarness();
  const ackDir = join(tmp, 'acks');
  mkdirSync(ackDir, { recursive: true });
  const extEnv = { MESHLINT_E2E_WORKSPACE: ws, MESHLINT_E2E_ACK_DIR: ackDir, ...(env.MESHLINT_E2E_GREP ? { MESHLINT_E2E_GREP: env.MESHLINT_E2E_GREP } : {}) };
  const server = await startCodeServer({ node, harness, tmp, ws, extEnv });

  const { chromium } = await import('playwright-core');
  const executablePath = env.MESHLINT_E2E_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) fail(`${executablePath} missing (harness/setup.sh installs Debian chromium)`);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  }).catch((e) => fail(`chromium did not start: ${e.message}`));
  closers.push(() => browser.close());
  const workbenchLog = join(tmp, 'workbench.log');

  // ---- phase 1: the mocha suite in the extension host
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => { try { writeFileSync(workbenchLog, `[${m.type()}] ${m.text()}\n`, { flag: 'a' }); } catch { /* ignore */ } });
  const shots = [];
  let exited = false;
  const handle = makeLogHandler({
    quiet: () => exited,
    onScreenshot: (name, id) => {
      const p = (async () => {
        const file = screenshotPath(name);
        try {
          await page.waitForTimeout(400); // let the workbench paint what the test just did
          await page.screenshot({ path: file });
          say(`screenshot ${file.replace(root + '/', '')}`);
        } catch (e) {
          say(`screenshot ${name} failed: ${e.message}`);
        }
        if (id) writeFileSync(join(ackDir, `${id}.ack`), '');
      })();
      shots.push(p);
      return p;
    },
  });
  let resolveExit;
  const exitCode = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    let text;
    try { text = format(...(Array.isArray(args) ? args : [args])); } catch { text = String(args); }
    return handle(text);
  });
  await page.exposeFunction('codeAutomationExit', (code) => { exited = true; resolveExit(Number(code)); });
  say(`opening the workbench with the test payload (${secs()})`);
  await page.goto(workbenchUrl(server, ws, extPath, testsPath, extEnv), { waitUntil: 'domcontentloaded' });
  const died = new Promise((r) => {
    const iv = setInterval(() => { if (!server.isAlive()) { clearInterval(iv); r('server'); } }, 500);
    page.on('crash', () => r('crash'));
    exitCode.then(() => clearInterval(iv));
  });
  const outcome = await Promise.race([exitCode.then((c) => ({ code: c })), died.then((why) => ({ died: why }))]);
  await Promise.all(shots);
  if (outcome.died) {
    record('extension host run', false, outcome.died === 'server' ? `code-server ${server.exited()}:\n${tail(server.logFile)}` : 'the workbench page crashed');
  }
  await page.close().catch(() => {});

  // ---- phase 2: UI check in a fresh workspace copy, extension loaded normally
  if (env.MESHLINT_E2E_UI !== '0' && outcome.code !== undefined) {
    const { runUiChecks } = await import('./ui.mjs');
    const ws2 = makeWorkspace(tmp, 'workspace-ui');
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page2 = await context.newPage();
    await page2.exposeFunction('codeAutomationLog', () => {});
    await page2.exposeFunction('codeAutomationExit', () => {});
    page2.on('console', (m) => { try { writeFileSync(workbenchLog, `[ui ${m.type()}] ${m.text()}\n`, { flag: 'a' }); } catch { /* ignore */ } });
    say(`UI check: opening ${ws2} in the workbench (${secs()})`);
    await page2.goto(workbenchUrl(server, ws2, extPath, null, null), { waitUntil: 'domcontentloaded' });
    await runUiChecks({ page: page2, ws: ws2, extPath, record, grep, screenshotPath, say, root });
    await context.close().catch(() => {});
  }
  return { exitCode: outcome.code ?? 1, logs: [server.logFile, workbenchLog] };
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const timer = setTimeout(async () => {
    record(`overall timeout of ${TIMEOUT_MS / 1000} s`, false, 'the run did not finish in time (MESHLINT_E2E_TIMEOUT_MS)');
    await finish(1);
  }, TIMEOUT_MS);
  timer.unref();

  const extPath = extensionPath();
  const testsPath = await buildSuite();
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'meshlint-e2e-')));
  tmpDir = tmp;
  if (env.MESHLINT_E2E_KEEP === '1') say(`keeping ${tmp}`);
  const ws = makeWorkspace(tmp, 'workspace');
  const backend = await chooseBackend();
  const run = backend === 'electron' ? runElectron : runCodeServer;
  const r = await run({ extPath, testsPath, ws, tmp });
  const { runGraphChecks } = await import('./graph.mjs');
  await runGraphChecks({ record, grep, screenshotPath, say, root, tmp, env });
  if (!suiteEnd) record('the mocha suite reports its end', false, `no [[e2e:end]] line from the extension host (exit ${r.exitCode})`);
  else if (r.exitCode !== 0 && !results.some((x) => !x.ok)) record('extension host exit code', false, `the test run exited ${r.exitCode} though no test failed`);
  if (r.logs && results.some((x) => !x.ok) && env.MESHLINT_E2E_KEEP === '1') say(`logs: ${r.logs.join(', ')}`);
  await finish(0);
}

let finished = false;
async function finish() {
  if (finished) return;
  finished = true;
  await cleanup();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  say(`done in ${secs()}`);
  if (passed + failed === 0) {
    console.error('e2e: no test ran (check MESHLINT_E2E_GREP)');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch(async (e) => {
  record('e2e runner', false, e.stack || String(e));
  await finish();
});
