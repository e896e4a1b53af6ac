/**
 * The CLI with a config file, stdin, baselines and the CI conventions (issue 13). Runs the built bundle
 * against temporary repositories copied from the blog-system example.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { ROOT } from '../helpers/workspace';

const BIN = path.join(ROOT, 'bin/meshlint.js');
function cli(args: string[], cwd: string, input?: string) {
  assert.ok(fs.existsSync(path.join(ROOT, 'server/out/cli.js')), 'run `npm run build` first (npm test does)');
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A repository (with .git) holding a copy of the blog-system example under deploy/. */
function repo(config?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-repo-'));
  fs.mkdirSync(path.join(dir, '.git'));
  fs.cpSync(path.join(ROOT, 'examples/blog-system'), path.join(dir, 'deploy'), { recursive: true });
  if (config !== undefined) fs.writeFileSync(path.join(dir, '.meshlint.yaml'), config);
  return dir;
}
const json = (r: { out: string }) => JSON.parse(r.out) as { findings: { rule: string; severity: string; file: string; line: number; fingerprint: string; document?: number; source?: string }[]; baselined: number };
const rules = (r: { out: string }) => [...new Set(json(r).findings.map((f) => f.rule))].sort();

test('.meshlint.yaml is found upward from the checked path and decides severities and excludes', () => {
  const dir = repo('rules:\n  host-header-passthrough: off\n  proxy-pass-short-name: error\nexclude: [deploy/ingress-nginx/**]\n');
  const r = cli(['check', 'deploy/web', '--format', 'json'], dir);
  assert.ok(!rules(r).includes('host-header-passthrough'), 'off in the config');
  const all = cli(['check', '.', '--format', 'json'], path.join(dir, 'deploy'));
  assert.ok(!rules(all).includes('host-header-passthrough'), 'found from a subfolder too');
  const short = json(all).findings.find((f) => f.rule === 'proxy-pass-short-name');
  assert.equal(short?.severity, 'error', 'information by default');
  assert.ok(!json(all).findings.some((f) => f.file.includes('ingress-nginx/')), 'exclude is relative to the config folder');
  // --no-config: defaults
  const plain = cli(['check', 'deploy', '--format', 'json', '--no-config'], dir);
  assert.ok(rules(plain).includes('host-header-passthrough'));
  assert.ok(json(plain).findings.some((f) => f.file.includes('ingress-nginx/')));
});

test('the search stops at the repository root: a config above .git is not read', () => {
  const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-outer-'));
  fs.writeFileSync(path.join(outer, '.meshlint.yaml'), 'rules: {host-header-passthrough: off}\n');
  const inner = path.join(outer, 'repo');
  fs.mkdirSync(path.join(inner, '.git'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'examples/blog-system'), path.join(inner, 'deploy'), { recursive: true });
  assert.ok(rules(cli(['check', 'deploy', '--format', 'json'], inner)).includes('host-header-passthrough'));
});

test('precedence: --rule beats the config file, the config beats the defaults; --config names another file', () => {
  const dir = repo('rules:\n  host-header-passthrough: off\n');
  const r = cli(['check', 'deploy', '--format', 'json', '--rule', 'host-header-passthrough=error'], dir);
  assert.ok(json(r).findings.some((f) => f.rule === 'host-header-passthrough' && f.severity === 'error'));
  fs.writeFileSync(path.join(dir, 'ci.yaml'), 'rules:\n  proxy-pass-short-name: off\n');
  const c = cli(['check', 'deploy', '--format', 'json', '--config', 'ci.yaml'], dir);
  assert.ok(rules(c).includes('host-header-passthrough'), 'the named config replaces the discovered one');
  assert.ok(!rules(c).includes('proxy-pass-short-name'));
  assert.equal(cli(['check', 'deploy', '--config', 'nope.yaml'], dir).code, 2);
  assert.equal(cli(['check', 'deploy', '--rule', 'no-such-rule=off'], dir).code, 2);
});

test('config problems exit 2 with the file, line and column, and nothing is checked', () => {
  const dir = repo('rules:\n  host-header-pasthrough: error\n  vs-weights-sum: loud\n');
  const r = cli(['check', 'deploy'], dir);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.match(r.err, /^\.meshlint\.yaml:2:3: config error: unknown rule "host-header-pasthrough" \(did you mean "host-header-passthrough"\?\)/m);
  assert.match(r.err, /^\.meshlint\.yaml:3:19: config error: bad severity "loud"/m);
  assert.match(r.err, /2 problems in \.meshlint\.yaml; nothing was checked/);
});

