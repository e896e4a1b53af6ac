/**
 * Partial analysis through the language server: an edit is analysed on the files it can affect,
 * and a file whose findings depend on workspace-wide inputs (here a mesh-wide STRICT policy in the
 * root namespace, whose finding depends on an Ingress in another namespace) is refreshed by the
 * full analysis the server runs once the user pauses. Without that refresh the policy's stale
 * finding would stay, and this test would time out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspClient, SERVER, ROOT } from './lspClient';
import { ns, app, ingress, INJECTED } from '../helpers/manifests';


describe('language server: partial analysis', () => {
  it('refreshes a file with workspace-wide inputs after an edit elsewhere', async () => {
    if (!fs.existsSync(SERVER)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status, 0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-partial-'));
    const files: Record<string, string> = {
      'istio-system/pa.yaml': 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: istio-system\nspec:\n  mtls:\n    mode: STRICT\n',
      'shop/ns.yaml': ns('shop', INJECTED),
      'shop/web.yaml': app('web', 'shop'),
      'shop/ingress.yaml': ingress('shop', 'web'),
    };
    for (let i = 0; i < 8; i++) {
      files[`team${i}/ns.yaml`] = ns(`team${i}`, INJECTED);
      files[`team${i}/app.yaml`] = app('app', `team${i}`);
    }
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const c = new LspClient(dir);
    try {
      // slowFullMs 0: every full analysis after an edit is explained in the output
      await c.initialize({ initializationOptions: { slowFullMs: 0 } });
      await c.waitFor('the mesh-wide policy finding', () => c.find('strict-mtls-plaintext-client', 'istio-system/pa.yaml'));
      await c.open('shop/ingress.yaml');
      // let the server prepare its incremental index
      await new Promise((r) => setTimeout(r, 300));
      await c.replaceIn('shop/ingress.yaml', /name: web/, 'name: nothing');
      await c.waitFor('the policy finding to go once the Ingress no longer reaches a workload', () => !c.find('strict-mtls-plaintext-client', 'istio-system/pa.yaml') && true, 10_000);
      await c.replaceIn('shop/ingress.yaml', /name: nothing/, 'name: web');
      await c.waitFor('the policy finding to come back', () => c.find('strict-mtls-plaintext-client', 'istio-system/pa.yaml'), 10_000);
      assert.ok(!c.logs.some((l) => /needed a full analysis/.test(l)), `edits in shop were analysed partially:\n${c.logs.join('\n')}`);
      // an edit to the mesh-wide policy itself needs the whole workspace, and the output says why
      await c.open('istio-system/pa.yaml');
      await c.replaceIn('istio-system/pa.yaml', /STRICT/, 'PERMISSIVE');
      await c.waitFor('the policy finding to go with PERMISSIVE', () => !c.find('strict-mtls-plaintext-client', 'istio-system/pa.yaml') && true, 10_000);
      const why = await c.waitFor('an explanation of the full analysis', () => c.logs.find((l) => /an edit needed a full analysis/.test(l)));
      assert.match(why, /istio-system\/pa\.yaml is read workspace-wide \(object in istio-system\)/);
    } finally {
      await c.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
