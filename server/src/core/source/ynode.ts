/**
 * A compact, parser-independent YAML tree with exact source ranges. The core keeps these instead of
 * `yaml` Documents (which cost ~15x the source in memory) and rules read them through the helpers
 * below. Offsets are UTF-16 offsets into the file text.
 */

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

export interface YScalar {
  t: 's';
  v: string | number | boolean | null;
  start: number;
  /** end of the value text (block scalars: end of the last content line) */
  end: number;
  style: ScalarStyle;
}

export interface YPair {
  key: YScalar;
  value: YNode | null;
}

export interface YMap {
  t: 'm';
  items: YPair[];
  start: number;
  end: number;
  flow: boolean;
}

export interface YSeq {
  t: 'q';
  items: YNode[];
  start: number;
  end: number;
  flow: boolean;
}

export type YNode = YScalar | YMap | YSeq;

export function isMap(n: YNode | null | undefined): n is YMap {
  return !!n && n.t === 'm';
}
export function isSeq(n: YNode | null | undefined): n is YSeq {
  return !!n && n.t === 'q';
}
export function isScalar(n: YNode | null | undefined): n is YScalar {
  return !!n && n.t === 's';
}

/** The pair with this key in a map. */
export function pair(n: YNode | null | undefined, key: string): YPair | undefined {
  if (!isMap(n)) return undefined;
  for (const p of n.items) {
    const v = p.key.v;
    if (v === key || (typeof v !== 'string' && String(v) === key)) return p;
  }
  return undefined;
}

/** Follow a path of map keys and sequence indexes. */
export function get(n: YNode | null | undefined, ...path: (string | number)[]): YNode | undefined {
  let cur: YNode | null | undefined = n;
  for (const seg of path) {
    if (!cur) return undefined;
    if (typeof seg === 'number') {
      if (!isSeq(cur)) return undefined;
      cur = cur.items[seg];
    } else {
      const p = pair(cur, seg);
      cur = p?.value ?? undefined;
    }
  }
  return cur ?? undefined;
}

/** A scalar at the path, as a string (numbers and booleans stringified); undefined when absent or not a scalar. */
export function str(n: YNode | null | undefined, ...path: (string | number)[]): string | undefined {
  const v = get(n, ...path);
  if (!isScalar(v) || v.v === null) return undefined;
  return String(v.v);
}

export function num(n: YNode | null | undefined, ...path: (string | number)[]): number | undefined {
  const v = get(n, ...path);
  if (!isScalar(v)) return undefined;
  if (typeof v.v === 'number') return v.v;
  if (typeof v.v === 'string' && /^\d+$/.test(v.v)) return Number(v.v);
  return undefined;
}

export function seq(n: YNode | null | undefined, ...path: (string | number)[]): YNode[] {
  const v = get(n, ...path);
  return isSeq(v) ? v.items : [];
}

export function mapEntries(n: YNode | null | undefined, ...path: (string | number)[]): YPair[] {
  const v = get(n, ...path);
  return isMap(v) ? v.items : [];
}

/** A string map (labels, annotations, selectors). Non-scalar values are ignored. */
export function strMap(n: YNode | null | undefined, ...path: (string | number)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of mapEntries(n, ...path)) {
    if (isScalar(p.value) && p.value.v !== null) out[String(p.key.v)] = String(p.value.v);
    else if (p.value === null) out[String(p.key.v)] = '';
  }
  return out;
}

/** Plain JS value of a node (bounded: callers only use it on small subtrees). */
export function toJS(n: YNode | null | undefined): unknown {
  if (!n) return null;
  if (n.t === 's') return n.v;
  if (n.t === 'q') return n.items.map(toJS);
  const o: Record<string, unknown> = {};
  for (const p of n.items) o[String(p.key.v)] = toJS(p.value);
  return o;
}
