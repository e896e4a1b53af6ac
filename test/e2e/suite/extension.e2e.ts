/**
 * meshlint in a real editor, through the public `vscode` API only, on the fixture workspace:
 * examples/blog-system (Story A) at the root and test/e2e/ambient-example/ (Story B).
 * Expected behaviour from issue 4; these tests define the contract and fail until it is met.
 */
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  SOURCE,
  applyCodeAction,
  codeActionsAt,
  codeOf,
  describeDiagnostics,
  fileContaining,
  hoverText,
  meshlint,
  meshlintDiagnostics,
  openAllFixtureFiles,
  positionOf,
  relPath,
  screenshot,
  waitFor,
  waitForDiagnostic,
  workspaceRoot,
  wsUri,
} from './helpers';

interface Coverage {
  summary: { inMesh: number; total: number; percent: number };
}

suite('meshlint extension', () => {
  // Every test starts with `await ready()`, so a missing or broken extension fails each
  // expectation with the reason, instead of one "before all" hook hiding the rest.
  let ext: vscode.Extension<unknown>;
  let opened = false;
  async function ready(): Promise<vscode.Extension<unknown>> {
    ext = await meshlint();
    if (!opened) {
      // a server that lints only open documents must still see every file of the fixture
      await openAllFixtureFiles();
      opened = true;
    }
    return ext;
  }

  test('contributes snippets for Istio YAML and nginx', async () => {
    await ready();
    const snippets = ext.packageJSON?.contributes?.snippets as { language: string; path: string }[] | undefined;
    assert.ok(Array.isArray(snippets) && snippets.length > 0, 'package.json contributes.snippets is empty');
    for (const s of snippets) {
      const file = path.join(ext.extensionPath, s.path);
      assert.ok(fs.existsSync(file), `snippet file ${s.path} (language ${s.language}) does not exist`);
      const body = fs.readFileSync(file, 'utf8');
      assert.ok(/"prefix"/.test(body) && /"body"/.test(body), `${s.path} has no snippet with prefix and body`);
    }
    const langs = snippets.map((s) => s.language);
    assert.ok(langs.includes('yaml'), `no snippets for yaml (languages: ${langs.join(', ')})`);
    assert.ok(langs.includes('nginx'), `no snippets for nginx (languages: ${langs.join(', ')})`);
  });

  test('files named nginx.conf get the language id nginx', async () => {
    await ready();
    // outside the fixture folder, so the probe file adds no caller of was-service to the workspace
    const uri = vscode.Uri.file(path.join(path.dirname(workspaceRoot().fsPath), 'language-probe', 'nginx.conf'));
    await vscode.workspace.fs.writeFile(uri, Buffer.from('server {\n    listen 80;\n    location / {\n        proxy_pass http://was-service:8080;\n    }\n}\n'));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'nginx');
  });

  test('diagnostics carry rule ids as codes and source "meshlint"', async () => {
    await ready();
    const configMap = await fileContaining(/proxy_set_header\s+Host\s+\$host/);
    await vscode.window.showTextDocument(configMap);
    // the first wait covers server start and indexing of the workspace
    await waitFor('any meshlint diagnostic', () => meshlintDiagnostics().length > 0, 60_000);
    for (const code of ['host-header-passthrough', 'missing-destination-rule', 'strict-mtls-plaintext-client']) {
      const { d } = await waitForDiagnostic(code);
      assert.equal(d.source, SOURCE);
      assert.ok(d.message.length > 10, `${code}: message too short: ${d.message}`);
    }
    const host = await waitForDiagnostic('host-header-passthrough', { uri: configMap });
    const line = (await vscode.workspace.openTextDocument(configMap)).lineAt(host.d.range.start.line).text;
    assert.match(line, /proxy_set_header\s+Host/, `host-header-passthrough should point at the Host line, points at: ${line}`);
    await screenshot('diagnostics-configmap');
  });

  test('quick fix "Set Host to was-service" removes host-header-passthrough', async () => {
    await ready();
    const configMap = await fileContaining(/proxy_set_header\s+Host\s+\$host/);
    const { d } = await waitForDiagnostic('host-header-passthrough', { uri: configMap });
    const actions = await codeActionsAt(configMap, d.range);
    const fix = actions.find((a) => a.title === 'Set Host to was-service');
    assert.ok(fix, `no "Set Host to was-service" action; offered: ${actions.map((a) => JSON.stringify(a.title)).join(', ') || 'none'}`);
    assert.ok(!fix.kind || vscode.CodeActionKind.QuickFix.contains(fix.kind), `kind is ${fix.kind?.value}, expected quickfix`);
    await applyCodeAction(fix);
    const doc = await vscode.workspace.openTextDocument(configMap);
    assert.match(doc.getText(), /proxy_set_header\s+Host\s+"?was-service/);
    await waitFor('host-header-passthrough to disappear after the fix', () =>
      !meshlintDiagnostics(configMap).some(({ d: x }) => codeOf(x) === 'host-header-passthrough'),
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n      diagnostics now: ${describeDiagnostics()}`);
    });
    await doc.save();
  });

  test('"Add DestinationRule" creates a file and missing-destination-rule goes away', async () => {
    await ready();
    const { uri, d } = await waitForDiagnostic('missing-destination-rule', { filter: (x) => /was-service/.test(x.message) });
    const before = new Set((await vscode.workspace.findFiles('**/*.{yaml,yml}')).map((u) => u.toString()));
    const actions = await codeActionsAt(uri, d.range);
    const fix = actions.find((a) => a.title.startsWith('Add DestinationRule'));
    assert.ok(fix, `no "Add DestinationRule" action at ${relPath(uri)}:${d.range.start.line + 1}; offered: ${actions.map((a) => JSON.stringify(a.title)).join(', ') || 'none'}`);
    await applyCodeAction(fix);
    await vscode.workspace.saveAll(false);
    const created = await waitFor('the new DestinationRule file on disk', async () => {
      const now = await vscode.workspace.findFiles('**/*.{yaml,yml}');
      return now.find((u) => !before.has(u.toString()));
    }, 10_000);
    // the editor's view of the new file (the edit fills it in memory), then the saved copy on disk
    const doc = await vscode.workspace.openTextDocument(created);
    if (doc.isDirty) await doc.save();
    const text = doc.getText();
    await waitFor(`${relPath(created)} saved to disk`, () => fs.readFileSync(created.fsPath, 'utf8') === text, 10_000);
    assert.match(text, /kind:\s*DestinationRule/, `${relPath(created)} is not a DestinationRule:\n${text}`);
    assert.match(text, /host:\s*["']?was-service/, `${relPath(created)} does not target was-service:\n${text}`);
    await waitFor('missing-destination-rule for was-service to disappear', () =>
      !meshlintDiagnostics().some(({ d: x }) => codeOf(x) === 'missing-destination-rule' && /was-service/.test(x.message)),
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n      diagnostics now: ${describeDiagnostics()}`);
    });
  });

  test('hover on PeerAuthentication spec.mtls.mode explains the field', async () => {
    await ready();
    const uri = await fileContaining(/kind:\s*PeerAuthentication[\s\S]*mtls:\s*\n\s*mode:/, '**/*.{yaml,yml}');
    const doc = await vscode.workspace.openTextDocument(uri);
    const pos = positionOf(doc, /mtls:\s*\n\s*(mode):/, 1, 1);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
    const text = hoverText(hovers);
    assert.ok(text.trim().length > 20, `no hover text on mtls.mode in ${relPath(uri)} (got ${JSON.stringify(text)})`);
    assert.match(text, /STRICT|PERMISSIVE|mutual TLS|mTLS/i);
  });

  test('hover on a proxy_pass target names the Service was-service', async () => {
    await ready();
    const uri = await fileContaining(/proxy_pass\s+https?:\/\/was-service/, '**/*.{yaml,yml}');
    const doc = await vscode.workspace.openTextDocument(uri);
    const pos = positionOf(doc, /proxy_pass\s+https?:\/\/(was-service)/, 1, 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
    const text = hoverText(hovers);
    assert.ok(text.trim().length > 0, `no hover on the proxy_pass target in ${relPath(uri)}`);
    assert.match(text, /was-service/);
    assert.match(text, /Service/);
  });

  test('coverage: meshlint.getCoverage reports web and was in the mesh, mysql out (66%)', async () => {
    await ready();
    const cov = await vscode.commands.executeCommand<Coverage>('meshlint.getCoverage', { namespace: 'blog-system' });
    assert.ok(cov && cov.summary, `meshlint.getCoverage returned ${JSON.stringify(cov)}`);
    const { inMesh, total, percent } = cov.summary;
    assert.deepEqual({ inMesh, total, percent }, { inMesh: 2, total: 3, percent: 66 });
  });

  test('coverage of the whole fixture counts ambient workloads and opted-out Prometheus', async () => {
    await ready();
    // web, was (sidecar) and user-service (ambient) in; mysql (inject "false") and prometheus
    // (istio.io/dataplane-mode: none) out
    const cov = await vscode.commands.executeCommand<Coverage>('meshlint.getCoverage');
    assert.ok(cov && cov.summary, `meshlint.getCoverage returned ${JSON.stringify(cov)}`);
    const { inMesh, total, percent } = cov.summary;
    assert.deepEqual({ inMesh, total, percent }, { inMesh: 3, total: 5, percent: 60 });
  });

  test('the coverage tree view is contributed and opens', async () => {
    await ready();
    const views = ext.packageJSON?.contributes?.views as Record<string, { id: string; name: string }[]> | undefined;
    const all = Object.values(views ?? {}).flat();
    const view = all.find((v) => /coverage/i.test(v.id) || /coverage/i.test(v.name));
    assert.ok(view, `no coverage view in contributes.views (views: ${all.map((v) => v.id).join(', ') || 'none'})`);
    await vscode.commands.executeCommand(`${view.id}.focus`);
    await screenshot('coverage-view-api');
  });

  test('ambient: an HTTPRoute parentRef naming a missing Gateway is reported', async () => {
    await ready();
    const uri = wsUri('ambient-example/httproute.yaml');
    await vscode.window.showTextDocument(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const refLine = positionOf(doc, /parentRefs:\s*\n\s*- name: (istio-ingressgateway)/, 1, 0).line;
    await waitFor(`a ${SOURCE} diagnostic on the parentRef (line ${refLine + 1}) of ${relPath(uri)}`, () =>
      meshlintDiagnostics(uri).find(({ d }) =>
        codeOf(d) === 'httproute-parent-not-found' && d.range.start.line <= refLine && refLine <= d.range.end.line && /istio-ingressgateway/.test(d.message)),
    20_000).catch((e: Error) => {
      throw new Error(`${e.message}\n      diagnostics now: ${describeDiagnostics()}`);
    });
  });

  test('ambient: Prometheus opted out with dataplane-mode none is flagged against STRICT user-service', async () => {
    await ready();
    const uri = wsUri('ambient-example/prometheus.yaml');
    const found = await waitForDiagnostic('strict-mtls-plaintext-client', {
      filter: (d) => /prometheus/i.test(d.message) && /user-service|wealist-prod/.test(d.message),
    });
    assert.ok(found.uri.toString() === uri.toString() || /prometheus/i.test(found.d.message));
  });
});
