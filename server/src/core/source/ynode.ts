/**
 * A compact, parser-independent YAML tree with exact source ranges. The core keeps these instead of
 * `yaml` Documents (which cost ~15x the source in memory) and rules read them through the helpers
 * below. Offsets are UTF-16 offsets into the file text.
 */

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

export interface YScalar {
  readonly t: 's';
  v: string | number | boolean | null;
  start: number;
  /** end of the value text (block scalars: end of the last content line) */
  end: number;
  style: ScalarStyle;
}

/**
 * A map entry. Its key is always a scalar (complex keys are read as their source text), and the pair
 * object carries that scalar's fields itself: `p.key` is the pair, seen as a YScalar (one object per
 * entry instead of two; build pairs with `ypair`).
 */
export interface YPair {
  readonly key: YScalar;
  value: YNode | null;
}

export interface YMap {
  readonly t: 'm';
  items: YPair[];
  start: number;
  end: number;
  flow: boolean;
}

export interface YSeq {
  readonly t: 'q';
  items: YNode[];
  start: number;
  end: number;
  flow: boolean;
}

export type YNode = YScalar | YMap | YSeq;

/*
 * The node classes. Trees are most of the core's live heap (hundreds of thousands of nodes per 10 MB
 * of manifests): the type tag lives on the prototype and a pair holds its key's fields, so a scalar is
 * four fields, a pair five and a collection four. Always build nodes with the functions below: an
 * object literal would lack the prototype's `t` (and `{...node}` drops it).
 */
class ScalarNode {
  declare readonly t: 's';
  constructor(
    public v: YScalar['v'],
    public start: number,
    public end: number,
    public style: ScalarStyle,
  ) {}
}
(ScalarNode.prototype as { t: string }).t = 's';

/** A map entry that is its own key scalar (it inherits the tag and the scalar fields). */
class PairNode extends ScalarNode {
  constructor(v: YScalar['v'], start: number, end: number, style: ScalarStyle, public value: YNode | null) {
    super(v, start, end, style);
  }
  get key(): YScalar {
    return this;
  }
}

class MapNode {
  declare readonly t: 'm';
  constructor(
    public items: YPair[],
    public start: number,
    public end: number,
    public flow: boolean,
  ) {}
}
(MapNode.prototype as { t: string }).t = 'm';

class SeqNode {
  declare readonly t: 'q';
  constructor(
    public items: YNode[],
    public start: number,
    public end: number,
    public flow: boolean,
  ) {}
}
(SeqNode.prototype as { t: string }).t = 'q';

export function yscalar(v: YScalar['v'], start: number, end: number, style: ScalarStyle = 'plain'): YScalar {
  return new ScalarNode(v, start, end, style);
}

export function ypair(key: YScalar, value: YNode | null): YPair {
  return new PairNode(key.v, key.start, key.end, key.style, value);
}

export function ymap(items: YPair[], start: number, end: number, flow = false): YMap {
  return new MapNode(items, start, end, flow);
}

export function yseq(items: YNode[], start: number, end: number, flow = false): YSeq {
  return new SeqNode(items, start, end, flow);
}

/** The same node at another range (an alias keeps its own location); children are shared. */
export function withRange(n: YNode, start: number, end: number): YNode {
  if (n.t === 's') return new ScalarNode(n.v, start, end, n.style);
  if (n.t === 'm') return new MapNode(n.items, start, end, n.flow);
  return new SeqNode(n.items, start, end, n.flow);
}

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
  const items = n.items;
  for (let i = 0; i < items.length; i++) {
    const v = (items[i] as PairNode).v; // the key's value (a pair holds its key's fields)
    if (v === key || (typeof v !== 'string' && String(v) === key)) return items[i];
  }
  return undefined;
}

/** Follow a path of map keys and sequence indexes. */
export function get(n: YNode | null | undefined, ...path: (string | number)[]): YNode | undefined {
  return at(n, path);
}

/** `get` over a path array (the helpers below pass their rest array on instead of spreading it again). */
function at(n: YNode | null | undefined, path: readonly (string | number)[]): YNode | undefined {
  let cur: YNode | null | undefined = n;
  for (let i = 0; i < path.length; i++) {
    if (!cur) return undefined;
    const seg = path[i];
    if (typeof seg === 'number') {
      if (cur.t !== 'q') return undefined;
      cur = cur.items[seg];
    } else {
      const p = pair(cur, seg);
      cur = p === undefined ? undefined : p.value;
    }
  }
  return cur ?? undefined;
}

/** A scalar at the path, as a string (numbers and booleans stringified); undefined when absent or not a scalar. */
export function str(n: YNode | null | undefined, ...path: (string | number)[]): string | undefined {
  const v = at(n, path);
  if (!isScalar(v) || v.v === null) return undefined;
  return String(v.v);
}

export function num(n: YNode | null | undefined, ...path: (string | number)[]): number | undefined {
  const v = at(n, path);
  if (!isScalar(v)) return undefined;
  if (typeof v.v === 'number') return v.v;
  if (typeof v.v === 'string' && /^\d+$/.test(v.v)) return Number(v.v);
  return undefined;
}

export function seq(n: YNode | null | undefined, ...path: (string | number)[]): YNode[] {
  const v = at(n, path);
  return isSeq(v) ? v.items : [];
}

export function mapEntries(n: YNode | null | undefined, ...path: (string | number)[]): YPair[] {
  const v = at(n, path);
  return isMap(v) ? v.items : [];
}

/** A string map (labels, annotations, selectors). Non-scalar values are ignored. */
export function strMap(n: YNode | null | undefined, ...path: (string | number)[]): Record<string, string> {
  const out: Record<string, string> = {};
  const m = at(n, path);
  if (!isMap(m)) return out;
  for (const p of m.items) {
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
