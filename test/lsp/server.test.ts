/**
 * The language server over stdio on a temp copy of examples/blog-system: indexing progress,
 * diagnostics for closed files, cross-file updates, code actions applied through the returned
 * WorkspaceEdit, hovers, and the coverage request. Needs `npm run build` (done when missing).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspClient, SERVER, ROOT, tempCopy, hoverText, offsetToPos } from './lspClient';
import { analyze } from '../../server/src/core/engine';
import type { CodeAction, CreateFile, TextDocumentEdit } from 'vscode-languageserver-protocol';

const CM = 'web/configmap.yaml';
const PA = 'istio/peerauthentication.yaml';
const WAS = 'was/deployment.yaml';

function ensureBuilt(): void {
  if (!fs.existsSync(SERVER)) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(r.status, 0, 'npm run build failed');
  }
}

describe('language server on blog-system (stdio)', () => {
  let c: LspClient;
  let dir: string;

  before(async () => {
    ensureBuilt();
    dir = tempCopy('examples/blog-system');
    c = new LspClient(dir);
    const init = await c.initialize();
    assert.ok(init.capabilities.hoverProvider);
    assert.ok(init.capabilities.codeActionProvider);
  });

  after(async () => {
    await c?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports indexing progress and registers a file watcher', async () => {
    const begin = await c.waitFor('progress begin', () => c.progress.find((p) => p.value.kind === 'begin'));
    assert.match(begin.value.message ?? '', /^Indexing 8 files/);
    assert.ok(c.progressTokens.includes(begin.token), 'progress token created through window/workDoneProgress/create');
    await c.waitFor('progress end', () => c.progress.find((p) => p.value.kind === 'end' && p.token === begin.token));
    const reg = await c.waitFor('watcher registration', () => c.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles'));
    const globs = (reg.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern);
    assert.ok(globs.some((g) => g.includes('yaml')), globs.join(', '));
  });

  it('publishes diagnostics for closed files', async () => {
    const host = await c.waitFor('host-header-passthrough', () => c.find('host-header-passthrough', CM));
    await c.waitFor('strict-mtls-plaintext-client', () => c.find('strict-mtls-plaintext-client', PA));
    await c.waitFor('missing-destination-rule', () => c.find('missing-destination-rule', WAS));
    const d = host.d;
    assert.equal(d.source, 'meshlint');
    assert.equal(d.severity, 2);
    assert.equal(d.range.start.line, 18, 'on the proxy_set_header Host line');
    assert.ok(d.codeDescription?.href.startsWith('file://') || d.codeDescription?.href.startsWith('https://'), d.codeDescription?.href);
    assert.ok(d.codeDescription!.href.endsWith('/host-header-passthrough.md'));
    assert.ok(d.relatedInformation?.some((r) => r.location.uri === c.uri(WAS)), 'related: the Service in was/deployment.yaml');
    // status notifications drive the client's status bar
    assert.ok(c.notifications.some((n) => n.method === 'meshlint/status' && (n.params as { state: string }).state === 'indexing'));
    await c.waitFor('ready status', () => c.notifications.find((n) => n.method === 'meshlint/status' && (n.params as { state: string }).state === 'ready'));
    assert.ok(c.notifications.some((n) => n.method === 'meshlint/modelChanged'));
  });

  it('hover: Istio field, nginx directive, proxy_pass target, Host header', async () => {
    const mode = hoverText(await c.hover(PA, c.positionOf(PA, /mtls:\s*\n\s*(mode):/)));
    assert.match(mode, /STRICT/);
    assert.match(mode, /PERMISSIVE/);
    assert.match(mode, /Deployment `web`/, 'mesh part: workloads the policy governs');
    const dir_ = hoverText(await c.hover(CM, c.positionOf(CM, /(proxy_set_header) X-Real-IP/)));
    assert.match(dir_, /\*\*proxy_set_header\*\*/);
    assert.match(dir_, /ngx_http_proxy_module/);
    const target = hoverText(await c.hover(CM, c.positionOf(CM, /proxy_pass http:\/\/(was-service)/, 1, 2)));
    assert.match(target, /was-service/);
    assert.match(target, /namespace \*\*blog-system\*\*/);
    assert.match(target, /in the mesh \(sidecar\)/);
    assert.match(target, /STRICT/);
    const host = hoverText(await c.hover(CM, c.positionOf(CM, /proxy_set_header (Host) \$host/)));
    assert.match(host, /routes HTTP by the Host header/);
    assert.match(host, /`was-service.blog-system.svc.cluster.local`/);
    assert.match(host, /✗/);
    assert.equal(await c.hover(CM, { line: 0, character: 0 }).then((h) => h !== undefined), true);
  });

  it('meshlint/coverage: web and was in the mesh, mysql out, 66%', async () => {
    type Cov = { summary: { inMesh: number; total: number; percent: number; text: string }; namespaces: { name: string; workloads: { name: string; membership: string; description: string; location: { uri: string; range: unknown }; ports: { mode: string | null }[] }[] }[] };
    const cov = (await c.conn.sendRequest('meshlint/coverage', {})) as Cov;
    assert.deepEqual({ inMesh: cov.summary.inMesh, total: cov.summary.total, percent: cov.summary.percent }, { inMesh: 2, total: 3, percent: 66 });
    assert.equal(cov.summary.text, '2 of 3 workloads in the mesh, 66%');
    const ns = cov.namespaces.find((n) => n.name === 'blog-system')!;
    const m = Object.fromEntries(ns.workloads.map((w) => [w.name, w.membership]));
    assert.deepEqual(m, { web: 'sidecar', was: 'sidecar', mysql: 'outside' });
    const was = ns.workloads.find((w) => w.name === 'was')!;
    assert.equal(was.description, 'sidecar · STRICT');
    assert.equal(was.location.uri, c.uri(WAS));
    const one = (await c.conn.sendRequest('meshlint/coverage', { namespace: 'blog-system' })) as Cov;
    assert.equal(one.summary.percent, 66);
    const none = (await c.conn.sendRequest('meshlint/coverage', { namespace: 'nope' })) as Cov;
    assert.equal(none.summary.total, 0);
  });

  it('didChange on the open ConfigMap: fixing the Host line clears the finding, undoing brings it back', async () => {
    await c.open(CM);
    const before = c.published.length;
    await c.replaceIn(CM, /Host \$host;/, 'Host was-service;');
    await c.waitFor('host-header-passthrough to disappear', () => c.published.length > before && !c.find('host-header-passthrough', CM));
    await c.replaceIn(CM, /Host was-service;/, 'Host $host;');
    await c.waitFor('host-header-passthrough to come back', () => c.find('host-header-passthrough', CM));
  });

  it('code action "Set Host to was-service" applied through its WorkspaceEdit removes the finding', async () => {
    const { d } = (await c.waitFor('host diag', () => c.find('host-header-passthrough', CM)))!;
    const actions = await c.codeActions(CM, d.range, [d]);
    const fix = actions.find((a) => a.title === 'Set Host to was-service');
    assert.ok(fix, `offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    assert.ok(actions.some((a) => a.title === 'Disable host-header-passthrough for this line'));
    await c.applyWorkspaceEdit(fix.edit!);
    assert.match(c.docs.get(c.uri(CM))!.text, /proxy_set_header Host was-service;/);
    await c.waitFor('host-header-passthrough to disappear after the fix', () => !c.find('host-header-passthrough', CM));
  });

  it('source.fixAll.meshlint fixes the auto-fixable findings of a file', async () => {
    const actions = await c.codeActions(CM, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
    const all = actions.find((a) => a.kind === 'source.fixAll.meshlint');
    assert.ok(all, `offered: ${actions.map((a) => `${a.kind}:${a.title}`).join(', ')}`);
    assert.ok(actions.every((a) => a.kind?.startsWith('source.fixAll')), 'only fixAll actions when only=source.fixAll');
    const before = c.codes(CM).length;
    await c.applyWorkspaceEdit(all.edit!);
    await c.waitFor('fewer findings in the ConfigMap', () => c.codes(CM).length < before);
    await c.close(CM);
  });

  it('"Disable <rule> for this line" writes the suppression comment (closed file, via disk + watcher)', async () => {
    const { d } = (await c.waitFor('strict diag', () => c.find('strict-mtls-plaintext-client', PA)))!;
    const actions = await c.codeActions(PA, d.range, [d]);
    const dis = actions.find((a) => a.title === 'Disable strict-mtls-plaintext-client for this line');
    assert.ok(dis, `offered: ${actions.map((a) => a.title).join(', ')}`);
    await c.applyWorkspaceEdit(dis.edit!);
    const text = fs.readFileSync(path.join(dir, PA), 'utf8');
    assert.match(text, /\n {4}# meshlint-disable-next-line strict-mtls-plaintext-client\n {4}mode: STRICT/);
    await c.waitFor('strict-mtls-plaintext-client to disappear', () => !c.find('strict-mtls-plaintext-client', PA));
  });

  it('"Add DestinationRule" creates a file; missing-destination-rule goes away and comes back when it is deleted', async () => {
    const { d } = (await c.waitFor('missing-destination-rule', () => c.find('missing-destination-rule', WAS)))!;
    const actions = await c.codeActions(WAS, d.range, [d]);
    const add = actions.find((a) => a.title.startsWith('Add DestinationRule')) as CodeAction | undefined;
    assert.ok(add, `offered: ${actions.map((a) => a.title).join(', ')}`);
    const changes = add.edit!.documentChanges!;
    const create = changes.find((x) => 'kind' in x && x.kind === 'create') as CreateFile;
    assert.ok(create, 'a CreateFile operation');
    const body = changes.find((x) => !('kind' in x) && x.textDocument.uri === create.uri) as TextDocumentEdit;
    assert.match((body.edits[0] as { newText: string }).newText, /kind: DestinationRule/);
    await c.applyWorkspaceEdit(add.edit!);
    const created = new URL(create.uri).pathname;
    assert.ok(fs.existsSync(created));
    await c.waitFor('missing-destination-rule to disappear', () => !c.find('missing-destination-rule', WAS));
    fs.rmSync(created);
    await c.watched([{ rel: path.relative(dir, created), type: 3 }]);
    await c.waitFor('missing-destination-rule to come back', () => c.find('missing-destination-rule', WAS));
  });

  it('cross-file: PERMISSIVE in the open PeerAuthentication changes findings elsewhere and the coverage', async () => {
    // remove the suppression again so the finding is back first
    const file = path.join(dir, PA);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/ *# meshlint-disable-next-line [^\n]*\n/, ''));
    await c.watched([{ rel: PA, type: 2 }]);
    await c.waitFor('strict finding back', () => c.find('strict-mtls-plaintext-client', PA));
    await c.open(PA);
    await c.replaceIn(PA, /STRICT/, 'PERMISSIVE');
    await c.waitFor('strict finding gone', () => !c.find('strict-mtls-plaintext-client', PA));
    const cov = (await c.conn.sendRequest('meshlint/coverage', {})) as { namespaces: { workloads: { name: string; description: string }[] }[] };
    assert.equal(cov.namespaces[0].workloads.find((w) => w.name === 'was')!.description, 'sidecar · PERMISSIVE');
    // closing without saving goes back to the disk text
    await c.close(PA);
    await c.waitFor('strict finding back after close', () => c.find('strict-mtls-plaintext-client', PA));
  });

  it('an edit storm ends with the diagnostics of a cold analysis of the final text', async () => {
    await c.open(CM);
    for (let i = 0; i < 300; i++) {
      await c.replaceIn(CM, /Host [^;]*;/, i % 2 ? 'Host was-service.blog-system;' : 'Host $host;');
    }
    const doc = c.docs.get(c.uri(CM))!;
    const analysesBefore = c.notifications.filter((n) => n.method === 'meshlint/modelChanged').length;
    // any request that reads the model brings the analysis up to date first; publishes precede its answer
    await c.conn.sendRequest('meshlint/coverage', {});
    const analyses = c.notifications.filter((n) => n.method === 'meshlint/modelChanged').length - analysesBefore;
    assert.ok(analyses <= 2, `the storm was coalesced: ${analyses} analyses after the last edit`);
    const storm = c.published.filter((p) => p.params.uri === c.uri(CM) && (p.params.version ?? 0) > 1).length;
    // how much is coalesced depends on how fast the edits arrive; report it rather than race on it
    console.log(`# edit storm: 300 didChange -> ${storm} publishes for the ConfigMap`);
    const last = { params: { diagnostics: c.diagnostics.get(c.uri(CM)) ?? [] } };
    // a cold analysis of the same texts gives the same diagnostics
    const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).split(path.sep).join('/'));
    const cold = analyze(files.map((f) => ({ path: f, text: f === CM ? doc.text : fs.readFileSync(path.join(dir, f), 'utf8') })));
    const expected = cold.findings.filter((f) => f.file === CM).map((f) => `${f.rule}@${offsetToPos(doc.text, f.start).line}:${offsetToPos(doc.text, f.start).character}`);
    const got = last.params.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);
    assert.deepEqual(got, expected);
    await c.close(CM);
  });

  it('survives bad requests and keeps answering', async () => {
    const bad = await c.hover('does/not/exist.yaml', { line: 99, character: 99 });
    assert.equal(bad, null);
    await assert.rejects(c.conn.sendRequest('meshlint/noSuchRequest', {}));
    const odd = await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: 'untitled:1' }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } });
    assert.deepEqual(odd, []);
    const h = hoverText(await c.hover(PA, c.positionOf(PA, /mtls:\s*\n\s*(mode):/)));
    assert.match(h, /STRICT/);
    assert.equal(c.exited, false);
  });
});

