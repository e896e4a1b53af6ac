/**
 * nginx location selection (model/nginx-location.ts) against the installed nginx: a server whose
 * locations each answer their own name, probed with request paths; meshlint must pick the same location.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import { spawn } from 'node:child_process';
import { analyze } from '../../server/src/core/engine';
import { nginxFacts } from '../../server/src/core/model/nginx';
import { locationTree, selectLocation } from '../../server/src/core/model/nginx-location';
import { nginxAvailable } from '../helpers/nginx-oracle';

const LOCATIONS = [
  ['/', 'root'],
  ['= /api', 'exact-api'],
  ['/api/', 'api-slash'],
  ['/api/v1', 'api-v1'],
  ['^~ /static/', 'static'],
  ['~ ^/static/.*\\.map$', 'static-map-regex'],
  ['~* \\.(png|css)$', 'assets'],
  ['~ ^/api/v1/admin', 'admin-regex'],
  ['/docs', 'docs', 'location ~ \\.pdf$ { return 200 "docs-pdf"; }'],
  ['~ ^/docs/x', 'docs-x-regex'],
  ['=/glued', 'glued-exact'],
  // proxy_pass in a prefix ending with "/": a request for the prefix without the slash gets a 301 into it
  ['/red/', 'red', 'proxy_pass http://127.0.0.1:9;'],
] as const;

const URIS = ['/', '/api', '/api/', '/api/users', '/api/v1', '/api/v1/x', '/api/v1/admin/y', '/api/v1/x.png', '/static/a.png', '/static/a.map', '/img/a.PNG', '/docs', '/docs/a.pdf', '/docs/x', '/docs/y', '/glued', '/glued/more', '/apix', '/red', '/red/x'];

function server(port: number): string {
  const locs = LOCATIONS.map(([a, name, nested]) => `    location ${a} { ${nested ?? ''} return 200 "${name}"; }`).join('\n');
  return `server {\n    listen 127.0.0.1:${port};\n${locs}\n}\n`;
}

function get(port: number, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body : `status ${res.statusCode}`));
    });
    req.on('error', reject);
  });
}

test('meshlint selects the location nginx selects', { skip: !nginxAvailable() }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-loc-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const conf = `events {}\nhttp {\n${server(port)}}\n`;
  fs.mkdirSync(path.join(dir, 'logs'));
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', dir + '/', '-e', '/dev/null', '-g', `daemon off; master_process off; pid ${dir}/pid; error_log /dev/null;`, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  try {
    let ready = false;
    for (let i = 0; i < 50 && !ready; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await get(port, '/').then(() => true, () => false);
    }
    assert.ok(ready, 'nginx started');
    const r = analyze([{ path: 'nginx/nginx.conf', text: conf }]);
    const facts = nginxFacts(r.model);
    const root = facts.roots[0];
    const httpBlock = root.config.directives.find((d) => d.name === 'http')!;
    const srv = httpBlock.block!.find((d) => d.name === 'server')!;
    const tree = locationTree(facts, root, srv.block!, root.file);
    assert.equal(tree.unknown, false);
    for (const uri of URIS) {
      const real = await get(port, uri);
      const sel = selectLocation(tree.locs, uri);
      assert.notEqual(sel, 'unknown', uri);
      const names = sel && sel !== 'unknown' ? [...conf.slice(sel.at.d.start, sel.at.d.end).matchAll(/return 200 "([^"]+)"/g)].map((m) => m[1]) : [];
      const ours = names.length ? names[names.length - 1] : 'none';
      // a nested location answers with its own name; meshlint returns the innermost selected location too
      assert.equal(ours, real.replace(/^status 404$/, 'none').replace(/^status 301$/, 'red'), `location for ${uri}`);
    }
  } finally {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a regex that could backtrack exponentially is not evaluated (the location tree is unknown)', () => {
  const conf = 'server {\n  listen 80;\n  location ~ ^/(a|aa)+$ { return 200; }\n  location ~ ^/(.*)*x$ { return 200; }\n  location /api { return 200; }\n}\n';
  const r = analyze([{ path: 'nginx/default.conf', text: conf }]);
  const facts = nginxFacts(r.model);
  const root = facts.roots[0];
  const srv = root.config.directives.find((d) => d.name === 'server')!;
  const t0 = Date.now();
  const tree = locationTree(facts, root, srv.block!, root.file);
  assert.equal(tree.unknown, true);
  assert.ok(Date.now() - t0 < 1000);
});
