/**
 * Definition, references, completion, outline, workspace symbols, code lens and rename over stdio
 * (issue 12), on test/fixtures/navigation: exact targets and ranges.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { CodeLens, CompletionItem, DocumentSymbol, Location, LocationLink, SymbolInformation, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { LspClient, SERVER, ROOT, tempCopy, capabilities } from './lspClient';

let c: LspClient;
let dir: string;
const text = (rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
/** the position of the n-th character of the first match of re (group 1 when present) */
function pos(rel: string, re: RegExp, delta = 0) {
  const t = text(rel);
  const m = re.exec(t)!;
  assert.ok(m, `${rel}: ${re}`);
  const at = m.index + (m[1] ? m[0].indexOf(m[1]) : 0) + delta;
  const before = t.slice(0, at);
  return { line: before.split('\n').length - 1, character: at - before.lastIndexOf('\n') - 1 };
}
const where = (l: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }) => {
  const t = text(c.rel(l.uri));
  const lines = t.split('\n');
  return `${c.rel(l.uri)}:${l.range.start.line + 1}:${lines[l.range.start.line].slice(l.range.start.character, l.range.end.line === l.range.start.line ? l.range.end.character : undefined)}`;
};

before(async () => {
  if (!fs.existsSync(SERVER)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status, 0);
  dir = tempCopy('test/fixtures/navigation');
  c = new LspClient(dir);
  const init = await c.initialize();
  const caps = init.capabilities;
  assert.ok(caps.definitionProvider && caps.referencesProvider && caps.completionProvider && caps.documentSymbolProvider && caps.workspaceSymbolProvider && caps.codeLensProvider && caps.renameProvider);
  await c.waitFor('diagnostics', () => c.find('dr-subset-no-workload'));
});
after(async () => {
  await c?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const def = (rel: string, p: { line: number; character: number }) => c.conn.sendRequest('textDocument/definition', { textDocument: { uri: c.uri(rel) }, position: p }) as Promise<LocationLink[]>;

describe('go to definition', () => {
  it('proxy_pass host in a ConfigMap -> the Service; the origin is the whole reference', async () => {
    const r = await def('frontend.yaml', pos('frontend.yaml', /proxy_pass http:\/\/(reviews):9080/, 2));
    assert.deepEqual(r.map((l) => where({ uri: l.targetUri, range: l.targetSelectionRange })), ['shop.yaml:11:reviews']);
    assert.equal(where({ uri: c.uri('frontend.yaml'), range: r[0].originSelectionRange! }), 'frontend.yaml:14:http://reviews:9080');
  });
  it('an upstream name -> its upstream block; an upstream server -> the Service', async () => {
    assert.deepEqual((await def('frontend.yaml', pos('frontend.yaml', /http:\/\/(backend)/, 1))).map((l) => where({ uri: l.targetUri, range: l.targetRange })), ['frontend.yaml:8:backend']);
    assert.deepEqual((await def('frontend.yaml', pos('frontend.yaml', /server (reviews):9080/))).map((l) => where({ uri: l.targetUri, range: l.targetRange })), ['shop.yaml:11:reviews']);
  });
  it('a Service selector -> the workloads it selects', async () => {
    const r = await def('shop.yaml', pos('shop.yaml', /selector:\n    (app): reviews/));
    assert.deepEqual(r.map((l) => where({ uri: l.targetUri, range: l.targetRange })).sort(), ['shop.yaml:23:reviews-v1', 'shop.yaml:39:reviews-v2']);
  });
  it('VirtualService subset -> DestinationRule subset; gateways -> Gateway; DR host -> Service; parentRefs -> Gateway; volume -> ConfigMap', async () => {
    const one = async (rel: string, re: RegExp) => (await def(rel, pos(rel, re))).map((l) => where({ uri: l.targetUri, range: l.targetRange }));
    assert.deepEqual(await one('routing.yaml', /subset: (v2)/), ['routing.yaml:12:v2']);
    assert.deepEqual(await one('routing.yaml', /- (shop-gw)/), ['routing.yaml:22:shop-gw']);
    assert.deepEqual(await one('routing.yaml', /spec:\n  host: (reviews)/), ['shop.yaml:11:reviews']);
    assert.deepEqual(await one('routing.yaml', /parentRefs:\n    - name: (edge)/), ['routing.yaml:56:edge']);
    assert.deepEqual(await one('routing.yaml', /backendRefs:\n        - name: (reviews)/), ['shop.yaml:11:reviews']);
    assert.deepEqual(await one('frontend.yaml', /configMap:\n            name: (frontend-nginx)/), ['frontend.yaml:4:frontend-nginx']);
    assert.deepEqual(await one('routing.yaml', /- (mesh)/), [], '"mesh" names no object');
  });
  it('an nginx include -> the files it reaches (relative to the main nginx.conf); a Rollout -> its VirtualService, DestinationRule and subsets', async () => {
    const r = await def('edge/nginx.conf', pos('edge/nginx.conf', /include (conf\.d)/));
    assert.deepEqual(r.map((l) => `${c.rel(l.targetUri)}:${l.targetRange.start.line}`), ['edge/conf.d/app.conf:0']);
    const one = async (re: RegExp) => (await def('rollout.yaml', pos('rollout.yaml', re))).map((l) => where({ uri: l.targetUri, range: l.targetRange }));
    assert.deepEqual(await one(/virtualService:\n            name: (reviews)/), ['routing.yaml:34:reviews']);
    assert.deepEqual(await one(/destinationRule:\n            name: (reviews)/), ['routing.yaml:4:reviews']);
    assert.deepEqual(await one(/canarySubsetName: (v2)/), ['routing.yaml:12:v2']);
  });
});

describe('find references', () => {
  it('from a Service: nginx, upstream servers, Host headers, VirtualService, DestinationRule, HTTPRoute, the PeerAuthentication selecting its pods', async () => {
    const r = (await c.conn.sendRequest('textDocument/references', { textDocument: { uri: c.uri('shop.yaml') }, position: pos('shop.yaml', /name: (reviews)\n  namespace: shop\nspec:\n  selector/), context: { includeDeclaration: true } })) as Location[];
    assert.deepEqual(r.map(where).sort(), [
      'frontend.yaml:14:http://reviews:9080',
      'frontend.yaml:15:reviews',
      'frontend.yaml:19:http://backend',
      'frontend.yaml:20:reviews',
      'frontend.yaml:9:reviews:9080',
      'routing.yaml:38:reviews',
      'routing.yaml:45:reviews',
      'routing.yaml:49:reviews',
      'routing.yaml:75:reviews',
      'routing.yaml:7:reviews',
      'routing.yaml:86:app: reviews',
      'shop.yaml:11:reviews',
    ]);
  });
  it('from a DestinationRule subset: the routes to it', async () => {
    const r = (await c.conn.sendRequest('textDocument/references', { textDocument: { uri: c.uri('routing.yaml') }, position: pos('routing.yaml', /- name: (v1)/), context: { includeDeclaration: false } })) as Location[];
    assert.deepEqual(r.map(where).sort(), ['rollout.yaml:25:v1', 'routing.yaml:46:v1']);
  });
});

describe('completion', () => {
  const labels = async (rel: string, re: RegExp, delta: number) => ((await c.conn.sendRequest('textDocument/completion', { textDocument: { uri: c.uri(rel) }, position: pos(rel, re, delta) })) as { items: CompletionItem[] }).items.map((i) => i.label);
  it('subsets that select pods (v3 selects none: not offered), gateways, hosts, enums, parent and backend refs, selector values', async () => {
    assert.deepEqual(await labels('routing.yaml', /subset: v1/, 8), ['v1', 'v2']);
    assert.deepEqual(await labels('routing.yaml', /    - shop-gw/, 6), ['mesh', 'shop-gw']);
    assert.deepEqual(await labels('routing.yaml', /spec:\n  host: reviews/, 14), ['reviews', 'reviews.shop.svc.cluster.local']);
    assert.deepEqual(await labels('routing.yaml', /mode: STRICT/, 6), ['STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET']);
    assert.deepEqual(await labels('routing.yaml', /- name: edge/, 8), ['edge']);
    assert.deepEqual((await labels('routing.yaml', /matchLabels:\n      app: reviews/, 24)).sort(), ['frontend', 'reviews', 'reviews-canary']);
  });
  it('nginx: Services by FQDN in proxy_pass (a short name would be a proxy-pass-short-name finding); the names the sidecar matches in Host', async () => {
    const list = (await c.conn.sendRequest('textDocument/completion', { textDocument: { uri: c.uri('frontend.yaml') }, position: pos('frontend.yaml', /http:\/\/(reviews):9080/, 2) })) as { isIncomplete: boolean; items: CompletionItem[] };
    assert.equal(list.isIncomplete, false);
    const items = list.items;
    const all = (await c.conn.sendRequest('textDocument/completion', { textDocument: { uri: c.uri('frontend.yaml') }, position: pos('frontend.yaml', /http:\/\/(reviews):9080/) })) as { items: CompletionItem[] };
    assert.deepEqual(all.items.map((i) => i.label), ['reviews.shop.svc.cluster.local:9080', 'backend'], 'nothing typed yet: every Service port and the upstream');
    assert.deepEqual(items.map((i) => i.label), ['reviews.shop.svc.cluster.local:9080'], 'what is typed ("re") filters: the upstream backend is left out');
    const edit = items[0].textEdit as { range: unknown; newText: string };
    assert.equal(where({ uri: c.uri('frontend.yaml'), range: edit.range as never }), 'frontend.yaml:14:reviews:9080');
    assert.equal(edit.newText, 'reviews.shop.svc.cluster.local:9080');
    assert.deepEqual(await labels('frontend.yaml', /Host (reviews)/, 1), ['reviews', 'reviews.shop', 'reviews.shop.svc', 'reviews.shop.svc.cluster.local', '$proxy_host']);
  });
});

describe('outline, workspace symbols, code lens', () => {
  it('document symbols: objects by name and kind, the nginx blocks inside the ConfigMap', async () => {
    const s = (await c.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri: c.uri('frontend.yaml') } })) as DocumentSymbol[];
    const tree = (x: DocumentSymbol): unknown => (x.children?.length ? [x.name, x.children.map(tree)] : x.name);
    assert.deepEqual(s.map(tree), [['frontend-nginx', ['upstream backend', ['server :80', ['location /reviews', 'location /b']]]], 'frontend']);
    assert.equal(s[0].detail, 'ConfigMap · shop');
    assert.equal(where({ uri: c.uri('frontend.yaml'), range: s[0].selectionRange }), 'frontend.yaml:4:frontend-nginx');
  });
  it('workspace symbols by name', async () => {
    const s = (await c.conn.sendRequest('workspace/symbol', { query: 'revv2' })) as SymbolInformation[];
    assert.deepEqual(s.map((x) => `${x.containerName} ${x.name} ${where(x.location)}`), ['Deployment · shop reviews-v2 shop.yaml:39:reviews-v2']);
  });
  it('code lenses: membership, mTLS and callers above the Service; the command opens the references', async () => {
    const l = (await c.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: c.uri('shop.yaml') } })) as CodeLens[];
    const titles = l.map((x) => `${x.range.start.line + 1} ${x.command?.title}`);
    assert.ok(titles.includes('8 sidecar · mTLS STRICT on 9080 · 2 callers (2 in the mesh)'), titles.join('\n'));
    const svc = l.find((x) => x.range.start.line === 7)!;
    assert.equal(svc.command!.command, 'meshlint.showReferences');
    assert.ok((svc.command!.arguments![2] as Location[]).length >= 8);
    assert.ok(titles.some((t) => t.startsWith('20 sidecar (namespace shop has istio-injection: enabled) · mTLS STRICT · behind reviews')), titles.join('\n'));
  });
});

