/**
 * CI integration as users run it (issue 13): the npm package installed from its packed tarball, the
 * GitHub composite action's check step and the pre-commit hook's command line, run locally.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parse } from 'yaml';
import { ROOT } from '../helpers/workspace';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function exampleRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-ci-'));
  fs.mkdirSync(path.join(dir, '.git'));
  fs.cpSync(path.join(ROOT, 'examples/blog-system'), path.join(dir, 'deploy'), { recursive: true });
  return dir;
}

test('npm pack holds only what the CLI and server need, and the tarball installs and runs on its own (offline)', () => {
  assert.ok(fs.existsSync(path.join(ROOT, 'server/out/cli.js')), 'run `npm run build` first (npm test does)');
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-pack-'));
  const p = sh(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], ROOT);
  assert.equal(p.code, 0, p.err);
  const info = JSON.parse(p.out)[0] as { filename: string; files: { path: string }[] };
  const files = info.files.map((f) => f.path);
  const allowed = /^(package\.json|README\.md|LICENSE|bin\/meshlint(-language-server)?\.js|server\/out\/(cli|server|graph-view)\.js|server\/schemas\/[\w.-]+\.json|docs\/rules\/[\w-]+\.md)$/;
  assert.deepEqual(files.filter((f) => !allowed.test(f)), [], 'unexpected files in the package');
  for (const need of ['bin/meshlint.js', 'server/out/cli.js', 'server/out/server.js', 'docs/rules/host-header-passthrough.md']) assert.ok(files.includes(need), need);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies, undefined, 'the bundles need no runtime dependencies, so the tarball installs offline');

  const proj = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-install-'));
  fs.writeFileSync(path.join(proj, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}\n');
  const inst = sh(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(dest, info.filename)], proj);
  assert.equal(inst.code, 0, inst.err);
  const repo = exampleRepo();
  const bin = path.join(proj, 'node_modules/.bin/meshlint');
  const r = sh(bin, ['check', 'deploy'], repo);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /^deploy\/web\/configmap\.yaml:19:35: warning host-header-passthrough /m);
  const ex = sh(bin, ['explain', 'host-header-passthrough'], repo);
  assert.equal(ex.code, 0, ex.err);
  assert.match(ex.out, /^HOST-HEADER-PASSTHROUGH/);
  assert.ok(fs.existsSync(path.join(proj, 'node_modules/.bin/meshlint-language-server')));
});

test('action.yml: the check step writes SARIF, records the exit code, and the last step fails the job on findings', () => {
  const action = parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
  assert.equal(action.runs.using, 'composite');
  const steps = action.runs.steps as { id?: string; name?: string; run?: string; uses?: string; env?: Record<string, string>; if?: string }[];
  assert.ok(steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@')), 'uploads SARIF');
  const check = steps.find((s) => s.id === 'check')!;
  const inputs = (over: Record<string, string>) => {
    const v: Record<string, string> = {};
    for (const [k, d] of Object.entries(action.inputs as Record<string, { default?: string }>)) v[k] = over[k] ?? d.default ?? '';
    return v;
  };
  const expr = (s: string, v: Record<string, string>, outputs: Record<string, string> = {}) =>
    s.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, k: string) => v[k]).replace(/\$\{\{\s*steps\.check\.outputs\.([\w-]+)\s*\}\}/g, (_m, k: string) => outputs[k] ?? '');
  const runCheck = (repo: string, over: Record<string, string>) => {
    const v = inputs(over);
    const env: Record<string, string> = { GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: path.join(repo, 'gh-output') };
    for (const [k, x] of Object.entries(check.env ?? {})) env[k] = expr(x, v);
    fs.writeFileSync(env.GITHUB_OUTPUT, '');
    const r = sh('bash', ['-e', '-c', check.run!], repo, env);
    const outputs = Object.fromEntries(fs.readFileSync(env.GITHUB_OUTPUT, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split('=') as [string, string]));
    return { r, outputs, v };
  };
  const repo = exampleRepo();
  const a = runCheck(repo, { paths: 'deploy' });
  assert.equal(a.r.code, 0, a.r.err);
  assert.equal(a.outputs['exit-code'], '1');
  const sarif = JSON.parse(fs.readFileSync(path.join(repo, 'meshlint.sarif'), 'utf8'));
  assert.ok(sarif.runs[0].results.some((x: any) => x.ruleId === 'host-header-passthrough'));
  assert.match(a.r.out.replace(/\x1b\[[0-9;]*m/g, ''), /warning host-header-passthrough/, 'the log shows the text report');
  assert.match(a.r.out, /\x1b\[33mwarning/, 'in colour (Actions logs render it)');
  const fail = steps.find((s) => s.name === 'Fail on findings')!;
  assert.match(fail.if!, /steps\.check\.outputs\.exit-code != '0'/, 'runs when meshlint did not exit 0');
  assert.equal(sh('bash', ['-c', expr(fail.run!, a.v, a.outputs)], repo).code, 1);
  // inputs reach the CLI: a higher severity and a rule turned off pass
  const b = runCheck(repo, { paths: 'deploy', severity: 'error', args: '--rule strict-mtls-plaintext-client=off --rule authz-plaintext-denied=off --rule sidecar-and-ambient=off', 'sarif-file': 'out/m.sarif' });
  assert.equal(b.outputs['exit-code'], '0', b.r.out + b.r.err);
  assert.ok(fs.existsSync(path.join(repo, 'out/m.sarif')));
  // a broken config is exit code 2, and no SARIF upload is attempted
  fs.writeFileSync(path.join(repo, 'bad.yaml'), 'rules: {nope: off}\n');
  const c = runCheck(repo, { paths: 'deploy', config: 'bad.yaml' });
  assert.equal(c.outputs['exit-code'], '2');
  assert.match(c.r.err, /unknown rule "nope"/);
});

test('.pre-commit-hooks.yaml: the hook command checks the repository and its file filter matches manifests and nginx configs', () => {
  const hooks = parse(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; language: string; files: string; pass_filenames: boolean }[];
  const h = hooks.find((x) => x.id === 'meshlint')!;
  assert.equal(h.language, 'node');
  assert.equal(h.pass_filenames, false, 'cross-file checks need the whole repository');
  const re = new RegExp(h.files);
  for (const f of ['k8s/deploy.yaml', 'a.yml', 'nginx/nginx.conf', 'conf.d/default', 'templates/x.conf.template']) assert.ok(re.test(f), f);
  for (const f of ['README.md', 'src/main.go']) assert.ok(!re.test(f), f);
  const [cmd, ...args] = h.entry.split(/\s+/);
  assert.equal(cmd, 'meshlint');
  // pre-commit runs the entry from the repository root
  const repo = exampleRepo();
  const bin = path.join(ROOT, 'bin/meshlint.js');
  const bad = sh(process.execPath, [bin, ...args], repo);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /host-header-passthrough/);
  fs.rmSync(path.join(repo, 'deploy'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'test/fixtures/stories/blog-system-fixed'), path.join(repo, 'deploy'), { recursive: true });
  assert.equal(sh(process.execPath, [bin, ...args], repo).code, 0);
});
