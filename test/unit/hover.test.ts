/** Hover content (core/features/hover.ts) and the code-action helpers, directly on the core. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/engine';
import { hover } from '../../server/src/core/features/hover';
import { yamlPathAt, objectAt, nginxAt } from '../../server/src/core/features/locate';
import { suppressionEdit, fixAllEdits } from '../../server/src/core/features/codeActions';
import type { SourceFile, TextEdit } from '../../server/src/core/types';

const root = path.join(__dirname, '..', '..', 'examples', 'blog-system');

function blog(): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: path.relative(root, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(root);
  return out;
}

function at(files: SourceFile[], file: string, re: RegExp, delta = 1): number {
  const text = files.find((f) => f.path === file)!.text;
  const m = re.exec(text);
  assert.ok(m, `${file}: no match for ${re}`);
  return m.index + (m[1] ? m[0].indexOf(m[1]) : 0) + delta;
}

function hoverAt(files: SourceFile[], file: string, re: RegExp, delta = 1) {
  const model = analyze(files).model;
  return hover(model, file, at(files, file, re, delta));
}

test('YAML path under the cursor: keys, values, sequence items', () => {
  const files = blog();
  const model = analyze(files).model;
  const f = 'was/deployment.yaml';
  const obj = objectAt(model.objects, f, at(files, f, /containerPort: (8080)/))!;
  assert.equal(obj.kind, 'Deployment');
  const onValue = yamlPathAt(obj, at(files, f, /containerPort: (8080)/))!;
  assert.deepEqual(onValue.path, ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort']);
  assert.equal(onValue.onKey, false);
  const onKey = yamlPathAt(obj, at(files, f, /(containerPort): 8080/))!;
  assert.equal(onKey.onKey, true);
  assert.deepEqual(onKey.path, onValue.path);
  // the second document of the file is the Service
  const svc = objectAt(model.objects, f, at(files, f, /name: (was-service)/))!;
  assert.equal(svc.kind, 'Service');
});

test('hover on PeerAuthentication spec.mtls.mode: field docs and the workloads it governs', () => {
  const h = hoverAt(blog(), 'istio/peerauthentication.yaml', /(mode): STRICT/)!;
  assert.ok(h);
  assert.match(h.markdown, /`spec\.mtls\.mode`/);
  assert.match(h.markdown, /Allowed values: .*`STRICT`/);
  assert.match(h.markdown, /PeerAuthentication `blog-system\/default`: namespace-wide/);
  assert.match(h.markdown, /Deployment `web` \(sidecar\): port 80 \*\*STRICT\*\*/);
  assert.match(h.markdown, /Deployment `was` \(sidecar\): port 8080 \*\*STRICT\*\*/);
  assert.match(h.markdown, /StatefulSet `mysql`: outside the mesh .*does not apply/);
});

