/**
 * Settings (`meshlint.*` through workspace/configuration and didChangeConfiguration), multi-root
 * workspaces, and a rule that throws (in-process server: the other rules still publish, the error
 * is logged and reported once).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { createConnection } from 'vscode-languageserver/node';
import { LspClient, SERVER, ROOT, tempCopy } from './lspClient';
import { MeshlintServer } from '../../server/src/lsp/server';
import { RULES } from '../../server/src/core/rules/registry';
import { defineRule } from '../../server/src/core/rules/rule';

function ensureBuilt(): void {
  if (!fs.existsSync(SERVER)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status, 0);
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('settings', () => {
  it('rules (off / severity), exclude, meshConfig and maxFileSize; changes re-analyse', async () => {
    ensureBuilt();
    const dir = tempCopy('examples/blog-system');
    dirs.push(dir);
    const c = new LspClient(dir);
    try {
      c.settings = { rules: { 'missing-destination-rule': 'off', 'proxy-pass-short-name': 'error' }, exclude: ['ingress-nginx/**'] };
      await c.initialize();
      await c.waitFor('proxy-pass-short-name as an error', () => c.find('proxy-pass-short-name')?.d.severity === 1);
      assert.equal(c.find('missing-destination-rule'), undefined, 'rule turned off');
      // the excluded Ingress is not read: no finding on it, and no plaintext caller for STRICT
      assert.equal(c.find('ingress-bypasses-proxy'), undefined);
      assert.equal(c.find('strict-mtls-plaintext-client'), undefined);

      c.settings = { meshConfig: { enableAutoMtls: false } };
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { meshlint: c.settings } });
      await c.waitFor('the Ingress indexed again', () => c.find('ingress-bypasses-proxy'));
      // with auto mTLS off a missing DestinationRule means plaintext, which was's STRICT policy rejects: error instead of hint
      const mdr = await c.waitFor('missing-destination-rule back', () => c.find('missing-destination-rule'));
      assert.equal(mdr.d.severity, 1);
      await c.waitFor('proxy-pass-short-name back to its default severity (information)', () => c.find('proxy-pass-short-name')?.d.severity === 3);

      c.settings = { maxFileSize: 200 };
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { meshlint: c.settings } });
      await c.waitFor('file-skipped on large files', () => c.find('file-skipped', 'web/deployment.yaml'));
      await c.waitFor('no host-header-passthrough (its files are skipped)', () => !c.find('host-header-passthrough'));
    } finally {
      await c.stop();
    }
  });

  it('settings from initializationOptions when the client has no workspace/configuration', async () => {
    ensureBuilt();
    const dir = tempCopy('examples/blog-system');
    dirs.push(dir);
    const c = new LspClient(dir);
    try {
      // an answer of null to workspace/configuration falls back to the pushed settings
      c.settings = null;
      await c.initialize({ initializationOptions: { settings: { meshlint: { rules: { 'host-header-passthrough': 'off' } } } } });
      await c.waitFor('diagnostics', () => c.find('strict-mtls-plaintext-client'));
      assert.equal(c.find('host-header-passthrough'), undefined);
    } finally {
      await c.stop();
    }
  });
});

describe('.meshlint.yaml', () => {
  it('a rule turned off in the config file disappears without a restart; problems show on the file; editor settings win', async () => {
    ensureBuilt();
    const dir = tempCopy('examples/blog-system');
    dirs.push(dir);
    const c = new LspClient(dir);
    try {
      await c.initialize();
      await c.waitFor('host-header-passthrough at first', () => c.find('host-header-passthrough', 'web/configmap.yaml'));
      // saved on disk: the watcher reports it
      fs.writeFileSync(path.join(dir, '.meshlint.yaml'), 'rules:\n  host-header-passthrough: off\n  proxy-pass-short-name: error\n');
      await c.watched([{ rel: '.meshlint.yaml', type: 1 }]);
      await c.waitFor('host-header-passthrough gone', () => !c.find('host-header-passthrough'));
      await c.waitFor('proxy-pass-short-name as an error', () => c.find('proxy-pass-short-name')?.d.severity === 1);
      assert.ok(c.find('strict-mtls-plaintext-client'), 'other rules still publish');

      // edited in the editor (not saved): a typo is a diagnostic on the config file at the entry, the rest applies
      await c.open('.meshlint.yaml');
      await c.replaceIn('.meshlint.yaml', /proxy-pass-short-name: error/, 'proxy-pass-short-name: loud');
      const bad = await c.waitFor('config problem published', () => c.find('meshlint-config', '.meshlint.yaml'));
      assert.deepEqual(bad.d.range, { start: { line: 2, character: 25 }, end: { line: 2, character: 29 } });
      assert.match(String(bad.d.message), /bad severity "loud" for rule "proxy-pass-short-name"/);
      assert.equal(bad.d.severity, 1);
      await c.waitFor('proxy-pass-short-name back to information', () => c.find('proxy-pass-short-name')?.d.severity === 3);
      assert.equal(c.find('host-header-passthrough'), undefined, 'the valid entry still applies');

      // an editor setting beats the file for that user
      c.settings = { rules: { 'host-header-passthrough': 'error' } };
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { meshlint: c.settings } });
      await c.waitFor('host-header-passthrough back as an error', () => c.find('host-header-passthrough')?.d.severity === 1);

      // fixing the typo clears the problem; excludes in the file re-index
      await c.replaceIn('.meshlint.yaml', /loud/, 'warning\nexclude: [ingress-nginx/**]');
      await c.waitFor('config problem cleared', () => !c.find('meshlint-config', '.meshlint.yaml'));
      await c.waitFor('the excluded Ingress is not read', () => !c.find('strict-mtls-plaintext-client') && c.find('proxy-pass-short-name')?.d.severity === 2);
    } finally {
      await c.stop();
    }
  });
});

describe('multi-root workspace', () => {
  it('diagnostics and coverage for two folders', async () => {
    ensureBuilt();
    const blog = tempCopy('examples/blog-system');
    const amb = tempCopy('test/e2e/ambient-example');
    dirs.push(blog, amb);
    const c = new LspClient(blog);
    try {
      await c.initialize({ folders: [blog, amb] });
      await c.waitFor('blog-system diagnostics', () => c.find('host-header-passthrough', 'web/configmap.yaml'));
      const ambUri = (rel: string) => new URL(`file://${path.join(amb, rel)}`).href;
      await c.waitFor('ambient folder diagnostics', () => [...c.diagnostics.keys()].some((u) => u.startsWith(new URL(`file://${amb}/`).href) && c.diagnostics.get(u)!.length > 0));
      const cov = (await c.conn.sendRequest('meshlint/coverage', {})) as { summary: { inMesh: number; total: number; percent: number }; namespaces: { workloads: { location: { uri: string } }[] }[] };
      assert.deepEqual({ inMesh: cov.summary.inMesh, total: cov.summary.total, percent: cov.summary.percent }, { inMesh: 3, total: 5, percent: 60 });
      const uris = cov.namespaces.flatMap((n) => n.workloads.map((w) => w.location.uri));
      assert.ok(uris.some((u) => u === ambUri('user-service.yaml') || u.startsWith(new URL(`file://${amb}/`).href)), uris.join(', '));
      assert.ok(uris.some((u) => u === c.uri('was/deployment.yaml')), uris.join(', '));
    } finally {
      await c.stop();
    }
  });
});

describe('a rule that throws', () => {
  it('is logged and reported once; the other rules still publish; the server keeps serving', async () => {
    const dir = tempCopy('examples/blog-system');
    dirs.push(dir);
    const bomb = defineRule({
      id: 'test-bomb',
      defaultSeverity: 'error',
      description: 'throws',
      kinds: [],
      check() {
        throw new Error('boom from a test rule');
      },
    });
    RULES.push(bomb);
    const toServer = new PassThrough();
    const fromServer = new PassThrough();
    const server = new MeshlintServer(createConnection(toServer, fromServer));
    server.listen();
    const c = new LspClient(dir, { toServer, fromServer });
    try {
      await c.initialize();
      await c.waitFor('other rules publish', () => c.find('host-header-passthrough', 'web/configmap.yaml'));
      await c.open('web/configmap.yaml');
      await c.replaceIn('web/configmap.yaml', /Host \$host;/, 'Host was-service;');
      await c.waitFor('re-analysis', () => !c.find('host-header-passthrough', 'web/configmap.yaml'));
      const logged = c.logs.filter((l) => l.includes('test-bomb') && l.includes('boom from a test rule'));
      assert.equal(logged.filter((l) => /rule test-bomb failed/.test(l)).length, 1, `logged once:\n${c.logs.join('\n')}`);
      assert.equal(c.logs.filter((l) => /rule test-bomb failed and was skipped/.test(l)).length, 1, 'one window message');
      const status = c.notifications.filter((n) => n.method === 'meshlint/status').at(-1)!.params as { ruleErrors: string[] };
      assert.deepEqual(status.ruleErrors, ['test-bomb']);
    } finally {
      RULES.splice(RULES.indexOf(bomb), 1);
      await c.stop();
    }
  });
});

describe('file events', () => {
  it('deleting a folder removes its files; recreating files brings their findings back', async () => {
    ensureBuilt();
    const dir = tempCopy('examples/blog-system');
    dirs.push(dir);
    const c = new LspClient(dir);
    try {
      await c.initialize();
      await c.waitFor('host finding', () => c.find('host-header-passthrough', 'web/configmap.yaml'));
      const saved = fs.readFileSync(path.join(dir, 'web/configmap.yaml'), 'utf8');
      fs.rmSync(path.join(dir, 'web'), { recursive: true });
      await c.watched([{ rel: 'web', type: 3 }]);
      await c.waitFor('web/ findings cleared', () => !c.find('host-header-passthrough') && c.codes('web/configmap.yaml').length === 0);
      fs.mkdirSync(path.join(dir, 'web'));
      fs.writeFileSync(path.join(dir, 'web/configmap.yaml'), saved);
      await c.watched([{ rel: 'web/configmap.yaml', type: 1 }]);
      // the ConfigMap is back but no Deployment mounts it: the caller is unknown, so the finding is softer
      await c.waitFor('host finding back', () => c.find('host-header-passthrough', 'web/configmap.yaml'));
    } finally {
      await c.stop();
    }
  });
});
