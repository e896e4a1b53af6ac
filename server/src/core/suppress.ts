/**
 * Suppressions: `# meshlint-disable-next-line <rule>[, <rule>]`, `# meshlint-disable [<rule>...]`
 * until `# meshlint-enable [<rule>...]` (YAML and nginx both use `#` comments), and the object
 * annotation `meshlint.io/ignore: "<rule>,<rule>"` (empty = all rules).
 */
import type { K8sObject } from './source/yaml';
import { LineIndex } from './text';

export const IGNORE_ANNOTATION = 'meshlint.io/ignore';

export interface Suppressions {
  suppressed(rule: string, offset: number): boolean;
}

type RuleSet = Set<string> | 'all';

function parseRules(s: string | undefined): RuleSet {
  // a trailing `-- reason` is allowed, as in ESLint
  const body = (s ?? '').split(/\s--(\s|$)/)[0];
  const rules = body
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter((x) => /^[A-Za-z0-9][\w./-]*$/.test(x));
  return rules.length ? new Set(rules) : 'all';
}

function has(set: RuleSet, rule: string): boolean {
  return set === 'all' || set.has(rule);
}

/**
 * Offsets of `#` characters that start a comment: not inside a single- or double-quoted string on
 * the same line (YAML values, nginx arguments). Block scalars are text to YAML, but the nginx
 * embedded in them uses `#` comments, so a `#` at the start of a line's content always counts.
 */
function commentStarts(text: string): number[] {
  const out: number[] = [];
  let i = text.indexOf('meshlint-');
  while (i >= 0) {
    const hash = text.lastIndexOf('#', i);
    const ls = Math.max(text.lastIndexOf('\n', i - 1), text.lastIndexOf('\r', i - 1)) + 1;
    if (hash >= ls && /^#\s*$/.test(text.slice(hash, i)) && !insideQuotes(text.slice(ls, hash))) out.push(hash);
    i = text.indexOf('meshlint-', i + 9);
  }
  return out;
}

function insideQuotes(before: string): boolean {
  let q: string | undefined;
  for (let k = 0; k < before.length; k++) {
    const c = before[k];
    if (q) {
      if (c === '\\' && q === '"') k++;
      else if (c === q) q = undefined;
    } else if (c === '"' || c === "'") {
      // a quote opens a string only at the start of a token (not in it's or key's)
      if (k === 0 || /[\s:,\[{(]/.test(before[k - 1])) q = c;
    }
  }
  return q !== undefined;
}

export function suppressions(text: string, objects: K8sObject[]): Suppressions {
  const nextLine = new Map<number, RuleSet[]>();
  const ranges: { from: number; to: number; rules: RuleSet; except: Set<string> }[] = [];
  let index: LineIndex | undefined;
  if (text.includes('meshlint-')) {
    index = new LineIndex(text);
    const open: { from: number; rules: RuleSet; except: Set<string> }[] = [];
    const re = /^#\s*meshlint-(disable-next-line|disable-line|disable|enable)(?![\w-])([^\n\r]*)/;
    for (const at of commentStarts(text)) {
      const m = re.exec(text.slice(at, text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at)));
      if (!m) continue;
      const line = index.position(at).line;
      const rules = parseRules(m[2]);
      if (m[1] === 'disable-next-line' || m[1] === 'disable-line') {
        const target = m[1] === 'disable-line' ? line : line + 1;
        const l = nextLine.get(target) ?? [];
        l.push(rules);
        nextLine.set(target, l);
      } else if (m[1] === 'disable') {
        open.push({ from: line, rules, except: new Set() });
      } else {
        // enable: close what it names; a partial enable re-opens the rest from this line
        for (let i = open.length - 1; i >= 0; i--) {
          const o = open[i];
          if (rules === 'all') {
            ranges.push({ ...o, to: line });
            open.splice(i, 1);
            continue;
          }
          const hit = [...rules].some((r) => has(o.rules, r) && !o.except.has(r));
          if (!hit) continue;
          ranges.push({ ...o, to: line });
          if (o.rules === 'all') open[i] = { from: line, rules: 'all', except: new Set([...o.except, ...rules]) };
          else {
            const rest = new Set([...o.rules].filter((r) => !rules.has(r)));
            if (rest.size) open[i] = { from: line, rules: rest, except: o.except };
            else open.splice(i, 1);
          }
        }
      }
    }
    for (const o of open) ranges.push({ ...o, to: Infinity });
  }
  const objRanges: { start: number; end: number; rules: RuleSet }[] = [];
  for (const o of objects) {
    if (!(IGNORE_ANNOTATION in o.annotations)) continue;
    objRanges.push({ start: o.root.start, end: o.root.end, rules: parseRules(o.annotations[IGNORE_ANNOTATION]) });
  }
  return {
    suppressed(rule, offset) {
      for (const r of objRanges) if (offset >= r.start && offset <= r.end && has(r.rules, rule)) return true;
      if (!index) return false;
      const line = index.position(offset).line;
      for (const s of nextLine.get(line) ?? []) if (has(s, rule)) return true;
      for (const r of ranges) if (line > r.from && line < r.to && has(r.rules, rule) && !r.except.has(rule)) return true;
      return false;
    },
  };
}
