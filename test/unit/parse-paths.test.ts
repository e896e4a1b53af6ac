/**
 * The fast YAML reader (server/src/core/source/yaml-fast.ts) must give exactly the tree that the
 * `yaml` package's conversion gives, for every document it accepts: same values, styles and
 * ranges. Checked on every YAML file of the shared corpus, the rule fixtures, the examples and a
 * generated 10 MB bench workspace; and whole-file results (objects + findings) must not depend on
 * the path taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitDocuments, yamlChunkRoot, parseYaml, useFastYaml, readerStats } from '../../server/src/core/source/yaml';
import { fastParseDocument } from '../../server/src/core/source/yaml-fast';
import { stripBom } from '../../server/src/core/source/files';
import { analyze } from '../../server/src/core/engine';
import type { SourceFile } from '../../server/src/core/types';
import { ensure, workspaceDir, generate } from '../../bench/generate';
import { restyle } from '../../bench/restyle';
import { rng } from '../helpers/prng';

const ROOT = path.resolve(__dirname, '../..');
const CORPUS = '/work/shared/corpus';

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return out;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== '.git') walk(p);
      } else if (/\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

interface Tally {
  files: number;
  docs: number;
  fast: number;
}

/** Every chunk the fast reader accepts must equal yaml's conversion. */
function compareFile(file: string, tally: Tally, content?: string): void {
  const text = content ?? stripBom(fs.readFileSync(file, 'utf8'));
  tally.files++;
  for (const c of splitDocuments(text)) {
    tally.docs++;
    const fast = fastParseDocument(text, c.start, c.end);
    if (!fast) continue;
    tally.fast++;
    const exact = yamlChunkRoot(text, c.start, c.end);
    assert.ok(exact !== undefined, `${file}@${c.start}: the fast reader accepted a document yaml rejects`);
    assert.deepStrictEqual(fast, exact, `${file}@${c.start}: trees differ`);
  }
}

function run(name: string, files: string[], minFastShare = 0): void {
  test(`fast YAML reader = yaml conversion: ${name} (${files.length} files)`, () => {
    const tally: Tally = { files: 0, docs: 0, fast: 0 };
    for (const f of files) compareFile(f, tally);
    console.log(`# ${name}: ${tally.fast} of ${tally.docs} documents took the fast path`);
    if (minFastShare) assert.ok(tally.fast >= minFastShare * tally.docs, `only ${tally.fast} of ${tally.docs} documents took the fast path`);
  });
}

for (const sub of fs.existsSync(CORPUS) ? fs.readdirSync(CORPUS).sort() : []) {
  const files = yamlFiles(path.join(CORPUS, sub));
  if (files.length) run(`corpus/${sub}`, files);
}
run('rule fixtures, stories and examples', [...yamlFiles(path.join(ROOT, 'test/fixtures')), ...yamlFiles(path.join(ROOT, 'examples'))]);

// style variants the generator's block style never writes: flow maps and sequences, quoting,
// comments before entries and after values, anchors and aliases (bench/restyle.ts)
test('fast YAML reader = yaml conversion: restyled corpus, fixtures and examples (flow style, quotes, comments, anchors)', () => {
  const files = [...yamlFiles(path.join(CORPUS, 'real')), ...yamlFiles(path.join(CORPUS, 'istio-samples')), ...yamlFiles(path.join(ROOT, 'test/fixtures')), ...yamlFiles(path.join(ROOT, 'examples'))];
  const tally: Tally = { files: 0, docs: 0, fast: 0 };
  let changed = 0;
  files.forEach((f, i) => {
    const orig = stripBom(fs.readFileSync(f, 'utf8'));
    const styled = restyle(orig, 1000 + i, { flow: 0.7, quote: 0.3, comment: 0.1, anchor: 0.3 });
    if (styled !== orig) changed++;
    compareFile(`${f} (restyled)`, tally, styled);
  });
  console.log(`# restyled: ${changed} of ${files.length} files changed; ${tally.fast} of ${tally.docs} documents took the fast path`);
  assert.ok(changed > files.length / 2, `only ${changed} files were restyled`);
});

// comment lines at every indentation between entries: where yaml attaches them decides collection ranges
test('fast YAML reader = yaml conversion: comment lines inserted at random indentation (corpus and fixtures)', () => {
  const files = [...yamlFiles(path.join(CORPUS, 'real')), ...yamlFiles(path.join(ROOT, 'test/fixtures/rules'))];
  const tally: Tally = { files: 0, docs: 0, fast: 0 };
  for (const seed of [4242, 1, 3]) for (const f of files) {
    const r = rng(seed + f.length);
    const lines = stripBom(fs.readFileSync(f, 'utf8')).split('\n');
    const out: string[] = [];
    for (const l of lines) {
      if (r() < 0.08 && !/[|>][-+]?\s*$/.test(out[out.length - 1] ?? '')) out.push(`${' '.repeat(Math.floor(r() * 14))}# note ${out.length}`);
      out.push(l);
    }
    compareFile(`${f} (comments)`, tally, out.join('\n'));
  }
  console.log(`# comments inserted: ${tally.fast} of ${tally.docs} documents took the fast path`);
  assert.ok(tally.fast > tally.docs / 2, `only ${tally.fast} of ${tally.docs} documents took the fast path`);
});

