/**
 * Incremental analysis must never change results: after any sequence of edits through
 * Workspace.set/delete, workspace.analyze() must equal a cold analysis of the same files
 * (same findings, ranges, messages, fixes, order; same rule errors).
 *
 * The model caches per-object views by K8sObject identity across analyses (model.ts cachedView);
 * these edits target what those views and the facts built on them read: nginx Host lines,
 * PeerAuthentication modes, Service selectors, namespace labels and namespaces (kustomizations
 * included), and files deleted and re-added.
 *
 * MESHLINT_INCR_SEED overrides the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDir, ROOT, SHARED } from '../helpers/workspace';
import { Workspace, analyze, AnalysisResult } from '../../server/src/core/engine';
import type { SourceFile } from '../../server/src/core/types';
import { generate } from '../../bench/generate';
import { rng } from '../helpers/prng';
import { ns, app, strict, ingress, controller, gateway, INJECTED } from '../helpers/manifests';

const SEED = Number(process.env.MESHLINT_INCR_SEED ?? 20261123);


interface Mutator {
  name: string;
  re: RegExp;
  replace: (m: RegExpExecArray, r: () => number) => string;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const MUTATORS: Mutator[] = [
  {
    name: 'nginx Host line',
    re: /proxy_set_header\s+Host\s+[^;\n]+;/g,
    replace: (_m, r) => `proxy_set_header Host ${pick(r, ['$host', '$proxy_host', 'reviews.bookinfo.svc.cluster.local', '$http_host', 'api'])};`,
  },
  { name: 'nginx proxy_pass', re: /proxy_pass\s+http:\/\/[^;\n]+;/g, replace: (m, r) => (r() < 0.5 ? m[0].replace(/http:\/\/([\w-]+)/, 'http://$1x') : m[0].replace(/http:\/\/([\w-]+)\.[\w.-]+/, 'http://$1')) },
  { name: 'PeerAuthentication mode', re: /mode:\s*(STRICT|PERMISSIVE|DISABLE|UNSET)\b/g, replace: (_m, r) => `mode: ${pick(r, ['STRICT', 'PERMISSIVE', 'DISABLE'])}` },
  { name: 'TLS mode', re: /mode:\s*(ISTIO_MUTUAL|DISABLE|SIMPLE|MUTUAL)\b/g, replace: (_m, r) => `mode: ${pick(r, ['ISTIO_MUTUAL', 'DISABLE', 'SIMPLE'])}` },
  { name: 'selector / label value', re: /^(\s+)(app|app\.kubernetes\.io\/name|version):\s*([\w.-]+)\s*$/gm, replace: (m, r) => `${m[1]}${m[2]}: ${r() < 0.5 ? m[3] + '-x' : m[3].replace(/-x$/, '') || 'x'}` },
  { name: 'namespace label', re: /(istio-injection|istio\.io\/dataplane-mode|istio\.io\/rev|sidecar\.istio\.io\/inject):\s*["']?([\w.-]+)["']?/g, replace: (m, r) => `${m[1]}: ${pick(r, ['enabled', 'disabled', 'ambient', 'none', '"true"', '"false"', 'default'])}` },
  { name: 'namespace', re: /^(\s*)namespace:\s*([\w.-]+)\s*$/gm, replace: (m, r) => `${m[1]}namespace: ${pick(r, [m[2] + '2', 'default', 'istio-system', m[2].replace(/2$/, '')])}` },
  { name: 'host', re: /^(\s*(?:-\s+)?host:\s*)([\w.*-]+)\s*$/gm, replace: (m, r) => `${m[1]}${r() < 0.5 ? m[2].split('.')[0] : m[2] + '.other.svc.cluster.local'}` },
  { name: 'port number', re: /^(\s*(?:-\s+)?(?:port|number|containerPort|targetPort):\s*)(\d+)\s*$/gm, replace: (m, r) => `${m[1]}${pick(r, ['80', '8080', '9080', '443', String(Number(m[2]) + 1)])}` },
  { name: 'object name', re: /^(  name:\s*)([\w.-]+)\s*$/gm, replace: (m, r) => `${m[1]}${r() < 0.5 ? m[2] + 'x' : m[2].replace(/x$/, '') || 'web'}` },
  { name: 'host into another namespace', re: /^(\s*(?:-\s+)?host:\s*)([\w-]+)[\w.*-]*\s*$/gm, replace: (m, r) => `${m[1]}${m[2]}.${pick(r, ['default', 'istio-system', 'ingress-nginx', 'monitoring', 'blog-system'])}${r() < 0.5 ? '.svc.cluster.local' : ''}` },
  { name: 'image', re: /^(\s*image:\s*)(\S+)\s*$/gm, replace: (m, r) => `${m[1]}${pick(r, ['prom/prometheus:v2.53.0', 'nginx:1.27', m[2] + '-x', 'registry.k8s.io/ingress-nginx/controller:v1.10.0'])}` },
  { name: 'ingress class', re: /^(\s*ingressClassName:\s*)(\S+)\s*$/gm, replace: (m, r) => `${m[1]}${pick(r, ['nginx', 'istio', 'traefik'])}` },
  { name: 'subset name', re: /^(\s*(?:-\s+)?(?:subset|name):\s*)(v\d+|stable|canary)\s*$/gm, replace: (m, r) => `${m[1]}${pick(r, ['v1', 'v2', 'v3', 'stable', 'canary'])}` },
  { name: 'exportTo / namespaces list', re: /^(\s*(?:exportTo|namespaces):\s*)\[[^\]\n]*\]\s*$/gm, replace: (m, r) => `${m[1]}[${pick(r, ['"."', '"*"', 'team1', 'team4', 'edge', 'blog-system'])}]` },
  { name: 'principal namespace', re: /cluster\.local\/ns\/([\w-]+)\//g, replace: (_m, r) => `cluster.local/ns/${pick(r, ['team1', 'team4', 'edge', 'default', 'nowhere'])}/` },
  { name: 'kind', re: /^kind:\s*(Namespace|Service|PeerAuthentication|DestinationRule)\s*$/gm, replace: (_m, r) => `kind: ${pick(r, ['Namespace', 'Service', 'PeerAuthentication', 'DestinationRule', 'ConfigMap'])}` },
];

function mutate(text: string, r: () => number): { text: string; what: string } | undefined {
  const applicable = MUTATORS.map((m) => ({ m, hits: [...text.matchAll(m.re)] })).filter((x) => x.hits.length);
  if (!applicable.length) return undefined;
  const { m, hits } = pick(r, applicable);
  const hit = pick(r, hits) as RegExpExecArray;
  const rep = m.replace(hit, r);
  return { text: text.slice(0, hit.index) + rep + text.slice(hit.index + hit[0].length), what: m.name };
}

/** Findings and rule errors; files listed in `stale` (global inputs after a partial analysis, see engine.ts) are left out. */
function comparable(res: AnalysisResult, stale: ReadonlySet<string> = new Set()): unknown {
  return { findings: res.findings.filter((f) => !stale.has(f.file)), ruleErrors: res.ruleErrors.map((e) => `${e.rule}: ${e.message.split('\n')[0]}`) };
}

