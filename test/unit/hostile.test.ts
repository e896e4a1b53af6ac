/**
 * Hostile input: every case must finish within loose bounds (CPU time, heap growth), produce at
 * most one clear finding for the broken file, and never throw. Bounds are loose on purpose
 * (measure, don't race): the figures are printed as diagnostics and recorded in docs/reliability.md.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
// the module object itself (the namespace import is a frozen view): the tests patch it to inject faults and watch reads
import realFs = require('node:fs');
const mutableFs = realFs as unknown as Record<string, unknown>;
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { analyze, Workspace } from '../../server/src/core/engine';
import { nginxFacts } from '../../server/src/core/model/nginx';
import { discover, readText } from '../../server/src/workspace/discover';
import { run } from '../../server/src/cli';
import type { SourceFile, Finding, AnalysisOptions } from '../../server/src/core/types';
import { RULES } from '../../server/src/core/rules/registry';
import { defineRule } from '../../server/src/core/rules/rule';
import { loadDir } from '../helpers/workspace';

const CPU_MS = 5_000;
const HEAP_MB = 300;

interface Measured<T> {
  value: T;
  cpuMs: number;
  heapMb: number;
}

/** CPU time (robust on a busy machine) and heap growth of one synchronous call. */
function measure<T>(fn: () => T): Measured<T> {
  const h0 = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  let peak = h0;
  const value = fn();
  const c = process.cpuUsage(c0);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { value, cpuMs: (c.user + c.system) / 1000, heapMb: (peak - h0) / 1048576 };
}

function analyzeBounded(t: { diagnostic(s: string): void }, name: string, files: SourceFile[], options?: AnalysisOptions, cpuMs = CPU_MS) {
  const m = measure(() => analyze(files, options));
  t.diagnostic(`${name}: ${m.cpuMs.toFixed(0)} ms CPU, heap +${m.heapMb.toFixed(0)} MB, ${m.value.findings.length} findings`);
  assert.ok(m.cpuMs < cpuMs, `${name}: ${m.cpuMs.toFixed(0)} ms of CPU (bound ${cpuMs})`);
  assert.ok(m.heapMb < HEAP_MB, `${name}: heap grew ${m.heapMb.toFixed(0)} MB (bound ${HEAP_MB})`);
  assert.deepEqual(m.value.ruleErrors.map((e) => e.rule), [], `${name}: a rule crashed`);
  for (const f of m.value.findings) assert.notEqual(f.rule, 'internal-error', `${name}: ${f.message}`);
  return m.value;
}

/** The findings about the input itself (not mesh rules) for one file. */
function inputFindings(fs_: Finding[], file: string): Finding[] {
  return fs_.filter((f) => f.file === file && ['yaml-syntax', 'nginx-syntax', 'template-skipped', 'file-skipped', 'internal-error'].includes(f.rule));
}

function oneClear(fs_: Finding[], file: string, rule: string, re: RegExp): Finding {
  const mine = inputFindings(fs_, file);
  assert.equal(mine.length, 1, `exactly one input finding for ${file}: ${mine.map((f) => `${f.rule}: ${f.message}`).join(' / ')}`);
  assert.equal(mine[0].rule, rule);
  assert.match(mine[0].message, re);
  return mine[0];
}

