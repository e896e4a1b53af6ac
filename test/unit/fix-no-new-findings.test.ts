/**
 * A quick fix must never create a new breakage: applying any fix offered on any fixture workspace
 * (every rule fixture, every story, the example, the real-editor workspace) must not make a finding of
 * ANOTHER rule appear. Findings are matched by rule, file, severity and message (ranges move with the
 * edit); a finding whose message changed (e.g. it now lists one more caller) matches an unmatched one of
 * the same rule, file and severity. Input findings (syntax, templates) count too; hints do not (they are
 * advice, e.g. "a DestinationRule would make mTLS explicit", never a problem). A fix may knowingly bring a
 * latent problem to light only when it lists the rule in `reveals` AND its title warns ("(then ...)").
 * The fixed rule itself is checked by rules.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/engine';
import { applyFix } from '../../server/src/core/fixes/edits';
import type { SourceFile, Finding, AnalysisOptions } from '../../server/src/core/types';
import { loadDir, ROOT } from '../helpers/workspace';

const key = (f: Finding) => `${f.rule} | ${f.severity} | ${f.file} | ${f.message}`;
const loose = (f: Finding) => `${f.rule} | ${f.severity} | ${f.file}`;

/** Findings (information and above) of `after` that match none of `before` (exactly, else loosely). */
export function created(before: Finding[], after: Finding[]): Finding[] {
  const count = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);
  const exact = new Map<string, number>();
  for (const f of before) count(exact, key(f), 1);
  const unmatched: Finding[] = [];
  for (const f of after) {
    if (f.severity === 'hint') continue;
    if ((exact.get(key(f)) ?? 0) > 0) count(exact, key(f), -1);
    else unmatched.push(f);
  }
  const rest = new Map<string, number>();
  for (const f of before) if ((exact.get(key(f)) ?? 0) > 0) {
    count(exact, key(f), -1);
    count(rest, loose(f), 1);
  }
  return unmatched.filter((f) => {
    if ((rest.get(loose(f)) ?? 0) > 0) return void count(rest, loose(f), -1), false;
    return true;
  });
}

/** Every fixture workspace: rule fixtures (fires and quiet), stories, the example, the e2e workspace. */
function workspaces(): { name: string; dir: string; options?: AnalysisOptions }[] {
  const out: { name: string; dir: string; options?: AnalysisOptions }[] = [];
  const rules = path.join(ROOT, 'test/fixtures/rules');
  for (const r of fs.readdirSync(rules).sort()) {
    for (const c of fs.readdirSync(path.join(rules, r)).sort()) {
      const dir = path.join(rules, r, c);
      if (!fs.statSync(dir).isDirectory()) continue;
      const exp = path.join(dir, 'expect.json');
      const options = fs.existsSync(exp) ? (JSON.parse(fs.readFileSync(exp, 'utf8')).options as AnalysisOptions | undefined) : undefined;
      out.push({ name: `rules/${r}/${c}`, dir, options });
    }
  }
  for (const base of ['test/fixtures/stories', 'test/fixtures/regressions']) {
    const d = path.join(ROOT, base);
    if (!fs.existsSync(d)) continue;
    for (const s of fs.readdirSync(d).sort()) if (fs.statSync(path.join(d, s)).isDirectory()) out.push({ name: `${path.basename(base)}/${s}`, dir: path.join(d, s) });
  }
  const ex = path.join(ROOT, 'examples');
  for (const s of fs.readdirSync(ex).sort()) if (fs.statSync(path.join(ex, s)).isDirectory()) out.push({ name: `examples/${s}`, dir: path.join(ex, s) });
  for (const w of ['test/e2e/workspace', 'test/e2e/ambient-example']) if (fs.existsSync(path.join(ROOT, w))) out.push({ name: w, dir: path.join(ROOT, w) });
  return out;
}

function onlyManifests(files: SourceFile[]): SourceFile[] {
  return files.filter((f) => /\.(ya?ml|conf|nginx|template)$/i.test(f.path) || /nginx/i.test(f.path));
}

test('no quick fix on any fixture introduces a finding of another rule', (t) => {
  const problems: string[] = [];
  let fixes = 0;
  let spaces = 0;
  let revealed = 0;
  for (const w of workspaces()) {
    const files = onlyManifests(loadDir(w.dir));
    const before = analyze(files, w.options);
    const withFixes = before.findings.filter((f) => f.fixes?.length);
    if (!withFixes.length) continue;
    spaces++;
    for (const finding of withFixes) {
      for (const fix of finding.fixes!) {
        fixes++;
        const after = analyze(applyFix(files, fix), w.options);
        for (const c of created(before.findings, after.findings)) {
          if (c.rule === finding.rule) continue;
          if (fix.reveals?.includes(c.rule)) {
            revealed++;
            if (!/\(then\b/.test(fix.title)) problems.push(`${w.name}: ${finding.rule} fix "${fix.title}" reveals ${c.rule} but its title does not warn "(then ...)"`);
            continue;
          }
          problems.push(`${w.name}: ${finding.rule} fix "${fix.title}" creates ${c.severity} ${c.rule} in ${c.file}: ${c.message}`);
        }
      }
    }
  }
  t.diagnostic(`${fixes} fixes applied in ${spaces} fixture workspaces; ${revealed} findings knowingly revealed (title warns)`);
  assert.ok(fixes > 20, `fixes were offered and applied (${fixes})`);
  assert.deepEqual(problems, []);
});