test('hover on a workload-level exception shows what is overridden', () => {
  const files = blog();
  files.push({ path: 'istio/web.yaml', text: 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: web, namespace: blog-system}\nspec:\n  selector:\n    matchLabels: {app: web}\n  mtls:\n    mode: PERMISSIVE\n' });
  const ns = hoverAt(files, 'istio/peerauthentication.yaml', /(mode): STRICT/)!;
  assert.match(ns.markdown, /Deployment `web` \(sidecar\): port 80 PERMISSIVE \(overridden by workload policy blog-system\/web\)/);
  const w = hoverAt(files, 'istio/web.yaml', /(mode): PERMISSIVE/)!;
  assert.match(w.markdown, /workloads in blog-system matching app=web/);
  assert.match(w.markdown, /Deployment `web` \(sidecar\): port 80 \*\*PERMISSIVE\*\*/);
  assert.doesNotMatch(w.markdown, /`was`/);
});

test('hover on a proxy_pass target: Service, namespace, membership, mTLS, Host verdict', () => {
  const files = blog();
  const h = hoverAt(files, 'web/configmap.yaml', /proxy_pass http:\/\/(was-service)/, 3)!;
  assert.match(h.markdown, /resolves to Service \*\*was-service\*\* in namespace \*\*blog-system\*\*/);
  assert.match(h.markdown, /Deployment `was`: \*\*in the mesh \(sidecar\)\*\*/);
  assert.match(h.markdown, /port 8080 → container port 8080: mTLS \*\*STRICT\*\* \(namespace policy blog-system\/default/);
  assert.match(h.markdown, /no DestinationRule: auto mTLS/);
  assert.match(h.markdown, /Host header sent: `\$host`: ✗/);
  assert.match(h.markdown, /caller: nginx in Deployment `web` \(sidecar\)/);
  assert.match(h.markdown, /\*\*proxy_pass\*\* · ngx_http_proxy_module/);
  const text = files.find((f) => f.path === 'web/configmap.yaml')!.text;
  assert.equal(text.slice(h.start, h.end), 'http://was-service:8080');
});

test('hover on proxy_set_header Host: the names the sidecar matches and whether the value does', () => {
  const files = blog();
  const bad = hoverAt(files, 'web/configmap.yaml', /proxy_set_header (Host) \$host/)!;
  assert.match(bad.markdown, /it matches `was-service`, `was-service\.blog-system`, `was-service\.blog-system\.svc`, `was-service\.blog-system\.svc\.cluster\.local`/);
  assert.match(bad.markdown, /current value `\$host`: ✗/);
  const cm = files.find((f) => f.path === 'web/configmap.yaml')!;
  cm.text = cm.text.replace('Host $host', 'Host was-service.blog-system');
  const good = hoverAt(files, 'web/configmap.yaml', /proxy_set_header (Host)/)!;
  assert.match(good.markdown, /current value `was-service\.blog-system`: ✓ matches/);
});

test('hover on nginx directives and variables (embedded in a ConfigMap and standalone)', () => {
  const files = blog();
  const d = hoverAt(files, 'web/configmap.yaml', /(proxy_set_header) X-Real-IP/)!;
  assert.match(d.markdown, /^\*\*proxy_set_header\*\* · ngx_http_proxy_module/);
  assert.match(d.markdown, /Context: http, server, location/);
  const v = hoverAt(files, 'web/configmap.yaml', /X-Real-IP (\$remote_addr)/, 2)!;
  assert.match(v.markdown, /^`\$remote_addr`/);
  files.push({ path: 'nginx/nginx.conf', text: 'events {}\nhttp {\n    server {\n        listen 80;\n        location / { proxy_pass http://web-service.blog-system.svc.cluster.local; }\n    }\n}\n' });
  const l = hoverAt(files, 'nginx/nginx.conf', /(listen) 80/)!;
  assert.match(l.markdown, /\*\*listen\*\*/);
  const t = hoverAt(files, 'nginx/nginx.conf', /proxy_pass (http)/)!;
  assert.match(t.markdown, /Service \*\*web-service\*\* in namespace \*\*blog-system\*\*/);
  assert.match(t.markdown, /no workload of the workspace mounts it/);
  // whitespace inside a block is not a directive
  const model = analyze(files).model;
  assert.equal(nginxAt(model, 'nginx/nginx.conf', files.at(-1)!.text.indexOf('    server') - 1), undefined);
});

test('hover on DestinationRule host and on a Service name', () => {
  const files = blog();
  const dr = hoverAt(files, 'web/destinationrule.yaml', /host: (web-service)/)!;
  assert.match(dr.markdown, /`spec\.host`/);
  assert.match(dr.markdown, /host `web-service` binds to Service \*\*blog-system\/web-service\*\*/);
  assert.match(dr.markdown, /subsets: `stable` \(no labels: all pods\)/);
  const wd = files.find((f) => f.path === 'web/destinationrule.yaml')!;
  wd.text = wd.text.replace('host: web-service', 'host: nope-service');
  const none = hoverAt(files, 'web/destinationrule.yaml', /host: (nope-service)/)!;
  assert.match(none.markdown, /matches \*\*no Service\*\*/);
  const svc = hoverAt(files, 'was/deployment.yaml', /name: (was-service)/)!;
  assert.match(svc.markdown, /Service `blog-system\/was-service`/);
  assert.match(svc.markdown, /called by Ingress blog-ingress/);
});

test('no hover on blank space or unknown kinds; nothing throws on any offset', () => {
  const files = blog();
  const model = analyze(files).model;
  for (const f of files) {
    for (let i = 0; i <= f.text.length; i++) {
      const h = hover(model, f.path, i);
      if (h) {
        assert.ok(h.start <= i && i <= h.end, `${f.path}@${i}: range ${h.start}-${h.end}`);
        assert.ok(h.markdown.length > 0);
      }
    }
  }
  assert.equal(hover(model, 'missing.yaml', 0), undefined);
});

function apply(text: string, edits: TextEdit[]): string {
  for (const e of [...edits].sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
  return text;
}

test('suppression comment: indentation, CRLF, merging into an existing comment', () => {
  const t = 'spec:\n  mtls:\n    mode: STRICT\n';
  const off = t.indexOf('STRICT');
  const once = apply(t, [suppressionEdit(t, 'a.yaml', off, 'rule-a')]);
  assert.equal(once, 'spec:\n  mtls:\n    # meshlint-disable-next-line rule-a\n    mode: STRICT\n');
  const off2 = once.indexOf('STRICT');
  const twice = apply(once, [suppressionEdit(once, 'a.yaml', off2, 'rule-b')]);
  assert.equal(twice, 'spec:\n  mtls:\n    # meshlint-disable-next-line rule-a, rule-b\n    mode: STRICT\n');
  const same = suppressionEdit(twice, 'a.yaml', twice.indexOf('STRICT'), 'rule-b');
  assert.equal(same.newText, '');
  const crlf = 'a: 1\r\n  b: 2\r\n';
  assert.equal(apply(crlf, [suppressionEdit(crlf, 'c.yaml', crlf.indexOf('b'), 'r')]), 'a: 1\r\n  # meshlint-disable-next-line r\r\n  b: 2\r\n');
  assert.equal(apply('x: 1', [suppressionEdit('x: 1', 'd.yaml', 0, 'r')]), '# meshlint-disable-next-line r\nx: 1');
});

test('the suppression comment is honoured by the core, in YAML and in embedded nginx', () => {
  const files = blog();
  const before = analyze(files).findings;
  const lineOf = (text: string, o: number) => text.slice(0, o).split('\n').length;
  for (const rule of ['host-header-passthrough', 'strict-mtls-plaintext-client']) {
    const f = before.find((x) => x.rule === rule)!;
    const copy = files.map((x) => ({ ...x }));
    const file = copy.find((x) => x.path === f.file)!;
    const origLine = lineOf(file.text, f.start);
    file.text = apply(file.text, [suppressionEdit(file.text, f.file, f.start, rule)]);
    const after = analyze(copy).findings;
    // the finding's line moved down by one (the comment is above it) and is now quiet
    assert.ok(!after.some((x) => x.rule === rule && x.file === f.file && lineOf(file.text, x.start) === origLine + 1), `${rule} still reported`);
    assert.equal(after.filter((x) => x.rule !== rule).length, before.filter((x) => x.rule !== rule).length, 'other rules unchanged');
  }
});

test('fix all: preferred fixes without overlaps, only for the file', () => {
  const files = blog();
  const r = analyze(files);
  const edits = fixAllEdits(r.findings, 'web/configmap.yaml');
  assert.ok(edits.length >= 2, JSON.stringify(edits));
  for (let i = 1; i < edits.length; i++) assert.ok(edits[i - 1].end <= edits[i].start);
  const cm = files.find((f) => f.path === 'web/configmap.yaml')!;
  cm.text = apply(cm.text, edits);
  const after = analyze(files).findings.filter((f) => f.file === 'web/configmap.yaml').map((f) => f.rule);
  assert.ok(!after.includes('host-header-passthrough'), after.join(', '));
  assert.ok(!after.includes('nginx-upstream-http10'), after.join(', '));
});

test('Host header hover follows the target port protocol: sniffed ports answer any Host, HTTP ports route by it', () => {
  const load = (name: string): SourceFile[] => {
    const dir = path.join(__dirname, '..', 'fixtures', 'rules', 'host-header-passthrough', name);
    return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
  };
  const sniffed = hoverAt(load('quiet-sniffed-port'), 'cm.yaml', /proxy_set_header Host (\$host)/);
  assert.ok(sniffed, 'a hover on the Host value');
  assert.match(sniffed!.markdown, /declares no protocol \(sniffed\)/);
  assert.match(sniffed!.markdown, /answer any Host/);
  const http = hoverAt(load('fires-host-variable'), 'cm.yaml', /proxy_set_header Host (\$host)/);
  assert.match(http!.markdown, /✗ the client's Host/);
  const tcp = hoverAt(load('quiet-tcp-port'), 'cm.yaml', /proxy_set_header Host (\$host)/);
  assert.match(tcp!.markdown, /not HTTP: the sidecar does not route it by Host/);
});