/** How many analyses took the partial path, over all checks (a test asserts it is not zero). */
const modes = { partial: 0, full: 0 };

/** Applies `steps` random edits; after each, incremental and cold analyses must be equal. Returns the steps checked. */
function check(label: string, files: SourceFile[], steps: number, seed: number): number {
  const r = rng(seed);
  const current = new Map(files.map((f) => [f.path, f.text]));
  const ws = new Workspace();
  for (const f of files) ws.set(f);
  assert.deepEqual(comparable(ws.analyze()), comparable(analyze(files)), `${label}: first analysis`);
  const deleted: { path: string; text: string }[] = [];
  const log: string[] = [];
  let compared = 0;
  for (let i = 0; i < steps; i++) {
    const paths = [...current.keys()];
    const roll = r();
    const kusts = paths.filter((p) => /(^|\/)kustomization\.yaml$/.test(p));
    if (kusts.length && r() < 0.3) {
      // moves every object of the folder to another namespace without touching their files
      const p = pick(r, kusts);
      const text = current.get(p)!.replace(/^namespace: (\S+)$/m, (_x, ns: string) => `namespace: ${pick(r, [ns.replace(/2$/, ''), ns + '2', 'default', 'istio-system', 'blog-system'])}`);
      current.set(p, text);
      ws.set({ path: p, text });
      log.push(`kustomization namespace in ${p}`);
    } else if (roll < 0.1 && paths.length > 1) {
      const p = pick(r, paths);
      deleted.push({ path: p, text: current.get(p)! });
      current.delete(p);
      ws.delete(p);
      log.push(`delete ${p}`);
    } else if (roll < 0.2 && deleted.length) {
      const d = deleted.splice(Math.floor(r() * deleted.length), 1)[0];
      current.set(d.path, d.text);
      ws.set(d);
      log.push(`re-add ${d.path}`);
    } else {
      // a few tries to find a file some mutator applies to
      let done = false;
      for (let t = 0; t < 8 && !done; t++) {
        const p = pick(r, paths);
        const m = mutate(current.get(p)!, r);
        if (!m) continue;
        current.set(p, m.text);
        ws.set({ path: p, text: m.text });
        log.push(`${m.what} in ${p}`);
        done = true;
      }
      if (!done) continue;
    }
    // analyze now and then without checking, so the caches see several generations
    if (r() < 0.2) ws.analyze();
    const res = ws.analyze();
    modes[res.mode]++;
    const coldRes = analyze([...current].map(([path, text]) => ({ path, text })));
    assert.deepEqual(comparable(res, res.stale), comparable(coldRes, res.stale), `${label}, seed ${seed}, ${res.mode} analysis (${res.why ?? `${res.analysed} files`}), after:\n  ${log.join('\n  ')}`);
    if (res.stale.size && r() < 0.3) {
      // a full analysis refreshes the files whose findings could lag
      assert.deepEqual(comparable(ws.analyze({ full: true })), comparable(coldRes), `${label}, seed ${seed}, refresh after:\n  ${log.join('\n  ')}`);
    }
    compared++;
  }
  return compared;
}

