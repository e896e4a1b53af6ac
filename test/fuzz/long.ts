/**
 * A longer fuzz campaign than the one in `npm test`:
 *   npm run fuzz -- [--seed N] [--count N] [--minutes M] [--corpus-folders N] [--only I] [--no-save]
 * Without --seed a random seed is chosen and printed. Failing inputs are shrunk and saved to
 * test/fixtures/regressions/ (commit them: the regression test replays every file there).
 */
import * as path from 'node:path';
import { campaign, ROOT } from './lib';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

const seed = arg('seed') !== undefined ? Number(arg('seed')) : (Date.now() ^ (process.pid << 8)) >>> 0;
const count = arg('count') !== undefined ? Number(arg('count')) : 20000;
const minutes = arg('minutes') !== undefined ? Number(arg('minutes')) : 10;
const only = arg('only') !== undefined ? Number(arg('only')) : undefined;
const corpusFolders = arg('corpus-folders') !== undefined ? Number(arg('corpus-folders')) : 400;

console.log(`meshlint fuzz: seed ${seed}, up to ${count} inputs or ${minutes} min, ${corpusFolders} corpus folders`);
const res = campaign({
  seed,
  count,
  only,
  corpusFolders,
  timeBudgetMs: minutes * 60_000,
  save: !process.argv.includes('--no-save'),
  log: (s) => console.log(s),
});
const heap = process.memoryUsage();
console.log(
  `\n${res.tried} inputs from ${res.seeds} seed workspaces in ${(res.ms / 1000).toFixed(1)} s; ` +
    `slowest ${res.slowestMs.toFixed(0)} ms, largest ${(res.largestInput / 1024).toFixed(0)} KiB, rss ${(heap.rss / 1048576).toFixed(0)} MiB; ` +
    `${res.failures.length} failing`,
);
for (const f of res.failures) console.log(`  #${f.index} ${f.from}: ${f.problems[0].split('\n')[0]}${f.saved ? ` -> ${path.relative(ROOT, f.saved)}` : ''}`);
if (res.failures.length) console.log(`reproduce one: npm run fuzz -- --seed ${seed} --only ${res.failures[0].index} --no-save`);
process.exitCode = res.failures.length ? 1 : 0;