const cm = (name: string, data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: web\ndata:\n${data}`;
const svc = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: default\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n';

const tmpDirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-hostile-'));
  tmpDirs.push(d);
  return d;
}
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('hostile YAML', () => {
  test('billion laughs: bounded, one finding naming the alias bomb', (t) => {
    let s = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a0: &a0 "lol"\n';
    for (let i = 1; i < 10; i++) s += `  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const r = analyzeBounded(t, 'billion laughs (10^9 nodes)', [{ path: 'bomb.yaml', text: s }]);
    oneClear(r.findings, 'bomb.yaml', 'file-skipped', /alias bomb/);
    // merge keys and a long alias chain
    let m = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: m\nspec:\n  x0: &x0 {a: 1, b: 2}\n';
    for (let i = 1; i < 40; i++) m += `  x${i}: &x${i} {<<: [*x${i - 1}, *x${i - 1}], k${i}: *x${i - 1}}\n`;
    const r2 = analyzeBounded(t, 'merge-key alias chain', [{ path: 'merge.yaml', text: m }]);
    assert.ok(inputFindings(r2.findings, 'merge.yaml').length <= 1);
  });

  test('10,000 levels of nesting: flow and block', (t) => {
    const size = (s: string) => (s.length < 1 << 20 ? `${(s.length / 1024).toFixed(0)} KB` : `${(s.length / 1048576).toFixed(1)} MB`);
    const N = 10_000;
    const cases: [string, string][] = [
      ['flow sequences', cm('deep', `  k: ${'['.repeat(N)}${']'.repeat(N)}\n`)],
      ['flow maps', `apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`],
      ['compact block sequences', `apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports:\n  ${'- '.repeat(N)}1\n`],
      ['block maps (1 space a level)', `apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n${Array.from({ length: N }, (_, i) => ' '.repeat(i + 1) + 'a:').join('\n')}\n`],
    ];
    for (const [name, text] of cases) {
      const r = analyzeBounded(t, `nesting: ${name} (${size(text)})`, [{ path: 'deep.yaml', text }], { maxFileSize: 64 << 20 });
      const mine = inputFindings(r.findings, 'deep.yaml');
      assert.equal(mine.length, 1, `${name}: ${mine.map((f) => f.message).join(' / ')}`);
      assert.doesNotMatch(mine[0].message, /call stack/i, 'a clear message, not a stack overflow');
    }
    // deep but legal for the model (150 levels): analysed, no finding
    const ok = analyzeBounded(t, 'nesting: 150 levels', [{ path: 'ok.yaml', text: cm('ok', `  k: ${'['.repeat(150)}${']'.repeat(150)}\n`) }]);
    assert.deepEqual(inputFindings(ok.findings, 'ok.yaml'), []);
  });

  test('100,000-key maps', (t) => {
    const keys = (indent: string, n: number) => Array.from({ length: n }, (_, i) => `${indent}k${i}: v${i}`).join('\n');
    const text =
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: wide\n  labels:\n${keys('    ', 100_000)}\n---\n` +
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: wide2\nspec:\n  selector:\n${keys('    ', 100_000)}\n  ports: [{port: 80}]\n` +
      `---\n${cm('wide', keys('  ', 100_000))}\n`;
    const r = analyzeBounded(t, `100k-key maps x3 (${(text.length / 1048576).toFixed(1)} MB)`, [{ path: 'wide.yaml', text }], { maxFileSize: 8 << 20 }, 20_000);
    assert.deepEqual(inputFindings(r.findings, 'wide.yaml'), []);
    assert.equal(r.model.objects.length, 3);
  });

  test('a 50 MB file is skipped with one finding; the limit is configurable', (t) => {
    const unit = svc.replace('name: api', 'name: api-NNN') + '---\n';
    const big = unit.repeat(Math.ceil((50 << 20) / unit.length));
    const r = analyzeBounded(t, `50 MB in memory, default limit`, [{ path: 'big.yaml', text: big }, { path: 's.yaml', text: svc }]);
    oneClear(r.findings, 'big.yaml', 'file-skipped', /50\.0 MB is above the 5\.0 MB limit/);
    assert.equal(r.model.objects.length, 1, 'the other file is still analysed');
    // a size given by the reader (only the head was read) counts, not the text length
    const head = analyze([{ path: 'big.yaml', text: big.slice(0, 1000), size: 50 << 20 }]);
    oneClear(head.findings, 'big.yaml', 'file-skipped', /50\.0 MB/);
    // raised limit: a 6 MB file is indexed (block style: flow maps take the yaml package's slower path)
    const block = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: default\nspec:\n  selector:\n    app: api\n  ports:\n  - port: 80\n---\n';
    const six = block.repeat(Math.ceil((6 << 20) / block.length));
    const raised = analyzeBounded(t, `6 MB with maxFileSize 8 MB`, [{ path: 'six.yaml', text: six }], { maxFileSize: 8 << 20 }, 20_000);
    assert.deepEqual(inputFindings(raised.findings, 'six.yaml'), []);
    assert.ok(raised.model.objects.length > 40_000);
    // the server changes the limit on a live workspace
    const ws = new Workspace({ maxFileSize: 1000 });
    ws.set({ path: 's.yaml', text: svc + '#'.repeat(2000) });
    assert.equal(ws.analyze().findings.filter((f) => f.rule === 'file-skipped').length, 1);
    ws.setOptions({ maxFileSize: 1 << 20 });
    assert.equal(ws.analyze().findings.filter((f) => f.rule === 'file-skipped').length, 0);
  });

  test('a 50 MB file on disk: the CLI reads only its head and reports it once (--max-file-size)', (t) => {
    const dir = tmp();
    const unit = svc + '---\n';
    const fd = fs.openSync(path.join(dir, 'big.yaml'), 'w');
    const chunk = Buffer.from(unit.repeat(Math.ceil((1 << 20) / unit.length)));
    let written = 0;
    while (written < 50 << 20) written += fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    fs.writeFileSync(path.join(dir, 'small.yaml'), svc);
    const m = measure(() => cli(['check', dir, '--format', 'json', '--severity', 'hint']));
    t.diagnostic(`CLI on a ${(written / 1048576).toFixed(0)} MB file: ${m.cpuMs.toFixed(0)} ms CPU, heap +${m.heapMb.toFixed(0)} MB`);
    assert.ok(m.heapMb < 100, `the file was read whole? heap +${m.heapMb.toFixed(0)} MB`);
    const out = JSON.parse(m.value.out) as { files: number; findings: { rule: string; file: string; message: string }[] };
    const skipped = out.findings.filter((f) => f.rule === 'file-skipped');
    assert.equal(skipped.length, 1);
    assert.match(skipped[0].file, /big\.yaml$/);
    assert.match(skipped[0].message, /5\d\.\d MB is above the 5\.0 MB limit/);
    const low = cli(['check', dir, '--format', 'json', '--max-file-size', '100']);
    const lowOut = JSON.parse(low.out) as { findings: { rule: string }[] };
    assert.equal(lowOut.findings.filter((f) => f.rule === 'file-skipped').length, 2, '--max-file-size applies to every file');
    assert.equal(cli(['check', dir, '--max-file-size', 'lots']).code, 2);
  });

  test('binary and non-UTF-8 files named .yaml', (t) => {
    const dir = tmp();
    const bytes = Buffer.alloc(64 * 1024);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    fs.writeFileSync(path.join(dir, 'random.yaml'), bytes);
    fs.writeFileSync(path.join(dir, 'utf16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(svc, 'utf16le')]));
    fs.writeFileSync(path.join(dir, 'latin1.yaml'), Buffer.from(svc.replace('name: api', 'name: café') + '# r\xe9sum\xe9\n', 'latin1'));
    fs.writeFileSync(path.join(dir, 'elf.conf'), Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00'), bytes.subarray(0, 4096)]));
    fs.writeFileSync(path.join(dir, 'ok.yaml'), svc);
    const files = discover(dir).map((p) => ({ path: path.relative(dir, p), text: readText(p)!.text }));
    const r = analyzeBounded(t, 'binary files', files);
    oneClear(r.findings, 'random.yaml', 'file-skipped', /binary or not UTF-8/);
    oneClear(r.findings, 'utf16.yaml', 'file-skipped', /binary or not UTF-8/);
    oneClear(r.findings, 'elf.conf', 'file-skipped', /binary or not UTF-8/);
    // a few bad bytes in otherwise fine text: analysed (the name has a replacement character)
    assert.ok(inputFindings(r.findings, 'latin1.yaml').length <= 1);
    assert.deepEqual(inputFindings(r.findings, 'ok.yaml'), []);
    // in memory: NUL bytes, lone surrogates
    const r2 = analyzeBounded(t, 'NUL and surrogates', [
      { path: 'nul.yaml', text: svc + '\u0000\u0000' },
      { path: 'sur.yaml', text: svc.replace('api', 'a\ud800pi') },
    ]);
    oneClear(r2.findings, 'nul.yaml', 'file-skipped', /binary/);
    assert.ok(inputFindings(r2.findings, 'sur.yaml').length <= 1);
  });

  test('Helm and Go templates are skipped with one finding; {{ }} inside strings is fine', (t) => {
    const r = analyzeBounded(t, 'templates', [
      { path: 'chart/templates/deployment.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "x.fullname" . }}\nspec:\n  replicas: {{ .Values.replicas }}\n{{- if .Values.foo }}\n  x: 1\n{{- end }}\n' },
      { path: 'go/service.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Name }}\n{{ range .Ports }}\n- {{ . }}\n{{ end }}\n' },
      { path: 'alerts.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\n  annotations:\n    summary: "{{ $labels.instance }} is down"\ndata:\n  msg: |\n    {{ .CommonLabels.alertname }}\n' },
      { path: 'unbalanced.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{{{{{\n' + '{{'.repeat(100_000) + '\n' },
    ]);
    oneClear(r.findings, 'chart/templates/deployment.yaml', 'template-skipped', /Helm\/Go template/);
    oneClear(r.findings, 'go/service.yaml', 'template-skipped', /template/);
    assert.deepEqual(inputFindings(r.findings, 'alerts.yaml'), []);
    assert.ok(r.model.objects.some((o) => o.name === 'alerts'));
    assert.equal(inputFindings(r.findings, 'unbalanced.yaml').length, 1);
  });

  test('20,000 documents in one 5 MB file', (t) => {
    const doc = (i: number) => `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s${i}\n  namespace: ns${i % 97}\nspec:\n  selector:\n    app: a${i}\n  ports:\n  - port: 80\n    targetPort: 8080\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}\n  namespace: ns${i % 97}\nspec:\n  template:\n    metadata:\n      labels:\n        app: a${i}\n    spec:\n      containers:\n      - name: c\n        image: x\n`;
    const parts: string[] = [];
    let len = 0;
    for (let i = 0; len < (5 << 20) - 4096; i++) {
      const d = doc(i);
      parts.push(d);
      len += d.length;
    }
    const r = analyzeBounded(t, `${parts.length * 2} documents, ${(len / 1048576).toFixed(1)} MB, one file`, [{ path: 'many.yaml', text: parts.join('') }], undefined, 20_000);
    assert.equal(r.model.objects.length, parts.length * 2);
  });
});

describe('hostile file system (discover, readText)', () => {
  test('symlink loops and links out of the root are not followed', (t) => {
    const outside = tmp();
    fs.writeFileSync(path.join(outside, 'secret.yaml'), svc);
    fs.mkdirSync(path.join(outside, 'dir'));
    fs.writeFileSync(path.join(outside, 'dir', 'other.yaml'), svc);
    const root = tmp();
    fs.mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'a', 'b', 'real.yaml'), svc);
    fs.symlinkSync('.', path.join(root, 'loop'));
    fs.symlinkSync('..', path.join(root, 'a', 'b', 'up'));
    fs.symlinkSync(path.join(root, 'a'), path.join(root, 'a', 'b', 'again'));
    fs.symlinkSync('loop2', path.join(root, 'loop1'));
    fs.symlinkSync('loop1', path.join(root, 'loop2'));
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'leak.yaml'));
    fs.symlinkSync(path.join(outside, 'dir'), path.join(root, 'leakdir'));
    fs.symlinkSync('../'.repeat(20) + 'etc', path.join(root, 'etc'));
    fs.symlinkSync(path.join(root, 'nowhere.yaml'), path.join(root, 'dangling.yaml'));
    fs.symlinkSync(path.join(root, 'a', 'b', 'real.yaml'), path.join(root, 'inside.yaml'));
    const m = measure(() => discover(root));
    t.diagnostic(`discover with loops and outside links: ${m.cpuMs.toFixed(0)} ms CPU, ${m.value.length} files`);
    const rel = m.value.map((p) => path.relative(root, p).split(path.sep).join('/')).sort();
    assert.deepEqual(rel, ['a/b/real.yaml', 'inside.yaml']);
    for (const p of m.value) assert.ok(fs.realpathSync(p).startsWith(fs.realpathSync(root) + path.sep));
    // the CLI on the same tree
    const out = JSON.parse(cli(['check', root, '--format', 'json', '--severity', 'hint']).out) as { files: number };
    assert.equal(out.files, 2);
  });

  test('files that vanish or change type between listing and reading', () => {
    const root = tmp();
    for (const n of ['a.yaml', 'b.yaml', 'c.yaml', 'd.conf']) fs.writeFileSync(path.join(root, n), n.endsWith('.conf') ? 'http { }\n' : svc);
    const listed = discover(root);
    assert.equal(listed.length, 4);
    fs.unlinkSync(path.join(root, 'a.yaml'));
    fs.unlinkSync(path.join(root, 'b.yaml'));
    fs.mkdirSync(path.join(root, 'b.yaml'));
    fs.unlinkSync(path.join(root, 'd.conf'));
    fs.symlinkSync(path.join(root, 'gone'), path.join(root, 'd.conf'));
    const texts = listed.map((p) => readText(p));
    assert.deepEqual(texts.map((x) => x !== undefined), [false, false, true, false]);
    // the CLI tolerates a file vanishing between its listing and its read (readText opens it first)
    const real = fs.openSync;
    const victim = path.join(root, 'c.yaml');
    let removed = false;
    mutableFs.openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
      if (!removed && String(p) === victim) {
        removed = true;
        fs.unlinkSync(victim);
      }
      return (real as (...a: unknown[]) => number)(p, ...rest);
    }) as typeof fs.openSync;
    try {
      const r = cli(['check', root, '--format', 'json']);
      assert.equal(r.code, 0, r.err);
      assert.ok(removed, 'the race was exercised');
      assert.equal((JSON.parse(r.out) as { files: number }).files, 0);
    } finally {
      mutableFs.openSync = real;
    }
  });

  test('a FIFO named like a manifest is skipped at once, never read (the read would block)', { skip: process.platform === 'win32' ? 'no FIFOs on Windows' : false }, () => {
    const root = tmp();
    fs.writeFileSync(path.join(root, 'svc.yaml'), svc);
    const made = spawnSync('mkfifo', [path.join(root, 'pipe.yaml')]);
    assert.equal(made.status, 0, `mkfifo failed: ${made.stderr}`);
    assert.equal(readText(path.join(root, 'pipe.yaml')), undefined);
    const r = cli(['check', root, '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { files: number }).files, 1);
  });
});

