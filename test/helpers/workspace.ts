/** Test helpers: load a fixture folder as SourceFiles, analyse, apply fixes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceFile, Finding, Fix, AnalysisOptions } from '../../server/src/core/types';
import { analyze } from '../../server/src/core/engine';
import { applyFix } from '../../server/src/core/fixes/edits';

export const ROOT = path.resolve(__dirname, '../..');
export const SHARED = path.resolve(ROOT, '../shared');

export function loadDir(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'expect.json' && e.name !== 'README.md') out.push({ path: path.relative(dir, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

export function findingsOf(files: SourceFile[], rule?: string, options?: AnalysisOptions): Finding[] {
  const r = analyze(files, options);
  if (r.ruleErrors.length) throw new Error(`rule crashed: ${r.ruleErrors.map((e) => `${e.rule}: ${e.message}`).join('\n')}`);
  return rule ? r.findings.filter((f) => f.rule === rule) : r.findings;
}

export function apply(files: SourceFile[], fix: Fix): SourceFile[] {
  return applyFix(files, fix);
}

/** 1-based line of an offset in a file. */
export function lineOf(files: SourceFile[], file: string, offset: number): number {
  const t = files.find((f) => f.path === file)?.text ?? '';
  return t.slice(0, offset).split('\n').length;
}
