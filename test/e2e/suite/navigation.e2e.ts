/**
 * Walking the mesh in a real editor (issue 12): definition, references, completion, outline, code lens,
 * workspace symbols and the mesh graph, through VS Code's own command API on the fixture workspace.
 * Earlier suites may have applied quick fixes (Host set to was-service): assertions hold either way.
 */
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { meshlint, openAllFixtureFiles, positionOf, relPath, screenshot, waitFor, wsUri } from './helpers';

suite('meshlint navigation', () => {
  let opened = false;
  async function ready(): Promise<void> {
    await meshlint();
    if (!opened) {
      await openAllFixtureFiles();
      opened = true;
    }
  }
  const targetOf = (l: vscode.Location | vscode.LocationLink) => ('targetUri' in l ? { uri: l.targetUri, range: l.targetSelectionRange ?? l.targetRange } : l);

  test('go to definition: proxy_pass was-service -> the Service in was/deployment.yaml', async () => {
    await ready();
    const uri = wsUri('web/configmap.yaml');
    const doc = await vscode.workspace.openTextDocument(uri);
    const pos = positionOf(doc, /proxy_pass\s+http:\/\/(was-service)/, 1, 2);
    const defs = await waitFor('a definition', async () => {
      const d = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', uri, pos);
      return d?.length ? d : undefined;
    }, 20_000);
    const t = targetOf(defs[0]);
    assert.equal(relPath(t.uri), 'was/deployment.yaml');
    const target = await vscode.workspace.openTextDocument(t.uri);
    assert.equal(target.getText(t.range), 'was-service');
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
    await vscode.commands.executeCommand('editor.action.revealDefinition');
    await waitFor('the editor to open was/deployment.yaml', () => vscode.window.activeTextEditor && relPath(vscode.window.activeTextEditor.document.uri) === 'was/deployment.yaml', 10_000);
    await screenshot('definition');
  });

  test('find references: the Service was-service is named by the nginx ConfigMap and the Ingress', async () => {
    await ready();
    const uri = wsUri('was/deployment.yaml');
    const doc = await vscode.workspace.openTextDocument(uri);
    const pos = positionOf(doc, /kind: Service\nmetadata:\n  name: (was-service)/, 1, 1);
    const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', uri, pos);
    const files = [...new Set((refs ?? []).map((r) => relPath(r.uri)))].sort();
    assert.ok(files.includes('web/configmap.yaml') && files.includes('ingress-nginx/blog-ingress.yaml'), `references in ${files.join(', ')}`);
  });

  test('completion in proxy_pass offers the Services of the namespace by FQDN', async () => {
    await ready();
    const uri = wsUri('web/configmap.yaml');
    const doc = await vscode.workspace.openTextDocument(uri);
    const pos = positionOf(doc, /proxy_pass\s+http:\/\/(was-service)/, 1, 3);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos);
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('was-service.blog-system.svc.cluster.local:8080'), `completion items: ${labels.slice(0, 20).join(', ')}`);
  });

  test('outline: the ConfigMap lists its nginx server and locations', async () => {
    await ready();
    const syms = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', wsUri('web/configmap.yaml'));
    const flat = (s: vscode.DocumentSymbol): string[] => [s.name, ...s.children.flatMap(flat)];
    const names = (syms ?? []).flatMap(flat);
    assert.ok(names.includes('web-nginx-config'), names.join(', '));
    assert.ok(names.some((n) => n.startsWith('server')) && names.some((n) => n.startsWith('location')), names.join(', '));
    const ws = await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', 'was-serv');
    assert.ok(ws.some((s) => s.name === 'was-service'), ws.map((s) => s.name).join(', '));
  });

  test('code lens above the Service: membership, mTLS and callers', async () => {
    await ready();
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', wsUri('was/deployment.yaml'));
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /^sidecar · mTLS STRICT on 8080 · \d+ callers? \(/.test(t)), titles.join(' | '));
  });

  test('the mesh graph: ingress-nginx -> web-service, web -> was-service; the webview opens', async () => {
    await ready();
    const g = await vscode.commands.executeCommand<{ nodes: { id: string }[]; edges: { from: string; to: string; state: string; location?: { uri: string } }[] }>('meshlint.getGraph');
    const edge = (from: string, to: string) => g.edges.find((e) => e.from === from && e.to === to);
    assert.ok(edge('external:ingress-nginx', 'service:blog-system/web-service'), JSON.stringify(g.edges.map((e) => `${e.from}->${e.to}`)));
    const call = edge('workload:blog-system/Deployment/web', 'service:blog-system/was-service');
    assert.ok(call && ['passthrough', 'mtls'].includes(call.state), JSON.stringify(call));
    assert.match(call!.location!.uri, /web\/configmap\.yaml$/);
    await vscode.commands.executeCommand('meshlint.showGraph');
    await screenshot('mesh-graph-webview-api');
  });
});
