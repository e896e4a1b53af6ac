/**
 * Partial analysis (server/src/core/incremental.ts) on edits whose effects cross files through
 * workspace-wide inputs: an ingress controller's mesh membership, the root namespace's policy, a
 * standalone nginx config resolving a short name, an nginx include, a Prometheus server. After each
 * edit the workspace's analysis must equal a cold analysis (files listed as stale excepted, and a
 * full analysis must then equal it entirely), and the edit must change some finding, so that
 * each scenario really exercises the cross-file effect it is named after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace, analyze, AnalysisResult } from '../../server/src/core/engine';
import type { SourceFile } from '../../server/src/core/types';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCAL_KINDS, GLOBAL_KINDS } from '../../server/src/core/incremental';
import { ROUTE_KINDS } from '../../server/src/core/model/routing';
import { ROOT, loadDir } from '../helpers/workspace';
import { ns, app, strict, ingress, controller, gateway, INJECTED } from '../helpers/manifests';

const vsToSubset = (namespace: string, host: string, subset: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: to-web
  namespace: ${namespace}
spec:
  hosts: [${host}]
  http:
    - route:
        - destination:
            host: ${host}
            subset: ${subset}
`;

const drWithSubset = (namespace: string, host: string, subset: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: web
  namespace: ${namespace}
spec:
  host: ${host}
  subsets:
    - name: ${subset}
      labels:
        app: web
`;

interface Scenario {
  name: string;
  files: SourceFile[];
  edits: { path: string; text: string | undefined }[];
  /** some edit must be analysed partially */
  partial?: boolean;
}