describe('hostile nginx', () => {
  const conf = (text: string): SourceFile[] => [{ path: 'nginx/nginx.conf', text }, { path: 's.yaml', text: svc }];
  const MB = 1 << 20;

  test('unbalanced braces: one finding each, bounded', (t) => {
    const cases: [string, string, RegExp][] = [
      ['10,000 unclosed blocks', 'http {\n' + 'location / {\n'.repeat(10_000), /nest more than 64 levels/],
      ['10,000 balanced levels', 'location / {'.repeat(10_000) + 'proxy_pass http://api;' + '}'.repeat(10_000), /nest more than 64 levels/],
      ['10,000 stray }', 'http { }\n' + '}\n'.repeat(10_000), /unexpected "}" \(and at least 999 more syntax errors/],
      ['1 MB of {', 'http ' + '{'.repeat(MB), /unexpected "\{" \(and at least 999 more/],
      ['1 MB of ;', 'http { ' + ';'.repeat(MB) + '}', /unexpected ";"/],
    ];
    for (const [name, text, re] of cases) {
      const r = analyzeBounded(t, `nginx: ${name}`, conf(text));
      const mine = inputFindings(r.findings, 'nginx/nginx.conf');
      assert.equal(mine.length, 1, `${name}: ${mine.map((f) => f.message).join(' / ')}`);
      assert.match(mine[0].message, re);
    }
    // embedded in a ConfigMap: same treatment, offsets inside the YAML file
    const deep = cm('n', `  nginx.conf: |\n    http {\n${'    location / {\n'.repeat(10_000)}`);
    const r = analyzeBounded(t, 'nginx in a ConfigMap: 10,000 unclosed blocks', [{ path: 'cm.yaml', text: deep }]);
    oneClear(r.findings, 'cm.yaml', 'file-skipped', /ConfigMap n, key nginx\.conf: its blocks nest more than 64/);
  });

  test('unclosed quotes and 1 MB lines', (t) => {
    const cases: [string, string, number][] = [
      ['unclosed quote then 1 MB', 'http { server { location / { proxy_pass "http://api;\n' + 'x y;\n'.repeat(200_000), 1],
      ['1 MB server_name', 'http { server { server_name ' + 'a'.repeat(MB) + '; location / { proxy_pass http://api; } } }\n', 0],
      ['1 MB line without ;', 'http { server { server_name ' + 'a '.repeat(MB / 2), 1],
      ['1 MB comment', '#' + 'x'.repeat(MB) + '\nhttp { }\n', 0],
      ['1 MB of escaped quotes', 'http { add_header X "' + '\\"'.repeat(MB / 2) + '"; }', 0],
      ['1 MB single-quoted, unclosed', "http { add_header X '" + 'y'.repeat(MB), 1],
      ['1 MB of $', 'http { set $a ' + '${'.repeat(MB / 2) + '; }', 0],
    ];
    for (const [name, text, n] of cases) {
      const r = analyzeBounded(t, `nginx: ${name}`, conf(text));
      assert.equal(inputFindings(r.findings, 'nginx/nginx.conf').length, n, name);
    }
    const r = analyzeBounded(t, 'nginx in a ConfigMap: 1 MB line', [{ path: 'cm.yaml', text: cm('n', `  nginx.conf: |\n    http { server { server_name ${'a'.repeat(MB)}; } }\n`) }]);
    assert.deepEqual(inputFindings(r.findings, 'cm.yaml'), []);
  });

  test('include cycles and glob fan-out stay bounded', (t) => {
    const self = analyzeBounded(t, 'include: self through a block', [{ path: 'nginx.conf', text: 'http { include nginx.conf; server { location / { include nginx.conf; proxy_pass http://api; } } }\n' }]);
    assert.equal(inputFindings(self.findings, 'nginx.conf').length, 0);
    analyzeBounded(t, 'include: mutual', [
      { path: 'a/nginx.conf', text: 'http { server { include b.conf; } }\n' },
      { path: 'a/b.conf', text: 'location / { include nginx.conf; proxy_pass http://api; }\n' },
    ]);
    const fan = Array.from({ length: 30 }, (_, i) => ({ path: `nginx/conf.d/f${i}.conf`, text: `include *.conf;\nlocation /p${i} { include *.conf; proxy_pass http://api; }\n` }));
    analyzeBounded(t, 'include: 30 files each including *.conf twice', [{ path: 'nginx/nginx.conf', text: 'http { server { include conf.d/*.conf; } }\n' }, ...fan, { path: 's.yaml', text: svc }]);
    const tree: SourceFile[] = [];
    for (let l = 0; l < 8; l++) for (let i = 0; i < 10; i++) tree.push({ path: `nginx/l${l}/f${i}.conf`, text: (l < 7 ? `include ../l${l + 1}/*.conf;\n` : '') + `proxy_set_header X-L${l} ${i};\n` });
    analyzeBounded(t, 'include: 8 levels x 10 files (10^8 expansions)', [{ path: 'nginx/nginx.conf', text: 'http { server { include l0/*.conf; location / { proxy_pass http://api; } } }\n' }, ...tree, { path: 's.yaml', text: svc }]);
    const keys = Array.from({ length: 20 }, (_, i) => `  f${i}.conf: |\n    include /etc/nginx/conf.d/*.conf;\n    server { location / { include /etc/nginx/conf.d/*.conf; proxy_pass http://api; } }\n`).join('');
    analyzeBounded(t, 'include: 20 ConfigMap keys including each other', [{ path: 'cm.yaml', text: cm('n', keys) }]);
  });

  test('glob includes resolve inside the workspace', (t) => {
    const r = analyzeBounded(t, 'glob include', [
      { path: 'web/nginx.conf', text: 'http { server { include conf.d/*.conf; } }\n' },
      { path: 'web/conf.d/a.conf', text: 'location /a { proxy_pass http://api.default.svc.cluster.local; }\n' },
      { path: 'web/conf.d/b.conf', text: 'location /b { proxy_pass http://api.default.svc.cluster.local; }\n' },
      { path: 'web/conf.d/c.txt', text: 'location /c { proxy_pass http://api; }\n' },
      { path: 's.yaml', text: svc },
    ]);
    const targets = nginxFacts(r.model).targets.filter((x) => x.conf.file === 'web/nginx.conf');
    assert.deepEqual(targets.map((x) => x.file).sort(), ['web/conf.d/a.conf', 'web/conf.d/b.conf']);
  });

  test('includes pointing outside the workspace are not read, and a finding says why', (t) => {
    const r = analyzeBounded(t, 'include outside', [
      { path: 'web/nginx.conf', text: 'http { include ../../../etc/nginx/secrets.conf; include ../shared/ok.conf; include /etc/nginx/../../../x.conf; server { location / { proxy_pass http://api; } } }\n' },
      { path: 'shared/ok.conf', text: 'proxy_set_header X-Ok 1;\n' },
    ]);
    const out = r.findings.filter((f) => f.rule === 'nginx-include-outside');
    assert.equal(out.length, 2, out.map((f) => f.message).join('\n'));
    for (const f of out) {
      assert.equal(f.severity, 'information');
      assert.match(f.message, /outside the workspace/);
      assert.match(f.message, /does not read it/);
    }
    const text = 'http { include ../../../etc/nginx/secrets.conf;';
    assert.equal(out[0].start, text.indexOf('../'));
    // an include that stays inside is quiet
    assert.ok(!out.some((f) => f.message.includes('ok.conf')));
  });

  test('the CLI never opens a file outside the workspace, even through includes', () => {
    const outside = tmp();
    const root = path.join(outside, 'ws');
    fs.mkdirSync(path.join(root, 'web'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'secrets.conf'), 'proxy_set_header Host $host;\n');
    fs.writeFileSync(path.join(root, 'web', 'nginx.conf'), 'http { include ../../secrets.conf; server { location / { proxy_pass http://api; } } }\n');
    const opened: string[] = [];
    const realRead = fs.readFileSync;
    const realOpen = fs.openSync;
    mutableFs.readFileSync = ((p: fs.PathOrFileDescriptor, o?: unknown) => {
      opened.push(String(p));
      return (realRead as (p: fs.PathOrFileDescriptor, o?: unknown) => unknown)(p, o);
    }) as typeof fs.readFileSync;
    mutableFs.openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
      opened.push(String(p));
      return (realOpen as (p: fs.PathLike, ...r: unknown[]) => number)(p, ...rest);
    }) as typeof fs.openSync;
    let r: { code: number; out: string; err: string };
    try {
      r = cli(['check', root, '--format', 'json', '--severity', 'hint']);
    } finally {
      mutableFs.readFileSync = realRead;
      mutableFs.openSync = realOpen;
    }
    const realRoot = fs.realpathSync(root);
    const files = opened.filter((p) => p.startsWith('/') && !p.includes('node_modules'));
    assert.ok(files.length > 0, 'the workspace was read');
    for (const p of files) assert.ok(fs.realpathSync(p).startsWith(realRoot + path.sep), `read outside the workspace: ${p}`);
    const out = JSON.parse(r.out) as { findings: { rule: string; message: string }[] };
    assert.ok(out.findings.some((f) => f.rule === 'nginx-include-outside' && f.message.includes('../../secrets.conf')));
  });
});

