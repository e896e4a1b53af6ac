/**
 * Baselines: `meshlint check --write-baseline` records today's findings; later runs leave out the ones it
 * holds and report only new ones. Entries pair the file (relative to the baseline's folder, so CI can run
 * from anywhere) with the rule and the content fingerprint (core/fingerprint.ts), so moving lines keeps a
 * finding baselined while editing the flagged text makes it new.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DEFAULT_BASELINE = '.meshlint-baseline.json';

export interface BaselineEntry {
  rule: string;
  file: string;
  fingerprint: string;
  /** for people reading the file; not used for matching */
  message?: string;
}

export interface BaselineFile {
  version: 1;
  tool: 'meshlint';
  findings: BaselineEntry[];
}

export class BaselineError extends Error {}

const key = (e: { rule: string; file: string; fingerprint: string }) => `${e.rule}\u0000${e.file}\u0000${e.fingerprint}`;

export function readBaseline(file: string): Map<string, number> {
  let j: unknown;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BaselineError(`cannot read baseline ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const b = j as Partial<BaselineFile>;
  if (!b || b.tool !== 'meshlint' || b.version !== 1 || !Array.isArray(b.findings)) throw new BaselineError(`${file} is not a meshlint baseline (version 1)`);
  const counts = new Map<string, number>();
  for (const e of b.findings) {
    if (typeof e?.rule !== 'string' || typeof e.file !== 'string' || typeof e.fingerprint !== 'string') throw new BaselineError(`${file}: an entry lacks rule, file or fingerprint`);
    counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
  }
  return counts;
}

export function writeBaseline(file: string, entries: BaselineEntry[]): void {
  const sorted = [...entries].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : a.fingerprint < b.fingerprint ? -1 : 1));
  const out: BaselineFile = { version: 1, tool: 'meshlint', findings: sorted };
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
}

/** Splits findings into new ones and ones the baseline holds (each baseline entry absorbs one finding). */
export function applyBaseline<T extends { rule: string; file: string; fingerprint: string }>(items: T[], counts: Map<string, number>): { fresh: T[]; known: number } {
  const left = new Map(counts);
  const fresh: T[] = [];
  let known = 0;
  for (const it of items) {
    const k = key(it);
    const n = left.get(k) ?? 0;
    if (n > 0) {
      left.set(k, n - 1);
      known++;
    } else fresh.push(it);
  }
  return { fresh, known };
}

/** A display path (relative to the cwd) as the baseline stores it: relative to the baseline's folder. */
export function baselinePath(displayPath: string, baselineFile: string): string {
  if (displayPath.startsWith('<')) return displayPath;
  return path.relative(path.dirname(path.resolve(baselineFile)), path.resolve(displayPath)).split(path.sep).join('/');
}
