/**
 * Edit builders that keep comments and formatting: every fix is a minimal text edit computed from
 * exact ranges, or a new YAML document/file generated from plain data.
 */
import { stringify } from 'yaml';
import type { TextEdit, Fix, SourceFile } from '../types';
import { indentAt, eolOf } from '../text';

export function replace(file: string, start: number, end: number, newText: string): TextEdit {
  return { file, start, end, newText };
}

/** Insert whole lines after the line that contains `offset`; each line gets `indent` prepended. */
export function insertLinesAfter(text: string, file: string, offset: number, lines: string[], indent?: string): TextEdit {
  const eol = eolOf(text);
  let lineEnd = text.indexOf('\n', offset);
  const ind = indent ?? indentAt(text, offset);
  const body = lines.map((l) => ind + l).join(eol);
  if (lineEnd < 0) return { file, start: text.length, end: text.length, newText: eol + body };
  return { file, start: lineEnd + 1, end: lineEnd + 1, newText: body + eol };
}

/** YAML text for a new object; `doubleQuotedAsJSON` keeps the output re-parseable. */
export function yamlText(obj: unknown): string {
  return stringify(obj, { doubleQuotedAsJSON: true, lineWidth: 0 });
}

/** Append a YAML document to a file (with a `---` separator when the file has content). */
export function appendDocument(text: string, file: string, obj: unknown): TextEdit {
  const eol = eolOf(text);
  let body = yamlText(obj).replace(/\n/g, eol);
  const trimmed = text.replace(/\s+$/, '');
  const needsSep = trimmed.length > 0 && !/(^|\n)---\s*$/.test(trimmed);
  const prefix = text.length === 0 ? '' : (text.endsWith('\n') ? '' : eol) + (needsSep ? '---' + eol : '');
  return { file, start: text.length, end: text.length, newText: prefix + body };
}

/** Apply a fix to in-memory files; returns the new file list (creations included). */
export function applyFix(files: SourceFile[], fix: Fix): SourceFile[] {
  const byFile = new Map(files.map((f) => [f.path, f.text]));
  const grouped = new Map<string, TextEdit[]>();
  for (const e of fix.edits) {
    if (!byFile.has(e.file)) throw new Error(`fix edits unknown file ${e.file}`);
    let g = grouped.get(e.file);
    if (!g) grouped.set(e.file, (g = []));
    g.push(e);
  }
  for (const [file, edits] of grouped) byFile.set(file, applyEdits(byFile.get(file)!, edits));
  for (const c of fix.creates ?? []) {
    if (byFile.has(c.file)) throw new Error(`fix would overwrite ${c.file}`);
    byFile.set(c.file, c.text);
  }
  return [...byFile].map(([path, text]) => ({ path, text }));
}

export function applyEdits(text: string, edits: { start: number; end: number; newText: string }[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let prevStart = Infinity;
  for (const e of sorted) {
    if (e.end > prevStart) throw new Error('overlapping edits');
    text = text.slice(0, e.start) + e.newText + text.slice(e.end);
    prevStart = e.start;
  }
  return text;
}
