/**
 * nginx includes as nginx reads them: a relative include resolves from the folder of the main config
 * (nginx's conf_prefix), never from the including file's folder; a config another config includes is
 * analysed only in its includers' context. The resolution is checked against the installed nginx too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyze } from '../../server/src/core/engine';
import { nginxFacts, effectiveDirective, hostHeader } from '../../server/src/core/model/nginx';
import { nginxAvailable } from '../helpers/nginx-oracle';
import type { SourceFile } from '../../server/src/core/types';

// files under a folder named nginx/ are read as nginx whatever they hold (a one-line snippet elsewhere is not sniffed as nginx)
const svc = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: was\n  namespace: blog\nspec:\n  selector: {app: was}\n  ports: [{name: http, port: 8080}]\n';
const MAIN = (body: string) => `events {}\nhttp {\n${body}\n}\n`;
const APP = 'server {\n  listen 80;\n  location /api {\n    include snippets/proxy.conf;\n    proxy_pass http://was.blog.svc.cluster.local:8080;\n  }\n}\n';

function facts(files: SourceFile[]) {
  const r = analyze([...files, { path: 'k8s/was.yaml', text: svc }]);
  assert.deepEqual(r.ruleErrors, []);
  return { r, f: nginxFacts(r.model) };
}

test('a relative include in conf.d/ resolves from the prefix (the folder of nginx.conf), not from conf.d/', () => {
  const { f } = facts([
    { path: 'nginx/nginx.conf', text: MAIN('  include conf.d/*.conf;') },
    { path: 'nginx/conf.d/app.conf', text: APP },
    { path: 'nginx/snippets/proxy.conf', text: 'proxy_http_version 1.1;\n' },
    { path: 'nginx/conf.d/snippets/proxy.conf', text: 'proxy_http_version 1.0;\n' },
  ]);
  assert.equal(f.targets.length, 1, 'conf.d/app.conf is analysed once, inside nginx.conf');
  const t = f.targets[0];
  assert.equal(t.conf.file, 'nginx/nginx.conf');
  assert.equal(t.file, 'nginx/conf.d/app.conf');
  const v = effectiveDirective(f, t, 'proxy_http_version');
  assert.equal(v.value?.file, 'nginx/snippets/proxy.conf');
  assert.equal(v.value?.d.args[0].value, '1.1');
});

test('an absolute /etc/nginx include resolves where the repository mirrors /etc/nginx (the prefix)', () => {
  const { f } = facts([
    { path: 'nginx/nginx.conf', text: MAIN('  include /etc/nginx/conf.d/*.conf;') },
    { path: 'nginx/conf.d/app.conf', text: APP.replace('snippets/proxy.conf', '/etc/nginx/snippets/proxy.conf') },
    { path: 'nginx/snippets/proxy.conf', text: 'proxy_set_header Host was;\n' },
  ]);
  assert.equal(f.targets.length, 1);
  assert.equal(hostHeader(f, f.targets[0]).value, 'was');
});

test('settings around the include apply to the included text; the included file is not also analysed alone', () => {
  const { f, r } = facts([
    { path: 'nginx/nginx.conf', text: MAIN('  proxy_http_version 1.1;\n  include conf.d/*.conf;') },
    { path: 'nginx/conf.d/app.conf', text: 'server {\n  location / {\n    proxy_pass http://was.blog.svc.cluster.local:8080;\n  }\n}\n' },
  ]);
  assert.deepEqual(f.roots.map((c) => c.file), ['nginx/nginx.conf']);
  assert.equal(f.targets.length, 1);
  assert.equal(effectiveDirective(f, f.targets[0], 'proxy_http_version').value?.d.args[0].value, '1.1');
  assert.ok(!r.findings.some((x) => x.rule === 'nginx-upstream-http10'), 'no HTTP/1.0 warning in conf.d/app.conf');
});

test('a file included from two main configs is analysed in each context; a file nobody includes on its own', () => {
  const { f } = facts([
    { path: 'a/nginx.conf', text: MAIN('  proxy_http_version 1.1;\n  include ../shared/app.conf;') },
    { path: 'b/nginx.conf', text: MAIN('  include ../shared/app.conf;') },
    { path: 'shared/app.conf', text: 'server {\n  location / {\n    proxy_pass http://was.blog.svc.cluster.local:8080;\n  }\n}\n' },
    { path: 'other/default.conf', text: 'server {\n  location / {\n    proxy_pass http://was.blog.svc.cluster.local:8080;\n  }\n}\n' },
  ]);
  assert.deepEqual(f.roots.map((c) => c.file).sort(), ['a/nginx.conf', 'b/nginx.conf', 'other/default.conf']);
  const byRoot = new Map(f.targets.map((t) => [t.conf.file, effectiveDirective(f, t, 'proxy_http_version').value?.d.args[0].value]));
  assert.deepEqual([...byRoot.keys()].sort(), ['a/nginx.conf', 'b/nginx.conf', 'other/default.conf']);
  assert.equal(byRoot.get('a/nginx.conf'), '1.1');
  assert.equal(byRoot.get('b/nginx.conf'), undefined);
});

test('a fragment in conf.d/ that no config includes resolves its includes from the folder above (mirrored /etc/nginx)', () => {
  const { f } = facts([
    { path: 'nginx/conf.d/app.conf', text: APP },
    { path: 'nginx/snippets/proxy.conf', text: 'proxy_http_version 1.1;\n' },
  ]);
  assert.equal(f.targets.length, 1);
  assert.equal(effectiveDirective(f, f.targets[0], 'proxy_http_version').value?.file, 'nginx/snippets/proxy.conf');
});

test('a fragment below a folder holding a main nginx.conf resolves from that folder (the repository mirrors /etc/nginx)', () => {
  const { f } = facts([
    { path: 'nginx/nginx.conf', text: MAIN('  include conf.d/*.conf;') },
    { path: 'nginx/conf.d/templates/site.conf', text: APP },
    { path: 'nginx/snippets/proxy.conf', text: 'proxy_http_version 1.1;\n' },
  ]);
  const t = f.targets.find((x) => x.conf.file === 'nginx/conf.d/templates/site.conf');
  assert.ok(t, 'the template nobody includes is analysed on its own');
  assert.equal(effectiveDirective(f, t, 'proxy_http_version').value?.file, 'nginx/snippets/proxy.conf');
  assert.ok(!f.roots.some((c) => c.file === 'nginx/snippets/proxy.conf'), 'the snippet is analysed only where it is included');
});

test('a glob does not match hidden files (nginx globs with glob(3))', () => {
  const { f } = facts([
    { path: 'nginx/nginx.conf', text: MAIN('  include conf.d/*.conf;') },
    { path: 'nginx/conf.d/.disabled.conf', text: 'server { location / { proxy_pass http://was.blog.svc.cluster.local:8080; } }\n' },
    { path: 'nginx/conf.d/app.conf', text: 'server { location / { proxy_pass http://was.blog.svc.cluster.local:8080; } }\n' },
  ]);
  assert.deepEqual(f.targets.filter((t) => t.conf.file === 'nginx/nginx.conf').map((t) => t.file), ['nginx/conf.d/app.conf']);
});

test('include cycles stay bounded and each config of a cycle nobody else includes is analysed', () => {
  const { f } = facts([
    { path: 'x/nginx.conf', text: MAIN('  include b.conf;') },
    { path: 'x/b.conf', text: 'include nginx.conf;\nserver { location / { proxy_pass http://was.blog.svc.cluster.local:8080; } }\n' },
  ]);
  assert.deepEqual(f.roots.map((c) => c.file).sort(), ['x/b.conf', 'x/nginx.conf']);
  const { f: g } = facts([
    { path: 'y/nginx.conf', text: MAIN('  include conf.d/*.conf;') },
    { path: 'y/conf.d/a.conf', text: 'include conf.d/b.conf;\nserver { location /a { proxy_pass http://was.blog.svc.cluster.local:8080; } }\n' },
    { path: 'y/conf.d/b.conf', text: 'include conf.d/a.conf;\n' },
  ]);
  assert.deepEqual(g.roots.map((c) => c.file), ['y/nginx.conf']);
  assert.ok(g.targets.length >= 1 && g.targets.every((t) => t.conf.file === 'y/nginx.conf'));
});

test('ConfigMap keys: a key that the main key includes is analysed only inside it', () => {
  const cmText = [
    'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: web-nginx', '  namespace: blog', 'data:',
    '  nginx.conf: |', '    events {}', '    http {', '      proxy_http_version 1.1;', '      include /etc/nginx/conf.d/*.conf;', '    }',
    '  default.conf: |', '    server {', '      location /api {', '        proxy_pass http://was:8080;', '      }', '    }', '',
  ].join('\n');
  const { f, r } = facts([{ path: 'k8s/cm.yaml', text: cmText }]);
  assert.deepEqual(f.roots.map((c) => c.key), ['nginx.conf']);
  assert.equal(f.targets.length, 1);
  assert.equal(effectiveDirective(f, f.targets[0], 'proxy_http_version').value?.d.args[0].value, '1.1');
  assert.ok(!r.findings.some((x) => x.rule === 'nginx-upstream-http10'));
});

test('ConfigMaps mounted by the same workload: the main key includes the other ConfigMap\'s conf.d keys', () => {
  const cm = (name: string, key: string, body: string[]) => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}`, '  namespace: blog', 'data:', `  ${key}: |`, ...body.map((l) => '    ' + l), ''].join('\n');
  const deploy = (mounts: string[]) => ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', '  namespace: blog', 'spec:', '  selector:', '    matchLabels: {app: web}', '  template:', '    metadata:', '      labels: {app: web}', '    spec:', '      containers:', '        - name: web', '          image: nginx:1.27', '      volumes:', ...mounts.map((m) => `        - {name: ${m}, configMap: {name: ${m}}}`), ''].join('\n');
  const main = cm('nginx-main', 'nginx.conf', ['events {}', 'http {', '  proxy_http_version 1.1;', '  include /etc/nginx/conf.d/*.conf;', '}']);
  const site = cm('nginx-sites', 'default.conf', ['server {', '  location /api {', '    proxy_pass http://was:8080;', '  }', '}']);
  const together = facts([{ path: 'k8s/main.yaml', text: main }, { path: 'k8s/site.yaml', text: site }, { path: 'k8s/web.yaml', text: deploy(['nginx-main', 'nginx-sites']) }]);
  assert.deepEqual(together.f.roots.map((c) => c.key), ['nginx.conf']);
  assert.equal(effectiveDirective(together.f, together.f.targets[0], 'proxy_http_version').value?.d.args[0].value, '1.1');
  // not mounted by the same workload: each is analysed on its own
  const apart = facts([{ path: 'k8s/main.yaml', text: main }, { path: 'k8s/site.yaml', text: site }, { path: 'k8s/web.yaml', text: deploy(['nginx-sites']) }]);
  assert.deepEqual(apart.f.roots.map((c) => c.key).sort(), ['default.conf', 'nginx.conf']);
});

test('nginx itself resolves a relative include from the main config folder (-c), not from the including file nor -p', { skip: !nginxAvailable() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-incl-'));
  const pfx = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-incl-p-'));
  try {
    fs.mkdirSync(path.join(dir, 'conf.d', 'snippets'), { recursive: true });
    fs.mkdirSync(path.join(pfx, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'nginx.conf'), MAIN('  include conf.d/*.conf;'));
    fs.writeFileSync(path.join(dir, 'conf.d', 'app.conf'), 'server { listen 127.0.0.1:18080; location / { include snippets/p.conf; return 200; } }\n');
    fs.writeFileSync(path.join(dir, 'conf.d', 'snippets', 'p.conf'), 'add_header X-From conf.d;\n');
    const run = () => spawnSync('nginx', ['-t', '-q', '-p', pfx + '/', '-e', '/dev/null', '-g', `pid ${pfx}/pid; error_log /dev/null;`, '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8', timeout: 10000 });
    const miss = run();
    assert.notEqual(miss.status, 0, 'a snippet beside the including file is not found');
    assert.match(miss.stderr, new RegExp(`${dir}/snippets/p\\.conf`));
    fs.mkdirSync(path.join(dir, 'snippets'));
    fs.writeFileSync(path.join(dir, 'snippets', 'p.conf'), 'add_header X-From prefix;\n');
    assert.equal(run().status, 0, 'the snippet in the folder of nginx.conf is found');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(pfx, { recursive: true, force: true });
  }
});