test('fast YAML reader = yaml conversion: generated 10 MB bench workspace (nearly all documents fast)', () => {
  ensure('10');
  const tally: Tally = { files: 0, docs: 0, fast: 0 };
  for (const f of yamlFiles(workspaceDir('10'))) compareFile(f, tally);
  console.log(`# bench 10 MB: ${tally.fast} of ${tally.docs} documents took the fast path`);
  assert.ok(tally.fast >= 0.95 * tally.docs, `only ${tally.fast} of ${tally.docs} documents took the fast path`);
});

test('fast YAML reader = yaml conversion: generated 1 MB style-varied and many-findings bench workspaces', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-paths-'));
  try {
    for (const workload of ['1-styled', '1-findings']) {
      const dir = path.join(tmp, workload);
      generate(workload, dir);
      const tally: Tally = { files: 0, docs: 0, fast: 0 };
      for (const f of yamlFiles(dir)) compareFile(f, tally);
      console.log(`# bench ${workload}: ${tally.fast} of ${tally.docs} documents took the fast path`);
      assert.ok(tally.docs > 500, `${workload}: only ${tally.docs} documents`);
      assert.ok(tally.fast >= 0.95 * tally.docs, `${workload}: only ${tally.fast} of ${tally.docs} documents took the fast path`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('whole-file results (objects, findings) do not depend on the path taken: corpus and fixtures', () => {
  const files = [...yamlFiles(CORPUS), ...yamlFiles(path.join(ROOT, 'test/fixtures')), ...yamlFiles(path.join(ROOT, 'examples'))];
  const strip = (r: ReturnType<typeof parseYaml>) => JSON.stringify(r);
  try {
    for (const f of files) {
      const text = stripBom(fs.readFileSync(f, 'utf8'));
      useFastYaml(true);
      const a = strip(parseYaml(f, text));
      useFastYaml(false);
      const b = strip(parseYaml(f, text));
      assert.equal(a, b, f);
    }
  } finally {
    useFastYaml(true);
  }
});

test('findings on the rule fixtures and the story are identical with and without the fast reader', () => {
  const dirs = [path.join(ROOT, 'test/fixtures/rules'), path.join(ROOT, 'test/fixtures/stories'), path.join(ROOT, 'examples')];
  const load = (dir: string): SourceFile[] => {
    const out: SourceFile[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.push({ path: path.relative(dir, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
      }
    };
    walk(dir);
    return out;
  };
  try {
    for (const root of dirs) {
      if (!fs.existsSync(root)) continue;
      // each fixture folder is its own workspace
      for (const sub of fs.readdirSync(root, { withFileTypes: true })) {
        if (!sub.isDirectory()) continue;
        const files = load(path.join(root, sub.name));
        useFastYaml(true);
        const a = JSON.stringify(analyze(files).findings);
        useFastYaml(false);
        const b = JSON.stringify(analyze(files).findings);
        assert.equal(a, b, `${root}/${sub.name}`);
      }
    }
  } finally {
    useFastYaml(true);
  }
});

test('the fast reader leaves under 1% of the corpus documents to yaml (issue 11 target)', () => {
  const files = yamlFiles(CORPUS);
  assert.ok(files.length > 500, `corpus has ${files.length} YAML files`);
  const before = { ...readerStats };
  for (const f of files) parseYaml(f, stripBom(fs.readFileSync(f, 'utf8')));
  const fast = readerStats.fast - before.fast;
  const fallback = readerStats.fallback - before.fallback;
  const share = fallback / (fast + fallback);
  console.log(`# corpus: ${fallback} of ${fast + fallback} documents fell back to yaml (${(100 * share).toFixed(2)}%)`);
  assert.ok(fast + fallback > 2000, 'documents were read');
  assert.ok(share < 0.01, `${(100 * share).toFixed(2)}% of the corpus documents fell back to yaml`);
});

test('fast YAML reader = yaml conversion: documents indented at the root (taken without comment lines, left to yaml with them)', () => {
  const tally: Tally = { files: 0, docs: 0, fast: 0 };
  const plain = '---\n  apiVersion: v1\n  kind: Service\n  metadata:\n    name: db\n  spec:\n    ports:\n    - name: tcp\n      port: 5432\n---\n    - a\n    - b: c\n';
  compareFile('indented-root.yaml', tally, plain);
  assert.equal(tally.fast, 2, 'both indented documents are read fast');
  const commented = '---\n  # the database\n  apiVersion: v1\n  kind: Service\n# end\n';
  const docs = splitDocuments(commented);
  assert.equal(fastParseDocument(commented, docs[0].start, docs[0].end), undefined, 'comment lines in an indented document go to yaml');
});
