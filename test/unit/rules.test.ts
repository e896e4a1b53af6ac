/**
 * Rule fixtures: test/fixtures/rules/<rule-id>/<case>/ is a small workspace.
 *  - `fires-*`  must produce the rule (expect.json may pin count, severity, text at the range, messages, fix titles)
 *  - `quiet-*`  must not produce the rule
 * For every finding in a fires case, every fix is applied; re-analysis must drop that finding,
 * keep YAML parseable with no fewer documents, and keep edited nginx valid for `nginx -t`.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDir, apply, ROOT } from '../helpers/workspace';
import { nginxAvailable, nginxTest } from '../helpers/nginx-oracle';
import { Workspace } from '../../server/src/core/engine';
import { RULES } from '../../server/src/core/rules/registry';
import { parseEmbeddedNginx, decodeYamlScalar } from '../../server/src/core/source/nginx/embedded';
import { parseAllDocuments } from 'yaml';
import type { SourceFile, Finding } from '../../server/src/core/types';

const FIXTURES = path.join(ROOT, 'test/fixtures/rules');

interface Expect {
  count?: number;
  severity?: string;
  /** text of the finding's range, for each finding in order */
  texts?: string[];
  messageIncludes?: string[];
  fixes?: string[];
  options?: Record<string, unknown>;
}

function analyzeFiles(files: SourceFile[], options?: Record<string, unknown>) {
  const ws = new Workspace(options ?? {});
  for (const f of files) ws.set(f);
  const r = ws.analyze();
  assert.deepEqual(r.ruleErrors, [], 'a rule crashed');
  return { ws, r };
}

/** nginx texts in a file: the file itself, or nginx embedded in ConfigMap data values. */
function nginxTexts(f: SourceFile): string[] {
  if (!/\.ya?ml$/.test(f.path)) return /\.conf(\.template)?$|nginx/.test(f.path) ? [f.text] : [];
  const out: string[] = [];
  for (const d of parseAllDocuments(f.text, { uniqueKeys: false }) as any[]) {
    const data = d.contents?.get?.('data', true);
    if (d.contents?.get?.('kind') !== 'ConfigMap' || !data?.items) continue;
    for (const p of data.items) {
      const key = String(p.key?.value ?? '');
      if (!/\.conf$/.test(key) || !p.value?.range) continue;
      const dec = decodeYamlScalar(f.text, p.value.range[0], p.value.range[1]);
      if (dec && parseEmbeddedNginx(f.text, p.value.range[0], p.value.range[1])) out.push(dec.text);
    }
  }
  return out;
}

const ruleDirs = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory()) : [];

test('every rule has a docs page, a fixture that fires and one that stays quiet', () => {
  for (const r of RULES) {
    assert.ok(fs.existsSync(path.join(ROOT, 'docs/rules', `${r.id}.md`)), `docs/rules/${r.id}.md missing`);
    const dir = path.join(FIXTURES, r.id);
    const cases = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    assert.ok(cases.some((c) => c.startsWith('fires')), `${r.id}: no fires-* fixture`);
    assert.ok(cases.some((c) => c.startsWith('quiet')), `${r.id}: no quiet-* fixture`);
  }
});

