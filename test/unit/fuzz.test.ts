/**
 * Fuzzing the analysis core (bounded, seeded, reproducible) and replaying every input that ever
 * failed. A longer campaign: `npm run fuzz -- --seed N --count N` (see test/fuzz/long.ts).
 *
 * MESHLINT_FUZZ_SEED and MESHLINT_FUZZ_COUNT override the defaults below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { campaign, checkInvariants, loadRegressions, ROOT } from '../fuzz/lib';

const SEED = Number(process.env.MESHLINT_FUZZ_SEED ?? 20260701);
const COUNT = Number(process.env.MESHLINT_FUZZ_COUNT ?? 1500);
/** a safety cap on a slow machine; the count is what makes the run reproducible */
const CAP_MS = 60_000;

test('every saved regression input keeps the invariants', (t) => {
  const regs = loadRegressions();
  t.diagnostic(`${regs.length} regression inputs replayed`);
  const bad: string[] = [];
  for (const { file, reg } of regs) {
    const problems = checkInvariants(reg.files, reg.before, { options: reg.options });
    if (problems.length) bad.push(`${file} (first found: ${reg.problem.split('\n')[0]}):\n  ${problems.join('\n  ')}`);
  }
  assert.deepEqual(bad, []);
});

test(`fuzz: ${COUNT} mutated workspaces, seed ${SEED}`, (t) => {
  const res = campaign({ seed: SEED, count: COUNT, timeBudgetMs: CAP_MS, corpusFolders: 40, save: true });
  t.diagnostic(`${res.tried} inputs tried from ${res.seeds} seed workspaces in ${(res.ms / 1000).toFixed(1)} s (slowest ${res.slowestMs.toFixed(0)} ms, largest ${(res.largestInput / 1024).toFixed(0)} KiB)`);
  if (res.tried < COUNT) t.diagnostic(`time cap reached: ${res.tried} of ${COUNT} inputs`);
  const report = res.failures.map(
    (f) => `input ${f.index} from ${f.from} [${f.mutations.join(', ')}]${f.saved ? ` saved as ${path.relative(ROOT, f.saved)}` : ''}:\n  ${f.problems.join('\n  ')}`,
  );
  assert.deepEqual(report, [], `reproduce: npm run fuzz -- --seed ${SEED} --only <index> --no-save`);
});
