/**
 * Content fingerprints of findings: stable when lines move (blank lines, edits elsewhere in the file),
 * different when the flagged text changes. Used by baselines and SARIF `partialFingerprints`.
 * A fingerprint hashes the rule, the flagged line's text (whitespace collapsed), the flagged range's text
 * and the occurrence number among findings with that same key in the same file; not the line number and
 * not the path (baselines and SARIF pair it with the file themselves).
 */
import type { Finding } from './types';

export function fingerprints(findings: readonly Finding[], textOf: (file: string) => string | undefined): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const text = textOf(f.file) ?? '';
    const ls = text.lastIndexOf('\n', f.start - 1) + 1;
    let le = text.indexOf('\n', f.start);
    if (le < 0) le = text.length;
    const line = text.slice(ls, le).replace(/\s+/g, ' ').trim();
    const range = text.slice(f.start, Math.min(f.end, f.start + 200));
    const key = `${f.rule}\u0000${line}\u0000${range}`;
    const fileKey = `${f.file}\u0000${key}`;
    const n = seen.get(fileKey) ?? 0;
    seen.set(fileKey, n + 1);
    return hash64(`${key}\u0000${n}`);
  });
}

/** 64-bit FNV-1a over UTF-16 code units, as 16 hex digits (two 32-bit halves with different offsets). */
function hash64(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 13);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
