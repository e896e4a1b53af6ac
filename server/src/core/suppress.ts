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
  const list = (s ?? '')
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
  // a trailing `-- reason` is allowed, as in ESLint
  const dash = list.indexOf('--');
  const rules = dash >= 0 ? list.slice(0, dash) : list;
  return rules.length ? new Set(rules) : 'all';
}

function has(set: RuleSet, rule: string): boolean {
  return set === 'all' || set.has(rule);
}

export function suppressions(text: string, objects: K8sObject[]): Suppressions {
  const nextLine = new Map<number, RuleSet[]>();
  const ranges: { from: number; to: number; rules: RuleSet }[] = [];
  let index: LineIndex | undefined;
  if (text.includes('meshlint-')) {
    index = new LineIndex(text);
    const open: { from: number; rules: RuleSet }[] = [];
    const re = /#\s*meshlint-(disable-next-line|disable-line|disable|enable)\b([^\n\r]*)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      const line = index.position(m.index).line;
      const rules = parseRules(m[2]);
      if (m[1] === 'disable-next-line') {
        const l = nextLine.get(line + 1) ?? [];
        l.push(rules);
        nextLine.set(line + 1, l);
      } else if (m[1] === 'disable-line') {
        const l = nextLine.get(line) ?? [];
        l.push(rules);
        nextLine.set(line, l);
      } else if (m[1] === 'disable') {
        open.push({ from: line, rules });
      } else {
        for (let i = open.length - 1; i >= 0; i--) {
          const o = open[i];
          if (rules === 'all' || o.rules === 'all' || [...rules].some((r) => (o.rules as Set<string>).has(r))) {
            ranges.push({ from: o.from, to: line, rules: o.rules });
            open.splice(i, 1);
          }
        }
      }
    }
    for (const o of open) ranges.push({ from: o.from, to: Infinity, rules: o.rules });
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
      for (const r of ranges) if (line > r.from && line < r.to && has(r.rules, rule)) return true;
      return false;
    },
  };
}
