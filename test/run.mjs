#!/usr/bin/env node
// Runs the test suites with node's built-in test runner (TypeScript through tsx).
// Usage: node test/run.mjs [unit|lsp|e2e|all]  (default: all = unit + lsp + e2e)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const which = process.argv[2] ?? 'all';

function find(dir, out = []) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e);
    if (e === 'node_modules' || e === 'fixtures' || e === 'harness') continue;
    if (statSync(p).isDirectory()) find(p, out);
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const groups = { unit: ['test/unit'], lsp: ['test/lsp'] };
const dirs = which === 'all' ? [...groups.unit, ...groups.lsp] : groups[which] ?? [which];
const files = dirs.flatMap((d) => find(join(root, d)));
if (files.length === 0) {
  console.error(`no test files found for ${which}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
});
let code = r.status ?? 1;
if (which === 'all' && code === 0 && !process.env.MESHLINT_SKIP_E2E) {
  // the real-editor suite prints its own closing line and fails loudly when it cannot start
  const e2e = join(root, 'test/e2e/run.mjs');
  try {
    statSync(e2e);
    const r2 = spawnSync(process.execPath, [e2e], { stdio: 'inherit', cwd: root });
    code = r2.status ?? 1;
  } catch {
    /* no e2e suite yet */
  }
}
process.exit(code);
