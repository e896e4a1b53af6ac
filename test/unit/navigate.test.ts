/** core/features completion and navigation on inputs the LSP tests do not cover: half-typed YAML, large workspaces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/core/engine';
import { complete, yamlContext, MAX_ITEMS } from '../../server/src/core/features/completion';
import { definition, links } from '../../server/src/core/features/navigate';

test('yamlContext reads the key path from indentation, also where the document does not parse yet', () => {
  const text = 'kind: VirtualService\nspec:\n  http:\n    - route:\n        - destination:\n            host: rev\n            subset: \n  gateways:\n  - \n';
  const at = (s: string, d = s.length) => text.indexOf(s) + d;
  assert.deepEqual(yamlContext(text, at('host: rev'))?.keys, ['spec', 'http', 'route', 'destination', 'host']);
  assert.deepEqual(yamlContext(text, at('subset: '))?.keys, ['spec', 'http', 'route', 'destination', 'subset']);
  assert.deepEqual(yamlContext(text, at('  - \n', 4))?.keys, ['spec', 'gateways']);
  assert.equal(yamlContext(text, at('host: rev'))?.kind, 'VirtualService');
  assert.equal(yamlContext('a: 1 # host: x\n', 12), undefined, 'inside a comment');
  const compact = 'spec:\n  parentRefs:\n  - name: gw\n    namespace: x\n';
  assert.deepEqual(yamlContext(compact, compact.indexOf('namespace: x') + 11)?.keys, ['spec', 'parentRefs', 'namespace']);
});

test('completion in a half-typed subset uses the host next to it; the typed prefix filters', () => {
  const files = [
    { path: 'svc.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: shop}\nspec:\n  selector: {app: reviews}\n  ports: [{name: http, port: 80}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: r1, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: reviews, version: v1}}\n    spec: {containers: [{name: c, image: x}]}\n' },
    { path: 'dr.yaml', text: 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: shop}\nspec:\n  host: reviews\n  subsets:\n    - name: v1\n      labels: {version: v1}\n    - name: version-two\n      labels: {version: v2}\n' },
  ];
  const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\n  namespace: shop\nspec:\n  hosts: [reviews]\n  http:\n    - route:\n        - destination:\n            host: reviews\n            subset: v';
  const m = analyze([...files, { path: 'vs.yaml', text: vs }], {}).model;
  const r = complete(m, 'vs.yaml', vs, vs.length);
  assert.deepEqual(r.items.map((i) => i.label), ['v1'], 'version-two selects no pod (no v2 workload), and "v" is typed');
  assert.equal(r.incomplete, false);
});

test('completion is capped on large workspaces and says the list is incomplete', () => {
  const files = [];
  for (let i = 0; i < 400; i++) files.push({ path: `s${i}.yaml`, text: `apiVersion: v1\nkind: Service\nmetadata: {name: svc-${i}, namespace: ns${i % 4}}\nspec:\n  ports: [{port: 80}]\n` });
  const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x, namespace: ns0}\nspec:\n  hosts:\n    - ';
  const m = analyze([...files, { path: 'vs.yaml', text: vs }], {}).model;
  const r = complete(m, 'vs.yaml', vs, vs.length);
  assert.equal(r.items.length, MAX_ITEMS);
  assert.equal(r.incomplete, true);
  assert.ok(r.items.slice(0, 100).every((i) => !i.label.includes('.')), 'short names of the namespace come first');
  const narrowed = complete(m, 'vs.yaml', vs + 'svc-39', vs.length + 6);
  assert.ok(narrowed.items.every((i) => i.label.includes('svc-39')) && narrowed.items.length > 0 && !narrowed.incomplete);
});

test('definition only resolves the links of the requested file (the workspace index is not built for it)', () => {
  const files = [
    { path: 'svc.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: a}\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n' },
    { path: 'dr.yaml', text: 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: api, namespace: a}\nspec:\n  host: api\n' },
  ];
  const m = analyze(files, {}).model;
  const off = files[1].text.indexOf('host: api') + 7;
  const d = definition(m, 'dr.yaml', off);
  assert.deepEqual(d.map((l) => `${l.to.file}:${files[0].text.slice(l.to.start, l.to.end)}`), ['svc.yaml:api']);
  assert.ok(links(m).some((l) => l.kind === 'host' && l.from.file === 'dr.yaml'), 'the workspace index agrees');
});

test('a VirtualService or DestinationRule host that no Service has leads to the ServiceEntry declaring it', () => {
  const se = 'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext, namespace: a}\nspec:\n  hosts: [api.example.com]\n  ports: [{number: 443, name: https, protocol: TLS}]\n  resolution: DNS\n';
  const dr = 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ext, namespace: a}\nspec:\n  host: api.example.com\n';
  const m = analyze([{ path: 'se.yaml', text: se }, { path: 'dr.yaml', text: dr }], {}).model;
  const d = definition(m, 'dr.yaml', dr.indexOf('api.example.com') + 2);
  assert.deepEqual(d.map((l) => `${l.to.file}:${se.slice(l.to.start, l.to.end)}`), ['se.yaml:api.example.com']);
});

test('no completed name produces a finding: each item applied on the navigation fixture adds no finding', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = path.join(__dirname, '..', 'fixtures', 'navigation');
  const read = (rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
  const rels = ['shop.yaml', 'routing.yaml', 'frontend.yaml', 'rollout.yaml', 'edge/nginx.conf', 'edge/conf.d/app.conf'];
  const base = rels.map((p) => ({ path: p, text: read(p) }));
  const key = (r: ReturnType<typeof analyze>) => r.findings.map((f) => `${f.rule} ${f.file}`);
  const before = key(analyze(base, {}));
  /** findings of `after` that `before` does not have (as multisets): a completion may fix one, never add one */
  const added = (after: string[]) => {
    const left = [...before];
    return after.filter((k) => {
      const i = left.indexOf(k);
      if (i < 0) return true;
      left.splice(i, 1);
      return false;
    });
  };
  const points: [string, RegExp, number][] = [
    ['routing.yaml', /subset: v1/, 8],
    ['routing.yaml', /    - shop-gw/, 6],
    ['routing.yaml', /spec:\n  host: reviews/, 14],
    ['routing.yaml', /- name: edge/, 8],
    ['routing.yaml', /backendRefs:\n        - name: reviews/, 29],
    ['frontend.yaml', /http:\/\/reviews:9080/, 7],
    ['frontend.yaml', /Host reviews;/, 5],
  ];
  let applied = 0;
  for (const [rel, re, delta] of points) {
    const text = read(rel);
    const off = text.search(re) + delta;
    const m = analyze(base, {}).model;
    const items = complete(m, rel, text, off).items;
    assert.ok(items.length > 0, `${rel} ${re}: no items`);
    for (const it of items) {
      // replace the whole word under the cursor, as an editor does on accept
      let end = it.end;
      while (end < text.length && /[^\s;:\],}]/.test(text[end])) end++;
      const newText = text.slice(0, it.start) + (it.insert ?? it.label) + text.slice(Math.max(end, it.end));
      const after = key(analyze(base.map((f) => (f.path === rel ? { path: rel, text: newText } : f)), {}));
      assert.deepEqual(added(after), [], `${rel}: accepting "${it.label}" adds findings`);
      applied++;
    }
  }
  assert.ok(applied >= 12, `only ${applied} items applied`);
});