test('stdin: Helm-rendered output names the document and its # Source template', () => {
  const text = fs.readFileSync(path.join(ROOT, 'test/fixtures/rendered/helm-blog-system.yaml'), 'utf8');
  const r = cli(['check', '-', '--format', 'json'], os.tmpdir(), text);
  assert.equal(r.code, 1, r.err);
  const h = json(r).findings.find((f) => f.rule === 'host-header-passthrough')!;
  assert.equal(h.file, '<stdin>.yaml');
  assert.equal(h.source, 'blog-system/templates/web-configmap.yaml');
  assert.equal(h.document, text.slice(0, text.indexOf('# Source: blog-system/templates/web-configmap.yaml')).split(/^---$/m).length - 1);
  const s = json(r).findings.find((f) => f.rule === 'strict-mtls-plaintext-client')!;
  assert.equal(s.source, 'blog-system/templates/istio-peerauthentication.yaml');
  const t = cli(['check', '-', '--stdin-filename', 'rendered/blog.yaml'], os.tmpdir(), text);
  assert.match(t.out, /^rendered\/blog\.yaml:\d+:\d+: warning host-header-passthrough .*\(document \d+, # Source: blog-system\/templates\/web-configmap\.yaml\)$/m);
});

test('stdin: kustomize build output (no # Source) names the document index; stdin and paths combine', () => {
  const text = fs.readFileSync(path.join(ROOT, 'test/fixtures/rendered/kustomize-prod.yaml'), 'utf8');
  const r = cli(['check', '-', '--format', 'json'], os.tmpdir(), text);
  const v = json(r).findings.find((f) => f.rule === 'vs-host-not-found')!;
  assert.equal(v.document, 5);
  assert.equal(v.source, undefined);
  assert.equal(r.code, 1);
  // an nginx piped in under a name that says so
  const n = cli(['check', '--stdin-filename', 'nginx.conf', '--format', 'json', '--severity', 'hint'], os.tmpdir(), 'http {\n  server {\n    location / { proxy_pass http://x;\n  }\n}\n');
  assert.ok(json(n).findings.some((f) => f.rule === 'nginx-syntax' && f.file === 'nginx.conf'), n.out + n.err);
});

test('baseline: written findings are left out later, survive moved lines, and a changed line is new again', () => {
  const dir = repo('');
  const before = cli(['check', 'deploy', '--format', 'json', '--severity', 'hint'], dir);
  const n = json(before).findings.length;
  assert.ok(n >= 5);
  const w = cli(['check', 'deploy', '--write-baseline', '--severity', 'hint'], dir);
  assert.equal(w.code, 0, w.err);
  assert.match(w.err, new RegExp(`wrote ${n} findings to \\.meshlint-baseline\\.json`));
  fs.writeFileSync(path.join(dir, '.meshlint.yaml'), 'baseline: .meshlint-baseline.json\n');
  const again = cli(['check', 'deploy', '--format', 'json', '--severity', 'hint'], dir);
  assert.equal(again.code, 0, again.out);
  assert.deepEqual(json(again).findings, []);
  assert.equal(json(again).baselined, n);
  // move every line of the nginx ConfigMap down: still baselined
  const cm = path.join(dir, 'deploy/web/configmap.yaml');
  const orig = fs.readFileSync(cm, 'utf8');
  fs.writeFileSync(cm, '# moved\n\n\n' + orig);
  assert.deepEqual(json(cli(['check', 'deploy', '--format', 'json', '--severity', 'hint'], dir)).findings, []);
  // from another cwd with an explicit --baseline: paths are relative to the baseline file
  assert.equal(cli(['check', '.', '--baseline', '../.meshlint-baseline.json', '--severity', 'hint'], path.join(dir, 'deploy')).code, 0);
  // a new finding: same rule, other text
  fs.writeFileSync(cm, orig.replace('proxy_set_header Host $host;', 'proxy_set_header Host $http_host;'));
  const changed = cli(['check', 'deploy', '--format', 'json', '--severity', 'hint'], dir);
  assert.deepEqual(json(changed).findings.map((f) => f.rule), ['host-header-passthrough']);
  assert.equal(changed.code, 1);
  assert.ok(rules(cli(['check', 'deploy', '--format', 'json', '--no-baseline', '--severity', 'hint'], dir)).length > 1);
  // a broken baseline is an error, not silence
  fs.writeFileSync(path.join(dir, '.meshlint-baseline.json'), '{"nope": 1}');
  const bad = cli(['check', 'deploy'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /not a meshlint baseline/);
});

test('SARIF results carry partialFingerprints that stay the same when lines move', () => {
  const dir = repo();
  const fp = () => {
    const s = JSON.parse(cli(['check', 'deploy', '--format', 'sarif'], dir).out);
    return s.runs[0].results.map((r: any) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri, r.partialFingerprints['meshlintFingerprint/v1'], r.locations[0].physicalLocation.region.startLine]);
  };
  const a = fp();
  assert.ok(a.length > 0 && a.every((x: any[]) => /^[0-9a-f]{16}$/.test(x[2])));
  assert.equal(new Set(a.map((x: any[]) => x[1] + x[2])).size, a.length, 'unique per file');
  const cm = path.join(dir, 'deploy/web/configmap.yaml');
  fs.writeFileSync(cm, '\n\n' + fs.readFileSync(cm, 'utf8'));
  const b = fp();
  assert.deepEqual(b.map((x: any[]) => x.slice(0, 3)), a.map((x: any[]) => x.slice(0, 3)));
  assert.notDeepEqual(b.map((x: any[]) => x[3]), a.map((x: any[]) => x[3]), 'the lines did move');
  const s = JSON.parse(cli(['check', 'deploy', '--format', 'sarif'], dir).out);
  const rule = s.runs[0].tool.driver.rules.find((r: any) => r.id === 'host-header-passthrough');
  assert.match(rule.help.markdown, /^# host-header-passthrough/);
  assert.equal(rule.helpUri, 'https://github.com/meshlint/meshlint/blob/main/docs/rules/host-header-passthrough.md');
  assert.equal(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).repository.url, 'https://github.com/meshlint/meshlint', 'help URIs follow package.json');
});

test('CLI conventions: rules, explain, --max-warnings, --quiet, --output, gitlab format, exit codes', () => {
  const dir = repo();
  const list = JSON.parse(cli(['rules', '--format', 'json'], dir).out);
  assert.ok(list.length >= 30);
  assert.ok(list.every((r: any) => r.id && r.defaultSeverity && r.description && /^https:\/\//.test(r.docs)));
  assert.match(cli(['rules'], dir).out, /^host-header-passthrough\s+warning\s+nginx proxies/m);
  const ex = cli(['explain', 'dr-tls-conflict'], dir);
  assert.equal(ex.code, 0);
  assert.match(ex.out, /^DR-TLS-CONFLICT/);
  assert.match(cli(['explain', 'yaml-syntax'], dir).out, /^YAML-SYNTAX\nA YAML file does not parse/);
  assert.equal(cli(['explain', 'nope'], dir).code, 2);

  // the example: 2 errors, 3 warnings
  assert.equal(cli(['check', 'deploy', '--max-warnings', '10'], dir).code, 1, 'errors still fail');
  const noErr = repo('rules: {strict-mtls-plaintext-client: warning, authz-plaintext-denied: warning, sidecar-and-ambient: warning}\n');
  const counts = json(cli(['check', 'deploy', '--format', 'json'], noErr)).findings;
  const warnings = counts.filter((f) => f.severity === 'warning').length;
  assert.equal(counts.filter((f) => f.severity === 'error').length, 0, JSON.stringify(counts));
  assert.equal(cli(['check', 'deploy', '--max-warnings', String(warnings)], noErr).code, 0);
  const over = cli(['check', 'deploy', '--max-warnings', String(warnings - 1)], noErr);
  assert.equal(over.code, 1);
  assert.match(over.err, new RegExp(`${warnings} warnings \\(more than --max-warnings ${warnings - 1}\\)`));
  assert.equal(cli(['check', 'deploy', '--max-warnings', 'x'], dir).code, 2);

  const q = cli(['check', 'deploy', '--quiet'], dir);
  assert.match(q.out, / error /);
  assert.doesNotMatch(q.out, / warning | information /);

  const o = cli(['check', 'deploy', '--format', 'gitlab', '--output', 'reports/cq.json'], dir);
  assert.equal(o.out, '');
  assert.equal(o.code, 1);
  const cq = JSON.parse(fs.readFileSync(path.join(dir, 'reports/cq.json'), 'utf8'));
  assert.ok(cq.length > 0 && cq.every((x: any) => x.check_name && x.description && /^[0-9a-f]{16}-[0-9a-f]{8}$/.test(x.fingerprint) && ['critical', 'major', 'minor', 'info'].includes(x.severity) && x.location.path.startsWith('deploy/') && x.location.lines.begin > 0));
  assert.equal(new Set(cq.map((x: any) => x.fingerprint)).size, cq.length);

  // colour only when asked (or a TTY)
  assert.match(cli(['check', 'deploy', '--color'], dir).out, /\x1b\[31merror/);
  assert.doesNotMatch(cli(['check', 'deploy'], dir).out, /\x1b\[/);
  assert.equal(cli(['check', 'deploy', '--severity', 'error', '--rule', 'strict-mtls-plaintext-client=off', '--rule', 'authz-plaintext-denied=off', '--rule', 'sidecar-and-ambient=off'], dir).code, 0);
});

test('colour by default on a terminal (run under script(1) for a real pty), never with NO_COLOR or into a file', (t) => {
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  if (!hasScript) {
    // util-linux is part of Debian's base system; without it this check cannot run here
    assert.fail('script(1) from util-linux is missing: the TTY colour check cannot run (install util-linux)');
  }
  const run = (env: Record<string, string>) =>
    spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'bin/meshlint.js'))} check examples/blog-system`, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env } });
  const tty = run({});
  assert.match(tty.stdout, /\x1b\[33mwarning\x1b\[0m/, 'a terminal gets colour');
  assert.doesNotMatch(run({ NO_COLOR: '1' }).stdout, /\x1b\[/, 'NO_COLOR wins');
  t.diagnostic('ran under a pseudo-terminal from script(1)');
});
