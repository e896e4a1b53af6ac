/** Mesh coverage data (core/features/coverage.ts) on the blog-system story and small variations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/engine';
import { coverage, summarize } from '../../server/src/core/features/coverage';
import type { SourceFile } from '../../server/src/core/types';

const root = path.join(__dirname, '..', '..');

function readDir(dir: string): SourceFile[] {
  const abs = path.join(root, dir);
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: path.relative(abs, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(abs);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const blog = () => readDir('examples/blog-system');

test('blog-system: web and was in the mesh, mysql out, 66%', () => {
  const cov = coverage(analyze(blog()).model);
  assert.deepEqual(
    { inMesh: cov.summary.inMesh, total: cov.summary.total, percent: cov.summary.percent, outside: cov.summary.outside, unknown: cov.summary.unknown },
    { inMesh: 2, total: 3, percent: 66, outside: 1, unknown: 0 },
  );
  assert.equal(cov.summary.text, '2 of 3 workloads in the mesh, 66%');
  assert.deepEqual(cov.namespaces.map((n) => n.name), ['blog-system']);
  const ns = cov.namespaces[0];
  assert.equal(ns.summary.percent, 66);
  assert.deepEqual(ns.location?.file, 'namespace.yaml');
  const byName = Object.fromEntries(ns.workloads.map((w) => [w.name, w]));
  assert.equal(byName.web.membership, 'sidecar');
  assert.equal(byName.was.membership, 'sidecar');
  assert.equal(byName.mysql.membership, 'outside');
  assert.match(byName.mysql.reason, /sidecar\.istio\.io\/inject/);
  assert.equal(byName.mysql.membershipLocation?.file, 'mysql/statefulset.yaml');
  assert.equal(byName.mysql.description, 'outside · plaintext');
  assert.equal(byName.mysql.ports[0].mode, null);
});

test('blog-system: per-port effective mTLS with its source policy and location', () => {
  const files = blog();
  const cov = coverage(analyze(files).model);
  const was = cov.namespaces[0].workloads.find((w) => w.name === 'was')!;
  assert.equal(was.kind, 'Deployment');
  assert.equal(was.description, 'sidecar · STRICT');
  assert.deepEqual(was.services.map((s) => s.name), ['was-service']);
  assert.equal(was.ports.length, 1);
  const p = was.ports[0];
  assert.equal(p.port, 8080);
  assert.deepEqual(p.via, ['was-service:8080']);
  assert.equal(p.mode, 'STRICT');
  assert.equal(p.scope, 'namespace');
  assert.equal(p.source, 'namespace policy blog-system/default');
  assert.deepEqual(p.policy, { kind: 'PeerAuthentication', name: 'default', namespace: 'blog-system' });
  const pa = files.find((f) => f.path === 'istio/peerauthentication.yaml')!;
  assert.equal(pa.text.slice(p.location!.start, p.location!.end), 'STRICT');
  // the location of a workload is its metadata.name
  const dep = files.find((f) => f.path === 'was/deployment.yaml')!;
  assert.equal(dep.text.slice(was.location.start, was.location.end), 'was');
});

test('blog-system: the Ingress is a caller outside the mesh of web and was', () => {
  const cov = coverage(analyze(blog()).model);
  const ws = Object.fromEntries(cov.namespaces[0].workloads.map((w) => [w.name, w]));
  for (const name of ['web', 'was']) {
    const c = ws[name].callersOutside;
    assert.equal(c.length, 1, `${name}: ${JSON.stringify(c)}`);
    assert.equal(c[0].kind, 'ingress');
    assert.equal(c[0].mesh, 'outside');
    assert.match(c[0].description, /blog-ingress/);
    assert.equal(c[0].location.file, 'ingress-nginx/blog-ingress.yaml');
  }
  // nginx in web calls was from inside the mesh: not listed
  assert.ok(!ws.was.callersOutside.some((c) => c.kind === 'nginx'));
});

test('namespace filter, PERMISSIVE port exception, ambient and unknown membership', () => {
  const files = blog();
  files.push({
    path: 'istio/web-exception.yaml',
    text: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: web-80, namespace: blog-system}
spec:
  selector:
    matchLabels: {app: web}
  mtls: {mode: STRICT}
  portLevelMtls:
    80:
      mode: PERMISSIVE
`,
  });
  files.push({
    path: 'other/apps.yaml',
    text: `apiVersion: v1
kind: Namespace
metadata:
  name: amb
  labels: {istio.io/dataplane-mode: ambient}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: amb}
spec:
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: a, image: x, ports: [{containerPort: 9000}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: u, namespace: nowhere}
spec:
  template:
    metadata: {labels: {app: u}}
    spec: {containers: [{name: u, image: x}]}
`,
  });
  const model = analyze(files).model;
  const all = coverage(model);
  assert.deepEqual(all.namespaces.map((n) => n.name), ['amb', 'blog-system', 'nowhere']);
  assert.deepEqual({ inMesh: all.summary.inMesh, total: all.summary.total, unknown: all.summary.unknown, percent: all.summary.percent }, { inMesh: 3, total: 5, unknown: 1, percent: 60 });
  assert.equal(all.summary.text, '3 of 5 workloads in the mesh, 60% (1 unknown)');
  const web = all.namespaces.find((n) => n.name === 'blog-system')!.workloads.find((w) => w.name === 'web')!;
  assert.equal(web.ports[0].mode, 'PERMISSIVE');
  assert.equal(web.ports[0].scope, 'port');
  assert.equal(web.description, 'sidecar · PERMISSIVE');
  const a = all.namespaces.find((n) => n.name === 'amb')!.workloads[0];
  assert.equal(a.membership, 'ambient');
  assert.equal(a.ports[0].source, 'Istio default (no PeerAuthentication applies)');
  assert.equal(all.namespaces.find((n) => n.name === 'nowhere')!.workloads[0].membership, 'unknown');
  const one = coverage(model, { namespace: 'blog-system' });
  assert.deepEqual(one.namespaces.map((n) => n.name), ['blog-system']);
  assert.equal(one.summary.percent, 66);
  // JSON-serialisable: no model objects leak into the data
  assert.deepEqual(JSON.parse(JSON.stringify(one)), one);
});

test('summaries: empty and rounding down', () => {
  assert.deepEqual(summarize([]), { inMesh: 0, outside: 0, unknown: 0, total: 0, percent: 0, text: '0 of 0 workloads in the mesh, 0%' });
  const s = summarize([{ membership: 'sidecar' }, { membership: 'ambient' }, { membership: 'outside' }]);
  assert.equal(s.percent, 66);
  assert.equal(summarize([{ membership: 'sidecar' }]).text, '1 of 1 workload in the mesh, 100%');
});