const SCENARIOS: Scenario[] = [
  {
    name: 'ingress controller joins the mesh (its membership decides findings in another namespace)',
    files: [
      { path: 'ingress-nginx/ns.yaml', text: ns('ingress-nginx') },
      { path: 'ingress-nginx/controller.yaml', text: controller() },
      { path: 'shop/ns.yaml', text: ns('shop', INJECTED) },
      { path: 'shop/web.yaml', text: app('web', 'shop') },
      { path: 'shop/pa.yaml', text: strict('shop') },
      { path: 'shop/ingress.yaml', text: ingress('shop', 'web') },
    ],
    edits: [{ path: 'ingress-nginx/controller.yaml', text: controller('        sidecar.istio.io/inject: "true"\n') }],
  },
  {
    name: 'an edit in a namespace under a mesh-wide STRICT policy (the root-namespace policy file lags, then refreshes)',
    files: [
      { path: 'istio-system/pa.yaml', text: strict('istio-system') },
      { path: 'shop/ns.yaml', text: ns('shop', INJECTED) },
      { path: 'shop/web.yaml', text: app('web', 'shop') },
      { path: 'shop/api.yaml', text: app('api', 'shop') },
      { path: 'shop/ingress.yaml', text: ingress('shop', 'web') },
      { path: 'blog/ns.yaml', text: ns('blog', INJECTED) },
      { path: 'blog/web.yaml', text: app('web', 'blog') },
    ],
    edits: [{ path: 'shop/ingress.yaml', text: ingress('shop', 'api') }, { path: 'shop/ingress.yaml', text: ingress('shop', 'nothing') }],
    partial: true,
  },
  {
    name: 'a standalone nginx config resolves a short name by the only Service of that name',
    files: [
      { path: 'nginx/edge.conf', text: 'http {\n  server {\n    listen 80;\n    location / {\n      proxy_pass http://web:80;\n      proxy_set_header Host $host;\n    }\n  }\n}\n' },
      { path: 'shop/ns.yaml', text: ns('shop', INJECTED) },
      { path: 'shop/web.yaml', text: app('web', 'shop') },
      { path: 'blog/ns.yaml', text: ns('blog', INJECTED) },
      { path: 'blog/api.yaml', text: app('api', 'blog') },
    ],
    edits: [
      { path: 'blog/api.yaml', text: app('web', 'blog') },
      { path: 'blog/api.yaml', text: app('api', 'blog') },
      { path: 'shop/ns.yaml', text: ns('shop') },
    ],
    partial: true,
  },
  {
    name: 'an nginx include carries a Host header into the included file',
    files: [
      { path: 'nginx/nginx.conf', text: 'http {\n  include conf.d/*.conf;\n}\n' },
      { path: 'nginx/conf.d/shop.conf', text: 'server {\n  listen 80;\n  location / {\n    proxy_pass http://web.shop.svc.cluster.local:80;\n  }\n}\n' },
      { path: 'shop/ns.yaml', text: ns('shop', INJECTED) },
      { path: 'shop/web.yaml', text: app('web', 'shop') },
    ],
    edits: [
      { path: 'nginx/nginx.conf', text: 'http {\n  proxy_set_header Host $host;\n  include conf.d/*.conf;\n}\n' },
      { path: 'nginx/nginx.conf', text: 'http {\n  proxy_set_header Host web.shop.svc.cluster.local;\n  include conf.d/*.conf;\n}\n' },
    ],
    partial: true,
  },
  {
    name: 'a snippet included from the prefix (the folder of nginx.conf) carries proxy_http_version into a conf.d file',
    files: [
      { path: 'nginx/nginx.conf', text: 'events {}\nhttp {\n  include conf.d/*.conf;\n}\n' },
      { path: 'nginx/conf.d/shop.conf', text: 'server {\n  listen 80;\n  location / {\n    include snippets/proxy.conf;\n    proxy_pass http://web.shop.svc.cluster.local:80;\n  }\n}\n' },
      { path: 'nginx/snippets/proxy.conf', text: 'proxy_http_version 1.1;\n' },
      { path: 'shop/ns.yaml', text: ns('shop', INJECTED) },
      { path: 'shop/web.yaml', text: app('web', 'shop') },
    ],
    edits: [
      { path: 'nginx/snippets/proxy.conf', text: 'proxy_http_version 1.0;\n' },
      { path: 'nginx/snippets/proxy.conf', text: 'proxy_http_version 1.1;\n' },
      { path: 'nginx/nginx.conf', text: 'events {}\nhttp {\n  proxy_http_version 1.0;\n}\n' },
    ],
    partial: true,
  },
  {
    name: 'two namespaces read each other through a host in a namespace with workspace-wide inputs (a Gateway)',
    files: [
      { path: 'edge/ns.yaml', text: ns('edge', INJECTED) },
      { path: 'edge/gateway.yaml', text: gateway('edge') },
      { path: 'edge/web.yaml', text: app('web', 'edge') },
      { path: 'team-a/ns.yaml', text: ns('team-a', INJECTED) },
      { path: 'team-a/vs.yaml', text: vsToSubset('team-a', 'web.edge.svc.cluster.local', 'v1') },
      { path: 'team-b/ns.yaml', text: ns('team-b', INJECTED) },
      { path: 'team-b/dr.yaml', text: drWithSubset('team-b', 'web.edge.svc.cluster.local', 'v1') },
    ],
    edits: [
      { path: 'team-b/dr.yaml', text: drWithSubset('team-b', 'web.edge.svc.cluster.local', 'v2') },
      { path: 'team-b/dr.yaml', text: drWithSubset('team-b', 'web.edge.svc.cluster.local', 'v1') },
    ],
    partial: true,
  },
  {
    name: 'two namespaces read each other through an external host (linked by the host, not made workspace-wide)',
    files: [
      { path: 'team-a/ns.yaml', text: ns('team-a', INJECTED) },
      { path: 'team-a/vs.yaml', text: vsToSubset('team-a', 'api.example.com', 'v1') },
      { path: 'team-b/ns.yaml', text: ns('team-b', INJECTED) },
      { path: 'team-b/dr.yaml', text: drWithSubset('team-b', 'api.example.com', 'v2') },
      { path: 'team-c/ns.yaml', text: ns('team-c', INJECTED) },
      { path: 'team-c/web.yaml', text: app('web', 'team-c') },
      { path: 'team-c/vs.yaml', text: vsToSubset('team-c', 'shop.example.com', 'v1') },
    ],
    edits: [
      { path: 'team-b/dr.yaml', text: drWithSubset('team-b', 'api.example.com', 'v1') },
      { path: 'team-b/dr.yaml', text: drWithSubset('team-b', 'api.example.com', 'v2') },
      { path: 'team-c/web.yaml', text: app('web', 'team-c', '        version: v2\n') },
    ],
    partial: true,
  },
  {
    name: 'a fix that creates a file probes paths outside the re-analysed files ("Add DestinationRule" picks a free name)',
    files: [
      ...loadDir(path.join(ROOT, 'examples/blog-system')),
      // the name the fix would take first, held by a file the edit does not reach
      { path: 'was/was-service-destinationrule.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n  namespace: elsewhere\ndata:\n  a: b\n' },
    ],
    edits: [
      { path: 'web/configmap.yaml', text: fs.readFileSync(path.join(ROOT, 'examples/blog-system/web/configmap.yaml'), 'utf8').replace(/proxy_set_header Host [^;]+;/, 'proxy_set_header Host was-service;') },
    ],
    partial: true,
  },
];