describe('language server: latency and indexing behaviour', () => {
  it('answers hover while indexing and reports edit-to-diagnostics latency', async () => {
    ensureBuilt();
    const dir = tempCopy('examples/blog-system');
    const c = new LspClient(dir);
    try {
      await c.initialize();
      const h = await c.hover(PA, c.positionOf(PA, /mtls:\s*\n\s*(mode):/));
      assert.match(hoverText(h), /STRICT/, 'a hover is answered whether or not indexing has finished');
      await c.waitFor('first diagnostics', () => c.find('host-header-passthrough', CM));
      await c.open(CM);
      await new Promise((r) => setTimeout(r, 150));
      const samples: number[] = [];
      for (let i = 0; i < 10; i++) {
        const n = c.published.length;
        const t0 = performance.now();
        await c.replaceIn(CM, /Host [^;]*;/, i % 2 ? 'Host $host;' : 'Host was-service;');
        const p = await c.waitFor('publish', () => c.published.slice(n).find((x) => x.params.uri === c.uri(CM)));
        samples.push(p.at - t0);
        await new Promise((r) => setTimeout(r, 120));
      }
      samples.sort((a, b) => a - b);
      console.log(`# didChange -> publishDiagnostics on blog-system (ms): ${samples.map((x) => x.toFixed(1)).join(', ')}; median ${samples[5].toFixed(1)}`);
    } finally {
      await c.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
