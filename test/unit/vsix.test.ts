/**
 * Packages the extension with vsce into a temp dir and checks what the .vsix contains: the
 * bundled client and server, the rule docs, grammars, snippets, package.json and README, and
 * nothing from test/, TypeScript sources, source maps or node_modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.join(__dirname, '..', '..');

/** Entry names from a zip's central directory (no unzip needed). */
export function zipEntries(buf: Buffer): string[] {
  // End Of Central Directory: signature 0x06054b50, within the last 64 KiB + 22 bytes
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(off), 0x02014b50, 'central directory entry');
    const nameLen = buf.readUInt16LE(off + 28);
    const extraLen = buf.readUInt16LE(off + 30);
    const commentLen = buf.readUInt16LE(off + 32);
    names.push(buf.subarray(off + 46, off + 46 + nameLen).toString('utf8'));
    off += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

test('the .vsix holds the bundles and data files, and nothing else', { timeout: 180_000 }, () => {
  for (const f of ['client/out/extension.js', 'server/out/server.js']) {
    if (!fs.existsSync(path.join(root, f))) {
      const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
      assert.equal(b.status, 0, 'build failed');
      break;
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-vsix-'));
  try {
    // vsce matches every file of the tree against every pattern (~20 s on this repo with its
    // node_modules and generated benchmark workspaces), so package a copy without those; a
    // planted node_modules file and the copied test/, src/ and examples/ still prove the exclusions
    const stage = path.join(dir, 'stage');
    const skip = new Set(['node_modules', '.git', 'workspaces', 'results', 'tmp', '.meshlint-cache']);
    fs.cpSync(root, stage, {
      recursive: true,
      filter: (src) => {
        const rel = path.relative(root, src);
        if (!rel) return true;
        const parts = rel.split(path.sep);
        if (parts.some((p) => p === 'node_modules' || p === '.git')) return false;
        if (parts[0] === 'bench' && parts.length > 1 && skip.has(parts[1])) return false;
        return !rel.endsWith('.vsix');
      },
    });
    fs.mkdirSync(path.join(stage, 'node_modules', 'planted'), { recursive: true });
    fs.writeFileSync(path.join(stage, 'node_modules', 'planted', 'index.js'), 'module.exports = 1;\n');
    const out = path.join(dir, 'meshlint.vsix');
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    assert.ok(fs.existsSync(vsce), '@vscode/vsce is not installed (npm install)');
    const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { cwd: stage, encoding: 'utf8', timeout: 170_000 });
    assert.equal(r.status, 0, `vsce package failed:\n${r.stdout}\n${r.stderr}`);
    const names = zipEntries(fs.readFileSync(out)).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
    for (const must of ['package.json', 'client/out/extension.js', 'server/out/server.js', 'syntaxes/nginx.tmLanguage.json', 'syntaxes/nginx-in-yaml.injection.json', 'syntaxes/nginx.language-configuration.json', 'snippets/istio.json', 'snippets/nginx.json']) {
      assert.ok(names.includes(must), `${must} missing from the vsix (has: ${names.join(', ')})`);
    }
    assert.ok(names.some((n) => n.toLowerCase() === 'readme.md'), 'README.md missing');
    const docs = names.filter((n) => /^docs\/rules\/[^/]+\.md$/.test(n));
    const expectedDocs = fs.readdirSync(path.join(root, 'docs', 'rules')).filter((f) => f.endsWith('.md'));
    assert.ok(docs.length > 0 && docs.length === expectedDocs.length, `rule docs: ${docs.length} in the vsix, ${expectedDocs.length} in docs/rules`);
    // every file a contribution points at is packaged
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const referenced = [pkg.main, ...pkg.contributes.grammars.map((g: { path: string }) => g.path), ...pkg.contributes.snippets.map((s: { path: string }) => s.path), ...pkg.contributes.languages.map((l: { configuration?: string }) => l.configuration).filter(Boolean)];
    for (const ref of referenced) assert.ok(names.includes(path.posix.normalize(ref)), `${ref} (referenced by package.json) missing`);
    const bad = names.filter((n) => n.startsWith('test/') || n.includes('node_modules/') || /\.ts$/.test(n) || /\.map$/.test(n) || n.startsWith('bench/') || n.startsWith('examples/') || n.includes('/src/'));
    assert.deepEqual(bad, [], `unexpected files in the vsix`);
    const size = fs.statSync(out).size;
    assert.ok(size < 5 * 1024 * 1024, `vsix is ${size} bytes`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