/**
 * The same workspace with each folder's `metadata.namespace` moved into a kustomization.yaml of
 * that folder (undefined when no folder has namespaced objects): objects whose file does not
 * change can then change namespace.
 */
function kustomized(files: SourceFile[]): SourceFile[] | undefined {
  const byDir = new Map<string, SourceFile[]>();
  for (const f of files) {
    const i = f.path.lastIndexOf('/');
    const dir = i < 0 ? '' : f.path.slice(0, i);
    if (!byDir.has(dir)) byDir.set(dir, []);
    byDir.get(dir)!.push(f);
  }
  const out: SourceFile[] = [];
  let any = false;
  for (const [dir, fs_] of byDir) {
    const ns = fs_.map((f) => /^ {2}namespace: ([\w.-]+)\s*$/m.exec(f.text)?.[1]).find(Boolean);
    const yaml = fs_.filter((f) => /\.ya?ml$/.test(f.path));
    if (!ns || !yaml.length) {
      out.push(...fs_);
      continue;
    }
    any = true;
    for (const f of fs_) out.push(/\.ya?ml$/.test(f.path) ? { path: f.path, text: f.text.replace(/^ {2}namespace: [\w.-]+[ \t]*\n/gm, '') } : f);
    const prefix = dir ? dir + '/' : '';
    out.push({ path: `${prefix}kustomization.yaml`, text: `namespace: ${ns}\nresources:\n${yaml.map((f) => `- ${f.path.slice(prefix.length)}\n`).join('')}` });
  }
  return any ? out : undefined;
}

