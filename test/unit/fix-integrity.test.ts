/**
 * Fix integrity: applying ANY fix offered on any fixture (every rule, every fixture, the story
 * workspaces, the example) and on fuzzed-but-still-valid workspaces never corrupts the files:
 * YAML still parses with the same or more documents, created files parse, and every nginx config
 * (standalone or embedded in a ConfigMap) that passed `nginx -t` before still passes.
 * The nginx oracle is required: without nginx this test fails (CI installs it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyze } from '../../server/src/core/engine';
import { applyFix } from '../../server/src/core/fixes/edits';
import { decodeYamlScalar } from '../../server/src/core/source/nginx/embedded';
import { get } from '../../server/src/core/source/ynode';
import type { SourceFile, Fix, Finding } from '../../server/src/core/types';
import { nginxAvailable, nginxTest } from '../helpers/nginx-oracle';
import { seedWorkspaces, makeInput, ROOT } from '../fuzz/lib';

const FUZZ_SEED = 7;
const FUZZ_VALID_WANTED = 300;

const oracleCache = new Map<string, string | null>();
function oracle(conf: string): string | null {
  let r = oracleCache.get(conf);
  if (r === undefined) oracleCache.set(conf, (r = nginxTest(conf)));
  return r;
}

/** nginx config texts of a workspace, keyed by `file` or `file#key` (embedded in a ConfigMap). */
function nginxTexts(files: SourceFile[]): Map<string, string> {
  const out = new Map<string, string>();
  const r = analyze(files);
  const texts = new Map(files.map((f) => [f.path, f.text.replace(/^\ufeff/, '')]));
  for (const c of r.model.nginx) {
    const text = texts.get(c.file)!;
    if (!c.configMap) {
      out.set(c.file, text);
      continue;
    }
    const v = get(get(c.configMap.root, 'data'), c.key!);
    const dec = v && decodeYamlScalar(text, v.start, v.end);
    if (dec) out.set(`${c.file}#${c.key}`, dec.text);
  }
  return out;
}

function yamlShape(text: string): { docs: number; errors: string[] } {
  const docs = parseAllDocuments(text, { uniqueKeys: false }) as unknown as { errors: { message: string }[] }[];
  const list = Array.isArray(docs) ? docs : [];
  return { docs: list.length, errors: list.flatMap((d) => d.errors.map((e) => e.message.split('\n')[0])) };
}

interface Stats {
  workspaces: number;
  fixes: number;
  nginxChecked: number;
}

/** Applies every fix of every finding; returns the problems found. */
function checkAllFixes(name: string, files: SourceFile[], stats: Stats): string[] {
  const problems: string[] = [];
  const before = analyze(files);
  const withFixes = before.findings.filter((f) => f.fixes?.length);
  if (!withFixes.length) return problems;
  stats.workspaces++;
  const ngBefore = nginxTexts(files);
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  for (const finding of withFixes) {
    for (const fix of finding.fixes!) {
      stats.fixes++;
      const where = `${name}: ${finding.rule} "${fix.title}" (${finding.file})`;
      let after: SourceFile[];
      try {
        after = applyFix(files, fix);
      } catch (e) {
        problems.push(`${where}: does not apply: ${(e as Error).message}`);
        continue;
      }
      problems.push(...checkFixed(where, files, byPath, after, fix, finding, ngBefore, stats));
    }
  }
  return problems;
}

function checkFixed(where: string, files: SourceFile[], byPath: Map<string, string>, after: SourceFile[], fix: Fix, finding: Finding, ngBefore: Map<string, string>, stats: Stats): string[] {
  const problems: string[] = [];
  const touched = new Set([...fix.edits.map((e) => e.file), ...(fix.creates ?? []).map((c) => c.file)]);
  if (!touched.size) problems.push(`${where}: a fix with no edits and no new files`);
  for (const f of after) {
    if (!touched.has(f.path) || !/\.ya?ml$/i.test(f.path)) continue;
    const now = yamlShape(f.text);
    const old = byPath.has(f.path) ? yamlShape(byPath.get(f.path)!) : { docs: 0, errors: [] };
    if (old.errors.length === 0 && now.errors.length) problems.push(`${where}: ${f.path} no longer parses: ${now.errors[0]}`);
    if (now.docs < old.docs) problems.push(`${where}: ${f.path} went from ${old.docs} to ${now.docs} YAML documents`);
  }
  const res = analyze(after);
  if (res.ruleErrors.length) problems.push(`${where}: a rule crashed after the fix: ${res.ruleErrors[0].rule}`);
  const ngAfter = nginxTexts(after);
  for (const [k, conf] of ngAfter) {
    const file = k.split('#')[0];
    if (!touched.has(file)) continue;
    const prev = ngBefore.get(k);
    if (prev === conf) continue;
    if (prev !== undefined && oracle(prev) !== null) continue; // was not valid before
    stats.nginxChecked++;
    const err = oracle(conf);
    if (err !== null) problems.push(`${where}: nginx -t fails on ${k} after the fix:\n${err}`);
  }
  void files;
  void finding;
  return problems;
}

