/**
 * Harness smoke test: proves the real editor runs this suite on the fixture copy, independent of
 * the meshlint extension (passes with the dummy extension too).
 */
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { screenshot, waitFor, workspaceRoot } from './helpers';

suite('harness smoke', () => {
  test('the workspace is a temp copy of the e2e fixture', async () => {
    const root = workspaceRoot();
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
    assert.equal(root.scheme, 'file');
    const marker = path.join(root.fsPath, '.meshlint-e2e-fixture');
    assert.ok(fs.existsSync(marker), `${marker} missing: the runner writes it into the fixture copy`);
    const expected = process.env.MESHLINT_E2E_WORKSPACE;
    if (expected) assert.equal(fs.realpathSync(root.fsPath), fs.realpathSync(expected));
    assert.ok(!root.fsPath.startsWith(path.resolve(__dirname, '../../..')), 'the fixture must be a temp copy, not the repo');
    const yamls = await vscode.workspace.findFiles('**/*.yaml');
    assert.ok(yamls.length >= 5, `expected the blog-system and ambient YAML files, found ${yamls.length}`);
    assert.ok(yamls.some((u) => u.path.endsWith('/ambient-example/httproute.yaml')), 'ambient-example/httproute.yaml missing');
  });

  test('a fixture file opens in an editor and can be edited in memory', async () => {
    const [uri] = await vscode.workspace.findFiles('**/ambient-example/httproute.yaml');
    assert.ok(uri, 'ambient-example/httproute.yaml not found');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    assert.match(doc.getText(), /kind: HTTPRoute/);
    const ok = await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# e2e\n'));
    assert.ok(ok);
    assert.ok(doc.isDirty);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to restore the file', () => !doc.isDirty, 5_000);
  });

  test('the runner takes a screenshot of the live workbench on request', async () => {
    await screenshot('tmp-harness-smoke');
  });
});