describe('rename', () => {
  it('a Service: its name and every reference that spells it, Host headers included; analysis stays clean of new findings', async () => {
    const p = pos('shop.yaml', /name: (reviews)\n  namespace: shop\nspec:\n  selector/);
    const prep = (await c.conn.sendRequest('textDocument/prepareRename', { textDocument: { uri: c.uri('shop.yaml') }, position: p })) as { placeholder: string };
    assert.equal(prep.placeholder, 'reviews');
    const e = (await c.conn.sendRequest('textDocument/rename', { textDocument: { uri: c.uri('shop.yaml') }, position: p, newName: 'ratings' })) as WorkspaceEdit;
    const edits = Object.entries(e.changes!).flatMap(([uri, es]) => es.map((x) => where({ uri, range: x.range })));
    assert.deepEqual(edits.sort(), ['frontend.yaml:14:reviews', 'frontend.yaml:15:reviews', 'frontend.yaml:20:reviews', 'frontend.yaml:9:reviews', 'routing.yaml:38:reviews', 'routing.yaml:45:reviews', 'routing.yaml:49:reviews', 'routing.yaml:75:reviews', 'routing.yaml:7:reviews', 'shop.yaml:11:reviews']);
    const before = [...c.diagnostics.values()].flat().map((d) => d.code).sort();
    await c.applyWorkspaceEdit(e);
    await c.waitFor('reviews renamed to ratings everywhere', () => text('routing.yaml').includes('host: ratings'));
    await c.waitFor('same findings as before the rename', () => JSON.stringify([...c.diagnostics.values()].flat().map((d) => d.code).sort()) === JSON.stringify(before));
  });
  it('refuses what it cannot rename safely, with the reason', async () => {
    await assert.rejects(c.conn.sendRequest('textDocument/rename', { textDocument: { uri: c.uri('shop.yaml') }, position: pos('shop.yaml', /name: (reviews-v1)/), newName: 'x' }), /renames Services, Gateways, ConfigMaps and DestinationRule subsets/);
    await assert.rejects(c.conn.sendRequest('textDocument/rename', { textDocument: { uri: c.uri('routing.yaml') }, position: pos('routing.yaml', /- name: (v1)/), newName: 'Not_Valid' }), /not a valid name/);
  });
});