/** Unrelated namespaces, so that a scenario's component is a small part of the workspace (else a full analysis is cheaper). */
const FILLER: SourceFile[] = Array.from({ length: 6 }, (_, i) => [
  { path: `filler${i}/ns.yaml`, text: ns(`filler${i}`, INJECTED) },
  { path: `filler${i}/app.yaml`, text: app('app', `filler${i}`) },
]).flat();

function comparable(res: AnalysisResult, stale: ReadonlySet<string> = new Set()): unknown {
  return res.findings.filter((f) => !stale.has(f.file)).map((f) => ({ ...f }));
}

for (const s of SCENARIOS) {
  test(`partial analysis: ${s.name}`, (t) => {
    const files = [...s.files, ...FILLER];
    const current = new Map(files.map((f) => [f.path, f.text]));
    const ws = new Workspace();
    for (const f of files) ws.set(f);
    let before = comparable(ws.analyze());
    ws.prepare();
    let changed = 0;
    let partial = 0;
    for (const e of s.edits) {
      if (e.text === undefined) {
        current.delete(e.path);
        ws.delete(e.path);
      } else {
        current.set(e.path, e.text);
        ws.set({ path: e.path, text: e.text });
      }
      const res = ws.analyze();
      if (res.mode === 'partial') partial++;
      t.diagnostic(`${e.path}: ${res.mode} (${res.why ?? `${res.analysed} files analysed`}), ${res.findings.length} findings, stale: ${[...res.stale].join(', ') || 'none'}`);
      const cold = analyze([...current].map(([path, text]) => ({ path, text })));
      assert.deepEqual(comparable(res, res.stale), comparable(cold, res.stale), `after editing ${e.path}`);
      const after = comparable(cold);
      if (JSON.stringify(before) !== JSON.stringify(after)) changed++;
      before = after;
      assert.deepEqual(comparable(ws.analyze({ full: true })), comparable(cold), `full analysis after editing ${e.path}`);
    }
    assert.ok(changed > 0, 'the edits must change some finding (of a cold analysis), or the scenario tests nothing');
    if (s.partial) assert.ok(partial > 0, 'some edit must take the partial path');
  });
}

test('every kind the core reads is classified as local or workspace-wide for partial analysis', () => {
  const dirs = ['server/src/core/model', 'server/src/core/rules', 'server/src/core/features'].map((d) => path.join(ROOT, d));
  const read = new Set<string>();
  for (const d of dirs) {
    for (const f of fs.readdirSync(d).filter((x) => x.endsWith('.ts'))) {
      const src = fs.readFileSync(path.join(d, f), 'utf8');
      for (const m of src.matchAll(/kind\('([A-Za-z]+)'\)|\bkind [!=]== '([A-Z][A-Za-z]+)'/g)) read.add(m[1] ?? m[2]);
    }
  }
  for (const k of ROUTE_KINDS) read.add(k);
  assert.ok(read.size > 15, `found only ${read.size} kinds: the scan is broken`);
  const missing = [...read].filter((k) => !LOCAL_KINDS.has(k) && !GLOBAL_KINDS.has(k));
  assert.deepEqual(missing, [], 'classify these kinds in server/src/core/incremental.ts (LOCAL_KINDS or GLOBAL_KINDS)');
});