function cli(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = run(argv, (s) => (out += s + '\n'), (s) => (err += s + '\n'));
  return { code, out, err };
}

describe('faults inside the core', () => {
  test('a rule that throws: the other rules still report, the error is reported once', () => {
    const files = loadDir(path.join(__dirname, '../../examples/blog-system'));
    const clean = analyze(files);
    const bombs = [
      defineRule({ id: 'test-throws', defaultSeverity: 'error', description: 'throws', kinds: [], check() { throw new Error('boom'); } }),
      defineRule({ id: 'test-throws-string', defaultSeverity: 'error', description: 'throws a string', kinds: [], check() { throw 'not an Error'; } }),
      defineRule({
        id: 'test-half',
        defaultSeverity: 'warning',
        description: 'reports, then throws',
        kinds: [],
        check(ctx) {
          ctx.report({ file: files[0].path, start: 0, end: 1, message: 'before the crash' });
          throw new RangeError('after one report');
        },
      }),
      defineRule({
        id: 'test-bad-offsets',
        defaultSeverity: 'hint',
        description: 'reports offsets that are not in the file',
        kinds: [],
        check(ctx) {
          ctx.report({ file: files[0].path, start: NaN, end: Infinity, message: 'NaN..Infinity' });
          ctx.report({ file: files[0].path, start: -5, end: 1e9, message: 'negative..huge' });
          ctx.report({ file: files[0].path, start: 10, end: 3, message: 'end before start' });
        },
      }),
    ];
    RULES.push(...bombs);
    try {
      const r = analyze(files);
      assert.deepEqual(r.ruleErrors.map((e) => e.rule).sort(), ['test-half', 'test-throws', 'test-throws-string']);
      assert.match(r.ruleErrors.find((e) => e.rule === 'test-throws-string')!.message, /not an Error/);
      const real = (fs_: Finding[]) => fs_.filter((f) => !f.rule.startsWith('test-')).map((f) => `${f.rule} ${f.file} ${f.start}`);
      assert.deepEqual(real(r.findings), real(clean.findings), 'the other rules report exactly as without the crashes');
      assert.equal(r.findings.filter((f) => f.rule === 'test-half').length, 1, 'what a rule reported before it crashed is kept');
      const len = files[0].text.length;
      for (const f of r.findings.filter((x) => x.rule === 'test-bad-offsets')) {
        assert.ok(Number.isInteger(f.start) && Number.isInteger(f.end) && 0 <= f.start && f.start <= f.end && f.end <= len, `${f.message}: [${f.start}, ${f.end}]`);
      }
    } finally {
      for (const b of bombs) RULES.splice(RULES.indexOf(b), 1);
    }
  });
});