for (const rule of ruleDirs) {
  describe(`rule ${rule}`, () => {
    const cases = fs.readdirSync(path.join(FIXTURES, rule)).sort();
    for (const c of cases) {
      const dir = path.join(FIXTURES, rule, c);
      const expectFile = path.join(dir, 'expect.json');
      const exp: Expect = fs.existsSync(expectFile) ? JSON.parse(fs.readFileSync(expectFile, 'utf8')) : {};
      if (c.startsWith('quiet')) {
        test(`${c} stays quiet`, () => {
          const files = loadDir(dir);
          const { r } = analyzeFiles(files, exp.options);
          const hits = r.findings.filter((f) => f.rule === rule);
          assert.deepEqual(hits.map((f) => `${f.file}: ${f.message}`), [], `${rule} fired on a quiet fixture`);
        });
        continue;
      }
      if (!c.startsWith('fires')) continue;
      test(`${c} fires`, () => {
        const files = loadDir(dir);
        const { r } = analyzeFiles(files, exp.options);
        const hits = r.findings.filter((f) => f.rule === rule);
        assert.ok(hits.length > 0, `${rule} did not fire`);
        if (exp.count !== undefined) assert.equal(hits.length, exp.count, 'finding count');
        if (exp.severity) for (const h of hits) assert.equal(h.severity, exp.severity);
        if (exp.texts) {
          assert.deepEqual(
            hits.map((h) => files.find((f) => f.path === h.file)!.text.slice(h.start, h.end)),
            exp.texts,
            'text at the finding ranges',
          );
        }
        for (const m of exp.messageIncludes ?? []) assert.ok(hits.some((h) => h.message.includes(m)), `no message includes "${m}": ${hits.map((h) => h.message).join(' / ')}`);
        if (exp.fixes) assert.deepEqual([...new Set(hits.flatMap((h) => (h.fixes ?? []).map((f) => f.title)))].sort(), [...exp.fixes].sort(), 'fix titles');
        for (const h of hits) {
          assert.ok(h.end >= h.start && h.end <= files.find((f) => f.path === h.file)!.text.length, 'range inside the file');
        }
      });
      test(`${c} fixes repair the files`, (t) => {
        const files = loadDir(dir);
        const before = analyzeFiles(files, exp.options);
        const hits = before.r.findings.filter((f) => f.rule === rule);
        let applied = 0;
        for (const h of hits) {
          for (const fix of h.fixes ?? []) {
            applied++;
            const after = apply(files, fix);
            const res = analyzeFiles(after, exp.options);
            const remaining = res.r.findings.filter((f) => f.rule === rule);
            assert.ok(!remaining.some((f) => sameFinding(f, h, fix.edits.length === 0)), `fix "${fix.title}" left the finding: ${h.message}`);
            assert.ok(remaining.length < hits.length, `fix "${fix.title}" did not reduce ${rule} findings (${hits.length} -> ${remaining.length})`);
            const syntax = res.r.findings.filter((f) => f.rule === 'yaml-syntax' || f.rule === 'nginx-syntax');
            assert.deepEqual(syntax.map((f) => `${f.file}: ${f.message}`), [], `fix "${fix.title}" broke syntax`);
            const touched = new Set([...fix.edits.map((e) => e.file), ...(fix.creates ?? []).map((x) => x.file)]);
            for (const f of after) {
              if (!touched.has(f.path)) continue;
              if (/\.ya?ml$/.test(f.path)) {
                const docs = parseAllDocuments(f.text) as any[];
                for (const d of docs) assert.deepEqual(d.errors.map((e: Error) => e.message), [], `${f.path} does not parse after "${fix.title}"`);
                assert.ok(docs.length >= before.ws.documents(f.path), `${f.path} lost documents after "${fix.title}"`);
              }
              if (nginxAvailable()) {
                const orig = files.find((x) => x.path === f.path);
                const origTexts = orig ? nginxTexts(orig) : [];
                nginxTexts(f).forEach((conf, i) => {
                  if (origTexts[i] !== undefined && nginxTest(origTexts[i]) !== null) return; // was not valid before
                  const err = nginxTest(conf);
                  assert.equal(err, null, `nginx -t fails after "${fix.title}" on ${f.path}:\n${conf}`);
                });
              } else if (nginxTexts(f).length) {
                assert.fail('nginx is not installed: the nginx -t oracle cannot check this fix (apt-get install nginx; .ci/run installs it)');
              }
            }
          }
        }
        if (applied === 0) t.diagnostic('no fixes offered in this case');
      });
    }
  });
}

function sameFinding(a: Finding, b: Finding, sameRangeOnly: boolean): boolean {
  if (sameRangeOnly) return a.file === b.file && a.start === b.start && a.message === b.message;
  return a.file === b.file && a.message === b.message;
}
