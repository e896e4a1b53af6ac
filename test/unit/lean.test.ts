/**
 * Lean trees (server/src/core/source/yaml.ts `leanContainers`): workloads' container fields no rule
 * reads (env, probes, resources, mounts...) are dropped at parse time. Nothing may change because
 * of it: findings (with fixes, related locations and messages) are identical with lean trees on and
 * off on every fixture workspace, the examples, the generated 1 MB bench workspace and the shared
 * corpus; hover still shows the field docs of dropped fields (it re-parses the file with full trees).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/engine';
import { parseYaml, useLeanYaml, splitDocuments, LEAN_KINDS, LEAN_DROPPED_FIELDS } from '../../server/src/core/source/yaml';
import { fastParseDocument, LeanSpec } from '../../server/src/core/source/yaml-fast';
import { stripBom } from '../../server/src/core/source/files';
import { get, isMap, isScalar, isSeq, pair, yscalar, yseq, ymap, ypair } from '../../server/src/core/source/ynode';
import type { YNode, YMap, YScalar } from '../../server/src/core/source/ynode';
import { hover } from '../../server/src/core/features/hover';
import { objectAt, yamlPathAt, yamlPathAtFull } from '../../server/src/core/features/locate';
import type { SourceFile } from '../../server/src/core/types';
import { loadDir, ROOT, SHARED } from '../helpers/workspace';
import { ensure, workspaceDir } from '../../bench/generate';

const CORPUS = path.join(SHARED, 'corpus');

function subdirs(d: string): string[] {
  return fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(d, e.name)).sort() : [];
}

/** analyze() with lean trees switched on or off (always restored to on). */
function analyzeWith(lean: boolean, files: SourceFile[]) {
  useLeanYaml(lean);
  try {
    return analyze(files);
  } finally {
    useLeanYaml(true);
  }
}

function sameFindings(name: string, files: SourceFile[]): void {
  const full = analyzeWith(false, files);
  const lean = analyzeWith(true, files);
  assert.deepStrictEqual(lean.findings, full.findings, `${name}: findings differ with lean trees`);
  assert.deepStrictEqual(lean.ruleErrors, full.ruleErrors, `${name}: rule errors differ with lean trees`);
  assert.equal(lean.model.objects.length, full.model.objects.length, `${name}: object count differs`);
}

/** Every workspace the fixtures and examples hold: a rule case, a story, a regression, an example. */
function fixtureWorkspaces(): { name: string; files: SourceFile[] }[] {
  const fx = path.join(ROOT, 'test/fixtures');
  const out: { name: string; files: SourceFile[] }[] = [];
  for (const rule of subdirs(path.join(fx, 'rules'))) for (const c of subdirs(rule)) out.push({ name: path.relative(fx, c), files: loadDir(c) });
  for (const st of subdirs(path.join(fx, 'stories'))) out.push({ name: path.relative(fx, st), files: loadDir(st) });
  const reg = path.join(fx, 'regressions');
  for (const d of subdirs(reg)) out.push({ name: path.relative(fx, d), files: loadDir(d) });
  for (const f of fs.existsSync(reg) ? fs.readdirSync(reg).filter((n) => n.endsWith('.json')).sort() : []) {
    const r = JSON.parse(fs.readFileSync(path.join(reg, f), 'utf8')) as { files?: SourceFile[] };
    if (Array.isArray(r.files)) out.push({ name: `regressions/${f}`, files: r.files });
  }
  for (const ex of subdirs(path.join(ROOT, 'examples'))) out.push({ name: path.relative(ROOT, ex), files: loadDir(ex) });
  return out;
}

test('findings are identical with lean trees on and off: rule fixtures, stories, regressions, examples', () => {
  const all = fixtureWorkspaces();
  assert.ok(all.length > 50, `only ${all.length} fixture workspaces found`);
  for (const w of all) sameFindings(w.name, w.files);
});

