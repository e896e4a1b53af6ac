/** The CLI as CI uses it: formats, exit codes, usage errors. Runs the built bundle. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { ROOT } from '../helpers/workspace';

const BIN = path.join(ROOT, 'bin/meshlint.js');
function cli(args: string[], cwd = ROOT) {
  assert.ok(fs.existsSync(path.join(ROOT, 'server/out/cli.js')), 'run `npm run build` first (npm test does)');
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('text output is compiler-like and exits 1 on warnings', () => {
  const r = cli(['check', 'examples/blog-system']);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /^examples\/blog-system\/web\/configmap\.yaml:19:35: warning host-header-passthrough /m);
  assert.match(r.out, /istio\/peerauthentication\.yaml:8:11: error strict-mtls-plaintext-client/);
  assert.match(r.out, /fix: Set Host to was-service/);
  assert.doesNotMatch(r.out, /missing-destination-rule/, 'hints hidden unless --severity hint');
});

test('json output has the documented shape with 1-based positions', () => {
  const r = cli(['check', 'examples/blog-system', '--format', 'json', '--severity', 'hint']);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.out);
  assert.equal(j.version, 1);
  assert.equal(j.files, 8);
  const h = j.findings.find((f: any) => f.rule === 'host-header-passthrough');
  assert.deepEqual({ file: h.file, line: h.line, column: h.column, endLine: h.endLine, endColumn: h.endColumn }, { file: 'examples/blog-system/web/configmap.yaml', line: 19, column: 35, endLine: 19, endColumn: 40 });
  assert.deepEqual(h.fixes.map((f: any) => f.title), ['Set Host to was-service', 'Set Host to was-service.blog-system.svc.cluster.local']);
  assert.ok(j.findings.some((f: any) => f.rule === 'missing-destination-rule'));
});

test('sarif output is SARIF 2.1.0 with rules, help URIs and regions', () => {
  const r = cli(['check', 'examples/blog-system', '--format', 'sarif']);
  const s = JSON.parse(r.out);
  assert.equal(s.version, '2.1.0');
  const run = s.runs[0];
  assert.equal(run.tool.driver.name, 'meshlint');
  for (const rule of run.tool.driver.rules) assert.match(rule.helpUri, /^https:\/\/.+\/docs\/rules\/[a-z0-9-]+\.md$/);
  const res = run.results.find((x: any) => x.ruleId === 'host-header-passthrough');
  assert.equal(res.level, 'warning');
  assert.equal(run.tool.driver.rules[res.ruleIndex].id, 'host-header-passthrough');
  assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 19, startColumn: 35, endLine: 19, endColumn: 40 });
  assert.ok(res.relatedLocations.length >= 1);
});

test('--severity error exits 0 when only warnings remain; clean trees exit 0', () => {
  assert.equal(cli(['check', 'test/fixtures/stories/blog-system-fixed']).code, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-'));
  fs.writeFileSync(path.join(dir, 'x.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
  assert.equal(cli(['check', dir, '--severity', 'error']).code, 0);
});

test('usage and I/O errors exit 2 with a one-line message', () => {
  const a = cli(['check', '--format', 'xml']);
  assert.equal(a.code, 2);
  assert.match(a.err.split('\n')[0], /^meshlint: --format must be text, json, sarif or gitlab/);
  const b = cli(['check', 'no/such/dir']);
  assert.equal(b.code, 2);
  assert.match(b.err, /^meshlint: cannot read no\/such\/dir/);
  assert.equal(cli(['frobnicate']).code, 2);
});

test('broken YAML and Helm templates are reported without a crash', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-'));
  fs.writeFileSync(path.join(dir, 'bad.yaml'), 'a: [1, 2\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n');
  fs.mkdirSync(path.join(dir, 'templates'));
  fs.writeFileSync(path.join(dir, 'templates', 'x.yaml'), 'metadata:\n  name: {{ .Release.Name }}\n');
  const r = cli(['check', dir, '--format', 'json', '--severity', 'hint']);
  const j = JSON.parse(r.out);
  assert.ok(j.findings.some((f: any) => f.rule === 'yaml-syntax' && f.file.endsWith('bad.yaml')));
  assert.ok(j.findings.some((f: any) => f.rule === 'template-skipped'));
  assert.equal(r.code, 1);
});