describe('rename preview', () => {
  it('with change annotation support the edits across files need confirmation (the refactor preview)', async () => {
    const we = capabilities.workspace!.workspaceEdit!;
    const before = we.changeAnnotationSupport;
    we.changeAnnotationSupport = { groupsOnLabel: true };
    const dir2 = tempCopy('test/fixtures/navigation');
    const c2 = new LspClient(dir2);
    try {
      await c2.initialize();
      await c2.waitFor('diagnostics', () => c2.find('dr-subset-no-workload'));
      const t = fs.readFileSync(path.join(dir2, 'shop.yaml'), 'utf8');
      const at = t.indexOf('name: reviews\n  namespace: shop\nspec:\n  selector') + 6;
      const line = t.slice(0, at).split('\n').length - 1;
      const e = (await c2.conn.sendRequest('textDocument/rename', { textDocument: { uri: c2.uri('shop.yaml') }, position: { line, character: at - t.lastIndexOf('\n', at - 1) - 1 }, newName: 'ratings' })) as WorkspaceEdit;
      assert.equal(e.changes, undefined);
      assert.deepEqual(Object.values(e.changeAnnotations!).map((a) => [a.label, a.needsConfirmation]), [['Rename Service reviews to ratings', true]]);
      const docs = e.documentChanges as { textDocument: { uri: string }; edits: { annotationId: string }[] }[];
      assert.deepEqual(docs.map((d) => c2.rel(d.textDocument.uri)).sort(), ['frontend.yaml', 'routing.yaml', 'shop.yaml']);
      assert.ok(docs.every((d) => d.edits.every((x) => x.annotationId === 'meshlint.rename')));
      assert.equal(docs.reduce((n, d) => n + d.edits.length, 0), 10);
    } finally {
      we.changeAnnotationSupport = before;
      await c2.stop();
      fs.rmSync(dir2, { recursive: true, force: true });
    }
  });
});