test('findings are identical with lean trees on and off: generated 1 MB bench workspace', () => {
  ensure('1');
  const files = loadDir(workspaceDir('1'));
  const full = analyzeWith(false, files);
  assert.ok(full.findings.length > 0, 'the bench workspace has its injected faults');
  sameFindings('bench 1 MB', files);
});

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== '.git') walk(p);
      } else if (/\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

test('findings are identical with lean trees on and off: every YAML file of the shared corpus, alone and per project', { skip: !fs.existsSync(CORPUS) && 'no shared corpus' }, () => {
  const read = (root: string, f: string): SourceFile => ({ path: path.relative(root, f).split(path.sep).join('/'), text: fs.readFileSync(f, 'utf8') });
  let files = 0;
  let workloads = 0;
  // each project (corpus/<group>/<project>, or the group itself when it has YAML files at its top) as one workspace
  for (const group of subdirs(CORPUS)) {
    const projects = subdirs(group);
    const units = [group, ...projects].map((d) => ({ d, fs: d === group ? yamlFiles(d).filter((f) => path.dirname(f) === group) : yamlFiles(d) }));
    for (const u of units) {
      if (!u.fs.length) continue;
      const ws = u.fs.map((f) => read(u.d, f));
      sameFindings(path.relative(CORPUS, u.d), ws);
      // and every file on its own (no other file's objects around it)
      for (const f of ws) {
        sameFindings(`${path.relative(CORPUS, u.d)}/${f.path}`, [f]);
        files++;
        workloads += parseYaml(f.path, f.text, { full: true }).objects.filter((o) => LEAN_KINDS.has(o.kind)).length;
      }
    }
  }
  console.log(`# corpus: ${files} YAML files, ${workloads} workload objects`);
  assert.ok(files > 1000 && workloads > 100, `expected the corpus to be there: ${files} files, ${workloads} workloads`);
});

/** Every container map of a workload object's pod spec. */
function containersOf(kind: string, root: YNode): YNode[] {
  const spec = get(root, ...(kind === 'Pod' ? ['spec'] : kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : ['spec', 'template', 'spec']));
  const out: YNode[] = [];
  for (const k of ['containers', 'initContainers', 'ephemeralContainers']) {
    const s = get(spec, k);
    if (isSeq(s)) out.push(...s.items);
  }
  return out;
}

function containerNamed(root: YNode, name: string): YNode | undefined {
  return containersOf('Deployment', root).find((c) => get(c, 'name') && (get(c, 'name') as { v: unknown }).v === name);
}

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
    spec:
      initContainers:
      - name: init
        image: busybox
        command: ["sh", "-c", "true"]
      containers:
      - name: web
        image: nginx:1.27
        env:
        - name: MODE
          value: prod
        - name: POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        ports:
        - containerPort: 8080
          name: http
        livenessProbe:
          httpGet:
            path: /healthz
            port: 8080
        resources:
          limits:
            cpu: 500m
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: job
            image: busybox
            args: [run]
            env:
            - name: A
              value: b
          restartPolicy: Never
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  env: kept
`;

test('a lean tree has no env (or other dropped field) under a container; a full parse keeps them; map ranges are unchanged', () => {
  const lean = parseYaml('d.yaml', DEPLOY);
  const full = parseYaml('d.yaml', DEPLOY, { full: true });
  assert.equal(lean.objects.length, 3);
  assert.equal(full.objects.length, 3);
  for (let i = 0; i < 2; i++) {
    const lc = containersOf(lean.objects[i].kind, lean.objects[i].root);
    const fc = containersOf(full.objects[i].kind, full.objects[i].root);
    assert.equal(lc.length, fc.length);
    for (let j = 0; j < lc.length; j++) {
      const l = lc[j];
      const f = fc[j];
      assert.ok(isMap(l) && isMap(f));
      assert.deepEqual([l.start, l.end], [f.start, f.end], 'the container map keeps its range');
      assert.ok(!l.items.some((p) => LEAN_DROPPED_FIELDS.has(String(p.key.v))), `${lean.objects[i].kind} container ${j}: ${l.items.map((p) => p.key.v).join(', ')}`);
      assert.ok(pair(l, 'name') && pair(l, 'image'), 'name and image are kept');
      assert.deepStrictEqual(l.items, f.items.filter((p) => !LEAN_DROPPED_FIELDS.has(String(p.key.v))), 'only dropped fields are missing');
    }
    assert.deepEqual([lean.objects[i].root.start, lean.objects[i].root.end], [full.objects[i].root.start, full.objects[i].root.end]);
  }
  const web = containerNamed(lean.objects[0].root, 'web');
  assert.equal(get(web, 'env'), undefined);
  assert.ok(isSeq(get(web, 'ports')), 'ports are kept');
  assert.ok(isSeq(get(containerNamed(full.objects[0].root, 'web'), 'env')), 'a full parse keeps env');
  assert.ok(get(full.objects[1].root, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0, 'env'));
  assert.equal(get(lean.objects[1].root, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0, 'env'), undefined);
  assert.equal(get(lean.objects[1].root, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'restartPolicy') !== undefined, true, 'pod spec fields are kept');
  // other kinds are untouched
  assert.deepStrictEqual(lean.objects[2], full.objects[2]);
  // the switch
  useLeanYaml(false);
  try {
    assert.deepStrictEqual(parseYaml('d.yaml', DEPLOY), full);
  } finally {
    useLeanYaml(true);
  }
});

test('lean trees are the same on the fast reader and the yaml fallback (a document only yaml reads)', () => {
  // an anchor sends the document to the `yaml` package
  const text = DEPLOY.replace('name: MODE', 'name: &m MODE');
  const lean = parseYaml('d.yaml', text);
  assert.equal(get(containerNamed(lean.objects[0].root, 'web'), 'env'), undefined);
  const full = parseYaml('d.yaml', text, { full: true });
  assert.ok(get(containerNamed(full.objects[0].root, 'web'), 'env'));
});

test('hover on dropped container fields still shows the Kubernetes field docs', () => {
  const files: SourceFile[] = [{ path: 'd.yaml', text: DEPLOY }];
  const model = analyze(files).model;
  const off = (re: RegExp) => {
    const m = re.exec(DEPLOY)!;
    return m.index + m[0].indexOf(m[1]) + 1;
  };
  const obj = objectAt(model.objects, 'd.yaml', off(/(env):/))!;
  assert.equal(obj.kind, 'Deployment');
  assert.equal(yamlPathAt(obj, off(/(env):/)), undefined, 'the model keeps a lean tree');
  const full = yamlPathAtFull(model, obj, off(/(env):/))!;
  assert.deepEqual(full.path, ['spec', 'template', 'spec', 'containers', 0, 'env']);
  assert.equal(full.obj, obj, 'the hit names the model object');

  const env = hover(model, 'd.yaml', off(/(env):\n {8}- name: MODE/))!;
  assert.ok(env, 'hover on env');
  assert.match(env.markdown, /`spec\.template\.spec\.containers\[\]\.env`/);
  assert.match(env.markdown, /environment variables/i);
  const probe = hover(model, 'd.yaml', off(/(livenessProbe):/))!;
  assert.ok(probe, 'hover on livenessProbe');
  assert.match(probe.markdown, /`spec\.template\.spec\.containers\[\]\.livenessProbe`/);
  assert.match(probe.markdown, /liveness/i);
  const envName = hover(model, 'd.yaml', off(/- (name): POD_IP/))!;
  assert.ok(envName, 'hover on an env item name');
  assert.match(envName.markdown, /`spec\.template\.spec\.containers\[\]\.env\[\]\.name`/);
  // CronJob: the path under the cursor is found on the full tree (hover data has no batch/v1 docs)
  const cronObj = objectAt(model.objects, 'd.yaml', off(/(args): \[run\]/))!;
  assert.equal(cronObj.kind, 'CronJob');
  assert.deepEqual(yamlPathAtFull(model, cronObj, off(/(args): \[run\]/))?.path, ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0, 'args']);
  // fields the lean tree keeps, and the mesh hover on the workload name, work as before
  const port = hover(model, 'd.yaml', off(/(containerPort): 8080/))!;
  assert.match(port.markdown, /containerPort/);
  const name = hover(model, 'd.yaml', off(/name: (web)\n {2}namespace/))!;
  assert.match(name.markdown, /\*\*meshlint\*\*/, 'mesh hover on the workload name');
  // a changed text re-parses (no stale cache)
  const text2 = DEPLOY.replace('        env:\n', '        # moved\n        env:\n');
  const model2 = analyze([{ path: 'd.yaml', text: text2 }]).model;
  const m2 = /(env):\n {8}- name: MODE/.exec(text2)!;
  const env2 = hover(model2, 'd.yaml', m2.index + 1)!;
  assert.match(env2.markdown, /`spec\.template\.spec\.containers\[\]\.env`/);
});

/** A deep copy built with the tree's own constructors (structuredClone would drop the node classes). */
function deepCopy(n: YNode): YNode {
  if (isScalar(n)) return yscalar(n.v, n.start, n.end, n.style);
  if (isSeq(n)) return yseq(n.items.map(deepCopy), n.start, n.end, n.flow);
  return ymap(n.items.map((p) => ypair(deepCopy(p.key) as YScalar, p.value ? deepCopy(p.value) : null)), n.start, n.end, n.flow);
}

/** The lean tree, by its definition: a copy of the full tree without the dropped container pairs (written independently of yaml.ts). */
function pruned(root: YMap, podSpec: readonly string[]): YMap {
  const copy = deepCopy(root) as YMap;
  const spec = get(copy, ...podSpec);
  if (!isMap(spec)) return copy;
  for (const p of spec.items) {
    if (!['containers', 'initContainers', 'ephemeralContainers'].includes(String(p.key.v)) || !isSeq(p.value)) continue;
    for (const c of p.value.items) if (isMap(c)) c.items = c.items.filter((x) => !LEAN_DROPPED_FIELDS.has(String(x.key.v)));
  }
  return copy;
}

test('the fast reader builds exactly the lean tree (dropped values read, not built): corpus, fixtures, examples, bench 1 MB', () => {
  ensure('1');
  const files = [...yamlFiles(CORPUS), ...yamlFiles(path.join(ROOT, 'test/fixtures')), ...yamlFiles(path.join(ROOT, 'examples')), ...yamlFiles(workspaceDir('1'))];
  const paths = [['spec'], ['spec', 'template', 'spec'], ['spec', 'jobTemplate', 'spec', 'template', 'spec']];
  const specs: LeanSpec[] = paths.map((podSpec) => ({ podSpec, lists: new Set(['containers', 'initContainers', 'ephemeralContainers']), drop: LEAN_DROPPED_FIELDS }));
  let docs = 0;
  let changed = 0;
  for (const f of files) {
    const text = stripBom(fs.readFileSync(f, 'utf8'));
    for (const c of splitDocuments(text)) {
      const full = fastParseDocument(text, c.start, c.end);
      // every pod spec path on every document, whatever its kind: the reader must not depend on it
      for (const spec of specs) {
        const lean = fastParseDocument(text, c.start, c.end, 400_000, spec);
        if (!full) {
          assert.equal(lean, undefined, `${f}@${c.start}: the lean reader accepted a document the full reader gives up on`);
          continue;
        }
        assert.ok(lean, `${f}@${c.start}: the lean reader gave up on a document the full reader reads`);
        // a sequence document has no pod spec: the lean reader reads it in full
        const want = full.t === 'm' ? pruned(full, spec.podSpec) : full;
        assert.deepStrictEqual(lean, want, `${f}@${c.start}: lean tree for ${spec.podSpec.join('.')}`);
        docs++;
        if (JSON.stringify(want) !== JSON.stringify(full)) changed++;
      }
    }
  }
  console.log(`# fast reader, lean: ${docs} document x pod spec path checks, ${changed} with dropped fields`);
  assert.ok(changed > 500, `only ${changed} documents had dropped fields`);
});