function fixtureWorkspaces(): { name: string; files: SourceFile[] }[] {
  // every rule fixture case, every story, the example (the fuzzer's seed list, without the corpus)
  return seedWorkspaces({ corpusFolders: 0 }).filter((w) => w.name !== 'nginx-parser');
}

test('the nginx -t oracle is available (apt-get install nginx; CI installs it)', () => {
  assert.ok(nginxAvailable(), 'nginx is not installed: fix integrity cannot be checked');
  assert.equal(nginxTest('server { listen 8080; location / { return 200; } }'), null);
  assert.notEqual(nginxTest('server { listen 8080; location / { return 200; }'), null);
});

test('every fix offered on every fixture keeps YAML and nginx valid', (t) => {
  assert.ok(nginxAvailable(), 'nginx is not installed');
  const stats: Stats = { workspaces: 0, fixes: 0, nginxChecked: 0 };
  const problems: string[] = [];
  const all = fixtureWorkspaces();
  for (const w of all) problems.push(...checkAllFixes(w.name, w.files, stats));
  // the e2e workspace is a fixture too
  const e2e = path.join(ROOT, 'test/e2e/workspace');
  if (fs.existsSync(e2e)) problems.push(...checkAllFixes('e2e/workspace', seedLike(e2e), stats));
  t.diagnostic(`${stats.fixes} fixes applied in ${stats.workspaces} of ${all.length + 1} fixture workspaces; ${stats.nginxChecked} edited nginx configs passed nginx -t`);
  assert.ok(stats.fixes > 10, 'fixes were offered and applied');
  assert.deepEqual(problems, []);
});

test(`every fix on fuzzed-but-still-valid workspaces keeps YAML and nginx valid (seed ${FUZZ_SEED})`, (t) => {
  assert.ok(nginxAvailable(), 'nginx is not installed');
  const seeds = seedWorkspaces({ corpusFolders: 0 }).filter((w) => w.name !== 'nginx-parser');
  const stats: Stats = { workspaces: 0, fixes: 0, nginxChecked: 0 };
  const problems: string[] = [];
  let tried = 0;
  let valid = 0;
  const t0 = performance.now();
  for (let i = 0; valid < FUZZ_VALID_WANTED && i < 20_000 && performance.now() - t0 < 30_000; i++) {
    const input = makeInput(seeds, FUZZ_SEED, i);
    // the core's offsets are into the text after a leading BOM (an editor's document has none); the fuzzer
    // may stack several BOMs, and the core strips one, so strip them all here
    input.files = input.files.map((f) => ({ path: f.path, text: f.text.replace(/^\ufeff+/, '') }));
    tried++;
    const r = analyze(input.files);
    // still valid: nothing about the input itself, and something to fix
    if (r.findings.some((f) => /^(yaml-syntax|nginx-syntax|template-skipped|file-skipped|internal-error)$/.test(f.rule))) continue;
    if (!r.findings.some((f) => f.fixes?.length)) continue;
    valid++;
    problems.push(...checkAllFixes(`fuzz #${i} (${input.from}; ${input.mutations.join(', ')})`, input.files, stats));
  }
  t.diagnostic(`${tried} fuzzed workspaces, ${valid} still valid with fixes; ${stats.fixes} fixes applied, ${stats.nginxChecked} edited nginx configs passed nginx -t`);
  assert.ok(valid >= 20, `only ${valid} valid fuzzed workspaces with fixes`);
  assert.deepEqual(problems, []);
});

function seedLike(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ya?ml|conf)$/.test(e.name)) out.push({ path: path.relative(dir, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}
