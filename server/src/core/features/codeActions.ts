/**
 * Editor-free helpers for code actions: the suppression comment edit and the "fix all" edit set.
 * Offsets are UTF-16 offsets into the file text the findings were computed on.
 */
import type { Finding, Fix, TextEdit } from '../types';
import { eolOf } from '../text';

const NEXT_LINE = /^([ \t]*#\s*meshlint-disable-next-line)([ \t]+[^\r\n]*?)?([ \t]+--[^\r\n]*)?[ \t]*$/;

/**
 * The edit that suppresses `rule` for the line of `offset`: a `# meshlint-disable-next-line <rule>`
 * line above it with the same indentation (valid in YAML, in nginx, and in nginx embedded in a
 * YAML block scalar, where the comment becomes part of the nginx text). When the line above already
 * is such a comment, the rule is added to it instead.
 */
export function suppressionEdit(text: string, file: string, offset: number, rule: string): TextEdit {
  const lineStart = offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, lineStart + 400))![0];
  if (lineStart > 0) {
    const prevEnd = lineStart >= 2 && text[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1;
    const prevStart = prevEnd > 0 ? text.lastIndexOf('\n', prevEnd - 1) + 1 : 0;
    const prev = text.slice(prevStart, prevEnd);
    const m = NEXT_LINE.exec(prev);
    if (m) {
      const rules = (m[2] ?? '').split(/[,\s]+/).filter(Boolean);
      // an empty list already disables every rule on the next line
      if (rules.length === 0 || rules.includes(rule)) return { file, start: prevEnd, end: prevEnd, newText: '' };
      const at = prevStart + m[1].length + (m[2] ?? '').length;
      return { file, start: at, end: at, newText: `, ${rule}` };
    }
  }
  return { file, start: lineStart, end: lineStart, newText: `${indent}# meshlint-disable-next-line ${rule}${eolOf(text)}` };
}

/** The fix a "fix all" applies for a finding: the preferred one, or the only one; never file creations. */
export function autoFix(f: Finding): Fix | undefined {
  const fixes = (f.fixes ?? []).filter((x) => !x.creates?.length && x.edits.length > 0);
  const preferred = fixes.filter((x) => x.preferred);
  if (preferred.length === 1) return preferred[0];
  if (fixes.length === 1 && (f.fixes ?? []).length === 1) return fixes[0];
  return undefined;
}

/**
 * Edits of the auto-fixes of `findings` that touch only `file`, without overlaps (the first fix
 * wins; a later run picks up the rest). Sorted by offset.
 */
export function fixAllEdits(findings: readonly Finding[], file: string): TextEdit[] {
  const taken: TextEdit[] = [];
  const overlaps = (a: TextEdit, b: TextEdit) => a.start < b.end && b.start < a.end || (a.start === b.start && (a.start === a.end || b.start === b.end));
  for (const f of findings) {
    if (f.file !== file) continue;
    const fix = autoFix(f);
    if (!fix || fix.edits.some((e) => e.file !== file)) continue;
    if (fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
    taken.push(...fix.edits);
  }
  return taken.sort((a, b) => a.start - b.start || a.end - b.end);
}