test('Secrets are lean stubs: kind, namespace, name, type and the Secret a maker produces, never data or stringData', () => {
  const text = `apiVersion: v1
kind: Secret
metadata:
  name: shop-tls
  namespace: istio-ingress
type: kubernetes.io/tls
data:
  tls.crt: c2VjcmV0LWNlcnQ=
  tls.key: c2VjcmV0LWtleQ==
stringData:
  password: hunter2-plain
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop, namespace: istio-ingress}
spec: {secretName: shop-cert, dnsNames: [shop.example.com]}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: listed, namespace: web}
  stringData: {token: listed-plain-value}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cfg, namespace: web}
`;
  for (const full of [false, true]) {
    const r = parseYaml('s.yaml', text, { full });
    assert.deepEqual(r.objects.map((o) => o.kind), ['ConfigMap'], 'Secrets and Certificates are not objects');
    assert.deepEqual((r.secrets ?? []).map((s) => `${s.kind} ${s.ns}/${s.name} ${s.type ?? '-'} ${s.secretName ?? '-'}`), [
      'Secret istio-ingress/shop-tls kubernetes.io/tls shop-tls',
      'Certificate istio-ingress/shop - shop-cert',
      'Secret web/listed - listed',
    ]);
    const kept = JSON.stringify(r.secrets);
    for (const v of ['c2VjcmV0', 'hunter2', 'listed-plain-value', 'tls.crt', 'password']) assert.ok(!kept.includes(v), `a stub keeps ${v}`);
  }
  // and the model holds nothing else of them
  const model = analyze([{ path: 's.yaml', text }]).model;
  assert.equal(model.secrets.length, 3);
  assert.ok(!model.objects.some((o) => o.kind === 'Secret'));
});
