/** The server's asynchronous file walk lists exactly what the CLI's discover() lists. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discover } from '../../server/src/workspace/discover';
import { walk } from '../../server/src/lsp/walk';

const root = path.join(__dirname, '..', '..');

test('walk() and discover() agree on repository folders, with and without excludes', async () => {
  const dirs = ['examples', 'test/fixtures', 'test/e2e', 'bench/workspaces/1mb'].map((d) => path.join(root, d)).filter((d) => fs.existsSync(d));
  for (const d of dirs) {
    assert.deepEqual(await walk(d), discover(d), d);
    const excludes = ['**/web/**', '*.conf', 'rules/**'];
    assert.deepEqual(await walk(d, { excludes }), discover(d, { excludes }), `${d} with excludes`);
  }
});

test('walk() skips symlink loops, links out of the root and vanished roots', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-walk-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-walk-out-'));
  try {
    fs.mkdirSync(path.join(dir, 'a', 'node_modules'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 'x.yaml'), 'a: 1\n');
    fs.writeFileSync(path.join(dir, 'a', 'node_modules', 'y.yaml'), 'a: 1\n');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\n');
    fs.writeFileSync(path.join(dir, 'README.md'), '#\n');
    fs.writeFileSync(path.join(outside, 'secret.yaml'), 'a: 1\n');
    fs.symlinkSync(dir, path.join(dir, 'a', 'loop'));
    fs.symlinkSync(outside, path.join(dir, 'out'));
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'linked.yaml'));
    const got = await walk(dir);
    assert.deepEqual(got, discover(dir));
    assert.deepEqual(got.map((f) => path.relative(dir, f)).sort(), ['a/x.yaml', 'nginx.conf']);
    assert.deepEqual(await walk(path.join(dir, 'gone')), []);
    assert.deepEqual(await walk(dir, { cancelled: () => true }), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});