function fixtureDirs(): string[] {
  const out: string[] = [];
  const rules = path.join(ROOT, 'test/fixtures/rules');
  for (const r of fs.readdirSync(rules).sort()) {
    const rd = path.join(rules, r);
    if (!fs.statSync(rd).isDirectory()) continue;
    for (const c of fs.readdirSync(rd).sort()) if (fs.statSync(path.join(rd, c)).isDirectory()) out.push(path.join(rd, c));
  }
  const stories = path.join(ROOT, 'test/fixtures/stories');
  for (const s of fs.readdirSync(stories).sort()) if (fs.statSync(path.join(stories, s)).isDirectory()) out.push(path.join(stories, s));
  out.push(path.join(ROOT, 'examples/blog-system'));
  return out;
}

test('incremental analysis equals a cold analysis after random edits (every fixture workspace)', (t) => {
  const dirs = fixtureDirs();
  let steps = 0;
  let kust = 0;
  dirs.forEach((d, i) => {
    const files = loadDir(d);
    if (!files.length) return;
    steps += check(path.relative(ROOT, d), files, 12, SEED + i);
    const k = kustomized(files);
    if (k) {
      kust++;
      steps += check(`${path.relative(ROOT, d)} (kustomized)`, k, 12, SEED + 7919 * (i + 1));
    }
  });
  t.diagnostic(`${dirs.length} workspaces (and ${kust} kustomized variants), ${steps} edit steps compared, seed ${SEED}; ${modes.partial} partial and ${modes.full} full analyses`);
  assert.ok(dirs.length > 50);
  // the partial path must really be exercised, not fall back to full analyses every time
  assert.ok(modes.partial > steps / 5, `only ${modes.partial} of ${steps} analyses were partial`);
});

