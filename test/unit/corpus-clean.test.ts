/**
 * Findings must be true: every project of the shared corpus's real repositories, the Istio samples and
 * the nginx configs, each analysed as one workspace (as `meshlint check <project>` does), reports no
 * error or warning except those listed, with the reason they are true, in
 * test/fixtures/corpus/defended.json. A new error or warning on real repositories fails this test
 * (a false positive costs more than a missed finding); a defended one that disappears fails it too, so
 * the list stays exact. Information and hints are not checked here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, SHARED } from '../helpers/workspace';
import { Workspace } from '../../server/src/core/engine';
import { discover, readText } from '../../server/src/workspace/discover';
import type { SourceFile } from '../../server/src/core/types';

const CORPUS = path.join(SHARED, 'corpus');
const DEFENDED = path.join(ROOT, 'test/fixtures/corpus/defended.json');

interface Defended {
  /** `<project>/<file>:<line> <severity> <rule>` */
  finding: string;
  why: string;
}

function projects(): string[] {
  const out: string[] = [];
  for (const group of ['real', 'nginx']) {
    const g = path.join(CORPUS, group);
    for (const p of fs.readdirSync(g).sort()) if (fs.statSync(path.join(g, p)).isDirectory()) out.push(path.join(g, p));
  }
  out.push(path.join(CORPUS, 'istio-samples'));
  return out;
}

function load(dir: string): SourceFile[] {
  const files: SourceFile[] = [];
  for (const abs of discover(dir)) {
    const t = readText(abs);
    if (t) files.push({ path: path.relative(dir, abs).split(path.sep).join('/'), text: t.text, size: t.size });
  }
  return files;
}

test('the real repositories, samples and nginx configs of the shared corpus report only defended errors and warnings', { skip: !fs.existsSync(CORPUS) && 'no shared corpus' }, (t) => {
  const defended: Defended[] = JSON.parse(fs.readFileSync(DEFENDED, 'utf8'));
  const got: string[] = [];
  let files = 0;
  for (const dir of projects()) {
    const ws = load(dir);
    files += ws.length;
    const w = new Workspace({});
    for (const f of ws) w.set(f);
    const r = w.analyze();
    assert.deepEqual(r.ruleErrors, [], `a rule crashed on ${dir}`);
    const name = path.relative(CORPUS, dir);
    for (const f of r.findings) {
      if (f.severity !== 'error' && f.severity !== 'warning') continue;
      const text = ws.find((x) => x.path === f.file)!.text;
      const line = text.slice(0, f.start).split('\n').length;
      got.push(`${name}/${f.file}:${line} ${f.severity} ${f.rule}`);
    }
  }
  t.diagnostic(`${files} files in ${projects().length} projects; ${got.length} errors and warnings, all defended`);
  assert.ok(files > 2000, `the corpus is there (${files} files)`);
  const want = defended.map((d) => d.finding);
  const undefended = got.filter((g) => !want.includes(g));
  const gone = want.filter((w) => !got.includes(w));
  assert.deepEqual(undefended, [], 'errors/warnings on the real corpus that nobody defended (a false positive, or add it with the reason it is true)');
  assert.deepEqual(gone, [], 'defended findings that no longer appear (update test/fixtures/corpus/defended.json)');
  for (const d of defended) assert.ok(d.why.length > 20, `${d.finding}: say why it is true`);
});