test('incremental analysis equals a cold analysis after random edits (generated 1 MB bench workspace)', (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-incr-'));
  try {
    const dir = path.join(tmp, '1mb');
    generate('1', dir);
    const files = loadDir(dir);
    const before = modes.partial;
    const steps = check('bench 1 MB', files, 60, SEED);
    t.diagnostic(`${files.length} files, ${steps} edit steps compared, ${modes.partial - before} partial analyses`);
    assert.ok(modes.partial - before > steps / 2, `only ${modes.partial - before} of ${steps} analyses were partial`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

for (const [workload, what] of [['1-styled', 'flow style, quotes, comments, anchors'], ['1-findings', 'thousands of broken references']] as const) {
  test(`incremental analysis equals a cold analysis after random edits (generated ${workload} bench workspace: ${what})`, (t) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-incr-'));
    try {
      const dir = path.join(tmp, workload);
      generate(workload, dir);
      const files = loadDir(dir);
      const before = modes.partial;
      const steps = check(`bench ${workload}`, files, 40, SEED + workload.length);
      t.diagnostic(`${files.length} files, ${steps} edit steps compared, ${modes.partial - before} partial analyses`);
      assert.ok(files.length > 100, `the generator wrote only ${files.length} files`);
      assert.ok(modes.partial - before > steps / 2, `only ${modes.partial - before} of ${steps} analyses were partial`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}

test('incremental analysis equals a cold analysis after random edits (real repositories and samples in the shared corpus)', (t) => {
  const corpus = path.join(SHARED, 'corpus');
  assert.ok(fs.existsSync(corpus), `the shared corpus is missing at ${corpus}`);
  const projects = [
    ...fs.readdirSync(path.join(corpus, 'real')).map((d) => path.join(corpus, 'real', d)),
    path.join(corpus, 'istio-samples'),
    ...fs.readdirSync(path.join(corpus, 'kiali')).map((d) => path.join(corpus, 'kiali', d)),
  ].filter((d) => fs.statSync(d).isDirectory());
  const before = { ...modes };
  let steps = 0;
  projects.forEach((d, i) => {
    // manifests and nginx configs only (the repositories also hold code, docs and images)
    const files = loadDir(d).filter((f) => /\.(ya?ml|conf|json|tpl)$/i.test(f.path) && f.text.length < 1_000_000);
    if (files.length) steps += check(path.relative(corpus, d), files, 15, SEED + 104729 * (i + 1));
  });
  t.diagnostic(`${projects.length} corpus projects, ${steps} edit steps compared; ${modes.partial - before.partial} partial and ${modes.full - before.full} full analyses`);
  assert.ok(projects.length >= 8, `only ${projects.length} corpus projects found`);
  assert.ok(modes.partial - before.partial > steps / 5, `only ${modes.partial - before.partial} of ${steps} analyses were partial`);
});

/**
 * A seeded workspace built to cross namespaces in every way the planner knows: VirtualServices and
 * DestinationRules naming hosts in other namespaces (some in a namespace made global by a Gateway),
 * a mesh-wide policy, an ingress controller, Ingresses, nginx in ConfigMaps and standalone nginx with
 * short names and includes, a Prometheus scraping listed namespaces.
 */
function tangled(seed: number): SourceFile[] {
  const r = rng(seed);
  const teams = Array.from({ length: 10 }, (_, i) => `team${i}`);
  const all = [...teams, 'edge'];
  const files: SourceFile[] = [];
  const add = (p: string, text: string) => files.push({ path: p, text });
  add('istio-system/pa.yaml', strict('istio-system'));
  add('ingress-nginx/ns.yaml', ns('ingress-nginx'));
  add('ingress-nginx/controller.yaml', controller());
  add('edge/gateway.yaml', gateway('edge'));
  for (const t of all) {
    add(`${t}/ns.yaml`, ns(t, r() < 0.7 ? INJECTED : ''));
    add(`${t}/web.yaml`, app('web', t, r() < 0.5 ? '        version: v1\n' : ''));
    add(`${t}/api.yaml`, app(`api${t === 'edge' ? '' : t.slice(4)}`, t));
  }
  teams.forEach((t, i) => {
    // teams 0-2 name hosts in edge (global: it has a Gateway); the others mostly their own namespace
    const other = i < 3 ? 'edge' : r() < 0.8 ? t : pick(r, teams);
    const host = `web.${other}.svc.cluster.local`;
    add(`${t}/vs.yaml`, `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: to-${other}\n  namespace: ${t}\nspec:\n  hosts: [${host}]\n  gateways: [${r() < 0.5 ? 'edge/edge' : 'mesh'}]\n  http:\n    - route:\n        - destination:\n            host: ${host}\n            subset: ${pick(r, ['v1', 'v2'])}\n          weight: ${pick(r, ['50', '100'])}\n`);
    const drHost = r() < 0.7 ? host : `web.${i < 3 ? 'edge' : t}.svc.cluster.local`;
    add(`${t}/dr.yaml`, `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: web\n  namespace: ${t}\nspec:\n  host: ${drHost}\n  trafficPolicy:\n    tls:\n      mode: ${pick(r, ['ISTIO_MUTUAL', 'DISABLE'])}\n  subsets:\n    - name: v1\n      labels:\n        version: v1\n`);
    if (r() < 0.5) add(`${t}/pa.yaml`, strict(t));
    if (r() < 0.5) add(`${t}/ingress.yaml`, ingress(t, 'web'));
    const target = i < 3 ? 'edge' : t;
    add(`${t}/nginx.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gw\n  namespace: ${t}\ndata:\n  default.conf: |\n    server {\n      listen 8080;\n      location / {\n        proxy_pass http://web.${target}.svc.cluster.local:80;\n        proxy_set_header Host ${pick(r, ['$host', `web.${target}.svc.cluster.local`])};\n      }\n    }\n`);
  });
  // Gateway API routes, authorization policies and exportTo across namespaces, a ServiceEntry
  for (const t of teams.slice(3, 7)) {
    const to = pick(r, [t, pick(r, teams), 'edge']);
    add(`${t}/route.yaml`, `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: ${t}\nspec:\n  parentRefs:\n    - kind: Service\n      group: ""\n      name: web\n      namespace: ${to}\n      port: 80\n  rules:\n    - backendRefs:\n        - name: web\n          namespace: ${to}\n          port: ${pick(r, ['80', '8080'])}\n`);
    add(`${t}/authz.yaml`, `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: allow\n  namespace: ${t}\nspec:\n  selector:\n    matchLabels:\n      app: web\n  rules:\n    - from:\n        - source:\n            principals: ["cluster.local/ns/${pick(r, teams)}/sa/default"]\n            namespaces: [${pick(r, teams)}]\n`);
    const exportTo = pick(r, ['"."', '"*"', pick(r, teams)]);
    add(`${t}/dr-export.yaml`, `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: api\n  namespace: ${t}\nspec:\n  host: api${pick(r, ['3', '4', '5'])}.${pick(r, ['team3', 'team4', 'team5'])}.svc.cluster.local\n  exportTo: [${exportTo}]\n  subsets:\n    - name: v1\n      labels:\n        version: v1\n`);
  }
  add('edge/serviceentry.yaml', `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ext\n  namespace: edge\nspec:\n  hosts: [api.example.com]\n  ports:\n    - number: 443\n      name: https\n      protocol: TLS\n  resolution: DNS\n`);
  add('nginx/nginx.conf', 'http {\n  proxy_set_header Host $host;\n  include conf.d/*.conf;\n}\n');
  add('nginx/conf.d/short.conf', `server {\n  listen 80;\n  location / {\n    proxy_pass http://api${Math.floor(r() * 10)}:80;\n  }\n}\n`);
  add('monitoring/prometheus.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prometheus-config\n  namespace: monitoring\ndata:\n  prometheus.yml: |\n    scrape_configs:\n    - job_name: web\n      kubernetes_sd_configs:\n        - role: endpoints\n          namespaces:\n            names: [${pick(r, teams)}]\n      relabel_configs:\n        - source_labels: [__meta_kubernetes_service_name]\n          action: keep\n          regex: web\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: prometheus\n  namespace: monitoring\nspec:\n  selector:\n    matchLabels:\n      app: prometheus\n  template:\n    metadata:\n      labels:\n        app: prometheus\n        istio.io/dataplane-mode: none\n    spec:\n      containers:\n        - name: prometheus\n          image: prom/prometheus:v2.54.1\n      volumes:\n        - name: config\n          configMap:\n            name: prometheus-config\n`);
  return files;
}

test('incremental analysis equals a cold analysis after random edits (generated workspaces that cross namespaces)', (t) => {
  const before = { ...modes };
  let steps = 0;
  for (let i = 0; i < 8; i++) steps += check(`tangled #${i}`, tangled(SEED + i), 50, SEED + 31 * i);
  t.diagnostic(`${steps} edit steps compared; ${modes.partial - before.partial} partial and ${modes.full - before.full} full analyses`);
  assert.ok(modes.partial - before.partial > steps / 5, `only ${modes.partial - before.partial} of ${steps} analyses were partial`);
});

test('a name mentioned only in an unread file (a Helm template) keeps a finding quiet, and the mention is re-read when that file changes', () => {
  const dir = path.join(ROOT, 'test/fixtures/rules/ambient-waypoint-not-found/fires-namespace-typo');
  const files: SourceFile[] = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
  const mentions = 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: waypiont\n  namespace: {{ .Release.Namespace }}\n';
  const other = mentions.replace('waypiont', 'something-else');
  const ws = new Workspace({}, { incremental: true });
  for (const f of files) ws.set(f);
  const count = (r: AnalysisResult) => r.findings.filter((f) => f.rule === 'ambient-waypoint-not-found').length;
  assert.equal(count(ws.analyze()), 1, 'the fixture fires without the template');
  // the template alternates between naming the waypoint and not; every step must match a cold analysis
  const steps = [mentions, other, other, mentions, other];
  for (const [i, text] of steps.entries()) {
    ws.set({ path: 'templates/waypoint.yaml', text });
    const warm = ws.analyze();
    const cold = analyze([...files, { path: 'templates/waypoint.yaml', text }]);
    assert.equal(count(warm), text === mentions ? 0 : 1, `step ${i}: ${text === mentions ? 'the template names the waypoint' : 'it does not'}`);
    assert.equal(count(warm), count(cold), `step ${i}: incremental = cold`);
  }
});
