/**
 * A fast, line-based reader for the block-style YAML subset that Kubernetes manifests are written
 * in. It produces exactly the YNode tree (values, styles and ranges) that converting the `yaml`
 * package's Document gives (test/unit/parse-paths.test.ts checks this on the corpus), at a
 * fraction of the cost, and gives up (returns undefined) on anything outside the subset so the
 * caller falls back to `yaml`: flow collections that span lines or hold anything but scalars and nested flow collections,
 * anchors, aliases, tags, directives, complex keys, multi-line plain or quoted scalars, folded or
 * indentation-indicated block scalars, tabs in indentation, CR characters, comments whose
 * attachment decides a collection's end, and anything the `yaml` parser would report as an error.
 */
import { yscalar, ymap, yseq, ypair } from './ynode';
import type { YMap, YNode, YPair, YScalar, YSeq } from './ynode';

class GiveUp extends Error {}
const GIVE_UP = new GiveUp();

const SP = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const NL = 10;

/** Can a plain scalar starting with this character resolve to something other than itself (or make the reader give up)? */
function mayResolve(c: number): boolean {
  return c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || c === 43 || c === DASH || c === 46 || (c >= 48 && c <= 57);
}

/** Core-schema resolution of a plain scalar (yaml 2.x): null, booleans, decimal ints, floats; else a string. */
function resolvePlain(s: string): YScalar['v'] {
  const c = s.charCodeAt(0);
  // fast exit: most values start with a letter that cannot begin a special form
  if (!mayResolve(c)) return s;
  if (s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (c !== 43 && c !== DASH && c !== 46 && !(c >= 48 && c <= 57)) return s; // a word starting with n/t/f/N/T/F
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) {
    const f = parseFloat(s);
    if (!Number.isFinite(f)) throw GIVE_UP;
    return f;
  }
  // octal, hex, .inf/.nan: rare; leave them to the exact parser
  if (/^0o[0-7]+$/.test(s) || /^0x[0-9a-fA-F]+$/.test(s) || /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) throw GIVE_UP;
  return s;
}

/**
 * Keys and short values repeat across thousands of documents (apiVersion, metadata, containerPort;
 * v1, TCP, http, ClusterIP, ISTIO_MUTUAL...): one shared string each instead of a copy per
 * occurrence (V8 copies substrings under 13 characters). Values of up to 24 characters are
 * interned too: on the 50 MB benchmark that cut peak RSS ~10 MB and cold time ~8% against none
 * (fewer bytes to copy through the young generation than the hashing costs).
 */
const INTERN = new Map<string, string>();
function intern(s: string): string {
  if (s.length > 40) return s;
  const hit = INTERN.get(s);
  if (hit !== undefined) return hit;
  if (INTERN.size > 250_000) INTERN.clear();
  INTERN.set(s, s);
  return s;
}

function decodeDouble(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const n = raw[++i];
    switch (n) {
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case '/': out += '/'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case ' ': out += ' '; break;
      default: throw GIVE_UP;
    }
  }
  return out;
}

interface Line {
  /** offset of the first character */
  s: number;
  /** offset of the line break (or chunk end) */
  e: number;
  /** indentation (spaces) */
  ind: number;
  /** 0 blank, 1 comment, 2 content, 3 content after tab indentation */
  k: number;
}

/**
 * Lean reading (source/yaml.ts `leanContainers`, done while reading so the dropped nodes are never
 * built): the map keys from the root to the pod spec, the keys of container lists there, and the
 * container keys whose pairs are left out. Dropped values are still read in full (same give-ups,
 * budget and ranges: a container keeps its range), only no node is kept.
 */
export interface LeanSpec {
  podSpec: readonly string[];
  lists: ReadonlySet<string>;
  drop: ReadonlySet<string>;
}

/** Shared placeholders returned while reading a dropped value (never part of a tree). */
const SUNK_SCALAR: YScalar = yscalar(null, 0, 0, 'plain');
const SUNK_MAP: YMap = ymap([], 0, 0, false);
const SUNK_SEQ: YSeq = yseq([], 0, 0, false);

/**
 * Parse one document chunk [start, end) of text. Returns the root map (or sequence), or undefined when the
 * chunk is outside the subset (the caller then uses `yaml`). Never throws. With `lean`, the tree is
 * the one `yaml.ts` `leanContainers` leaves (test/unit/lean.test.ts, parse-paths.test.ts).
 */
export function fastParseDocument(text: string, start: number, end: number, budget = 400_000, lean?: LeanSpec): YMap | YSeq | undefined {
  try {
    return new Reader(text, start, end, budget, lean).document();
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    return undefined;
  }
}

class Reader {
  private readonly lines: Line[] = [];
  /** index of the current content line */
  private i = 0;
  private nodes = 0;
  /** > 0 while reading a dropped value: nodes are checked but not built */
  private sink = 0;
  /** lean context of the map or sequence being read: -1 none; i < P: a map on the way to the pod spec (P[i] next); P: the pod spec; P+1: a container list; P+2: a container */
  private readonly P: number;

  constructor(private readonly t: string, start: number, private readonly end: number, private readonly budget: number, private readonly lean?: LeanSpec) {
    this.P = lean ? lean.podSpec.length : -1;
    // search this chunk only: indexOf from `start` would scan to the end of the file for every document (quadratic)
    if (t.slice(start, end).includes('\r')) throw GIVE_UP;
    let s = start;
    while (s < end) {
      let e = t.indexOf('\n', s);
      if (e < 0 || e > end) e = end;
      let p = s;
      while (p < e && t.charCodeAt(p) === SP) p++;
      const c = p < e ? t.charCodeAt(p) : -1;
      // a tab where indentation ends is content (k 3): fine inside block scalars, never as structure
      this.lines.push({ s, e, ind: p - s, k: c === -1 ? 0 : c === 9 ? 3 : c === HASH ? 1 : 2 });
      s = e + 1;
    }
  }

  private next(e: number): number {
    return e < this.end ? e + 1 : e;
  }

  /**
   * Skip blank and comment lines from i; returns whether there were comments. Gives up where a
   * comment line may change a range: yaml attaches each comment line to the deepest open collection
   * indented no more than it (deeper ones close before it). When that collection ends here, a comment
   * indented past its column extends it; one at its column extends its parent, when the parent ends
   * here too. A collection the next content line goes on in is not moved.
   */
  private skip(absorb = false): boolean {
    const L = this.lines;
    const first = this.i;
    let deeper = false;
    let comments = false;
    while (this.i < L.length && L[this.i].k < 2) {
      if (L[this.i].k === 1) {
        comments = true;
        this.lastComment = L[this.i].e;
        if (L[this.i].ind > 0) deeper = true;
      }
      this.i++;
    }
    if (this.i < L.length && L[this.i].k === 3) throw GIVE_UP;
    // after an empty value (`key:` then comment lines) yaml gives the run to that empty scalar: the
    // collections around end after the last comment line, whatever its column (the caller uses lastComment)
    if (absorb || !deeper) return comments;
    const nl = this.i < L.length ? L[this.i] : undefined;
    const nextInd = nl ? nl.ind : 0;
    const item = nl ? this.isSeqItem(nl.s + nl.ind, nl.e) : false;
    // the next line goes on in the innermost open collection of its column and kind (a sequence takes
    // another item, a map another key); every collection inside that one ends here
    let goesOn = -1;
    if (nl) for (let k = this.open.length - 1; k >= 0; k--) if (this.open[k] < nextInd || (this.open[k] === nextInd && this.openSeq[k] === item)) {
      goesOn = k;
      break;
    }
    // a run of comments at one column attaches as one; with several columns yaml's attachment depends on
    // the order of the lines (a less indented comment closes deeper collections first): give up then
    let col = -1;
    let mixed = false;
    for (let j = first; j < this.i; j++) {
      if (L[j].k !== 1) continue;
      if (col < 0) col = L[j].ind;
      else if (L[j].ind !== col) mixed = true;
    }
    for (let j = first; j < this.i; j++) {
      if (L[j].k !== 1) continue;
      const ci = L[j].ind;
      // each comment line on its own: a less indented comment does not close what a later line goes on in
      let top = this.open.length - 1;
      while (top >= 0 && this.open[top] > ci) top--;
      if (top <= goesOn) continue;
      // at a collection's column the comment extends its parent (checked against yaml on every corpus file
      // with comments inserted at random columns); elsewhere yaml moves it through the collections as they
      // close (its parser's pop rules, which depend on the value before: a block scalar keeps none): give up
      if (ci !== this.open[top]) throw GIVE_UP;
      const target = top - 1;
      if (target <= goesOn) continue; // that collection goes on: no range changes
      if (mixed) throw GIVE_UP;
      if (L[j].e > this.ext[target]) this.ext[target] = L[j].e;
    }
    return comments;
  }

  document(): YMap | YSeq | undefined {
    const L = this.lines;
    this.skip();
    if (this.i >= L.length) throw GIVE_UP; // empty or comment-only document: let yaml decide
    let l = L[this.i];
    const t = this.t;
    if (l.ind === 0 && t.startsWith('---', l.s)) {
      // the document start marker: only whitespace or a comment may follow
      let p = l.s + 3;
      while (p < l.e && t.charCodeAt(p) === SP) p++;
      if (p < l.e && (t.charCodeAt(p) !== HASH || p === l.s + 3)) throw GIVE_UP;
      this.i++;
      this.skip();
      if (this.i >= L.length) throw GIVE_UP;
      l = L[this.i];
    }
    // an indented root (`  apiVersion: v1` under `---`, as some overlays are written): only without comment
    // lines, whose attachment to the collections would then depend on columns left of the root
    if (l.ind !== 0 && L.some((x) => x.k === 1)) throw GIVE_UP;
    const col = l.ind;
    const at = l.s + col;
    const c = t.charCodeAt(at);
    if (this.isSeqItem(at, l.e)) {
      // a sequence document (a JSON patch, an Ansible playbook): no Kubernetes object, but read it to know it is valid
      const q = this.seq(at, col);
      this.skip();
      if (this.i < L.length) throw GIVE_UP;
      return q.node;
    }
    if (c === DASH || c === 37 /* % */ || t.startsWith('...', at)) throw GIVE_UP;
    const m = this.map(at, col, this.lean ? 0 : -1);
    this.skip();
    if (this.i < L.length) throw GIVE_UP;
    return m.node as YMap;
  }

  private depth = 0;
  /** columns of the block collections being read, outermost first */
  private readonly open: number[] = [];
  /** for each of `open`: a sequence (else a map) */
  private readonly openSeq: boolean[] = [];
  /** end of the last comment line skip() passed */
  private lastComment = 0;
  /** for each of `open`: the end of the last comment line yaml attaches to it as it ends (0: none) */
  private readonly ext: number[] = [];

  private count(): void {
    if (++this.nodes > this.budget) throw GIVE_UP;
  }

  /** deep nesting: yaml.ts has its own limit and message; stay well below it */
  private enter(): void {
    if (++this.depth > 100) throw GIVE_UP;
  }

  /**
   * A block map whose first key starts at offset `at` (column `col`) on line i.
   * Returns the node and its "r2" (node end including a trailing comment and line break).
   */
  private map(at: number, col: number, ctx = -1): { node: YMap; r2: number } {
    this.count();
    this.enter();
    this.open.push(col);
    this.openSeq.push(false);
    this.ext.push(0);
    const L = this.lines;
    const t = this.t;
    const items: YPair[] = [];
    const P = this.P;
    // on the way to the pod spec only the first pair with the key counts (as `get` reads it)
    let pathTaken = false;
    let r1 = at;
    let pos = at;
    for (;;) {
      const l = L[this.i];
      // key
      const key = this.key(pos, l.e);
      let vctx = -1;
      let drop = false;
      if (ctx >= 0 && !this.sink) {
        const kv = key.node.v as string;
        if (ctx < P) {
          if (!pathTaken && kv === this.lean!.podSpec[ctx]) {
            pathTaken = true;
            vctx = ctx + 1;
          }
        } else if (ctx === P) {
          if (this.lean!.lists.has(kv)) vctx = P + 1;
        } else if (ctx === P + 2) drop = this.lean!.drop.has(kv);
      }
      if (drop) this.sink++;
      let p = key.colon + 1;
      while (p < l.e && t.charCodeAt(p) === SP) p++;
      let value: YNode | null;
      let r2: number;
      if (p >= l.e || t.charCodeAt(p) === HASH) {
        const hasComment = p < l.e;
        this.i++;
        const comments = this.skip(true);
        const nl = this.i < L.length ? L[this.i] : undefined;
        if (nl && nl.ind > col) {
          // a comment after `key:` belongs to no node
          const v = this.block(nl, vctx, col);
          value = v.node;
          r2 = v.r2;
        } else if (nl && nl.ind === col && this.isSeqItem(nl.s + nl.ind, nl.e)) {
          // (same)
          const v = this.seq(nl.s + nl.ind, col, vctx);
          value = v.node;
          r2 = v.r2;
        } else {
          // an empty value: its node reaches over the comment on its line and the comment lines after it
          this.count();
          value = this.sink ? SUNK_SCALAR : yscalar(null, p, p, 'plain');
          r2 = comments ? this.lastComment : hasComment ? l.e : p;
        }
      } else {
        const v = this.inlineValue(p, l, col);
        value = v.node;
        r2 = v.r2;
      }
      if (drop) this.sink--;
      else if (!this.sink) items.push(ypair(key.node, value));
      r1 = r2;
      // next entry: a content line at exactly this column
      if (this.i >= L.length) break;
      const nl = L[this.i];
      if (nl.ind < col) break;
      if (nl.ind > col) throw GIVE_UP;
      if (this.isSeqItem(nl.s + nl.ind, nl.e)) break; // a compact sequence ends here (parent decides)
      pos = nl.s + nl.ind;
    }
    this.depth--;
    this.open.pop();
    this.openSeq.pop();
    const x = this.ext.pop()!;
    if (x > r1) r1 = x;
    if (this.sink) return { node: SUNK_MAP, r2: r1 };
    return { node: ymap(items.slice(), at, trimEnd(t, at, r1), false), r2: r1 };
  }

  private isSeqItem(p: number, e: number): boolean {
    return this.t.charCodeAt(p) === DASH && (p + 1 === e || this.t.charCodeAt(p + 1) === SP);
  }

  /** A nested block (map or sequence) starting on content line l. */
  private block(l: Line, ctx = -1, parentCol = -1): { node: YNode; r2: number } {
    const p = l.s + l.ind;
    if (this.isSeqItem(p, l.e)) return this.seq(p, l.ind, ctx);
    const c = this.t.charCodeAt(p);
    if (parentCol >= 0 && (c === 123 || c === 91)) return this.flow(p, l, parentCol); // `spec:\n  {}`
    return this.map(p, l.ind, ctx);
  }

  /** A block sequence whose first `-` is at offset `at` (column `col`) on line i. */
  private seq(at: number, col: number, ctx = -1): { node: YSeq; r2: number } {
    this.count();
    this.enter();
    this.open.push(col);
    this.openSeq.push(true);
    this.ext.push(0);
    const L = this.lines;
    const t = this.t;
    const items: YNode[] = [];
    // items of a container list are containers
    const ictx = ctx >= 0 && ctx === this.P + 1 ? this.P + 2 : -1;
    let r1 = at;
    let pos = at;
    for (;;) {
      const l = L[this.i];
      let p = pos + 1;
      while (p < l.e && t.charCodeAt(p) === SP) p++;
      let r2: number;
      if (p >= l.e || t.charCodeAt(p) === HASH) {
        const hasComment = p < l.e;
        this.i++;
        const comments = this.skip();
        const nl = this.i < L.length ? L[this.i] : undefined;
        if (hasComment && !(nl && nl.ind > col)) throw GIVE_UP; // `- # note` then the item on the next lines: the comment belongs to no node
        if (nl && nl.ind > col) {
          const v = this.block(nl, ictx);
          if (!this.sink) items.push(v.node);
          r2 = v.r2;
        } else {
          if (comments) throw GIVE_UP;
          this.count();
          if (!this.sink) items.push(yscalar(null, p, p, 'plain'));
          r2 = p;
        }
      } else if (this.isSeqItem(p, l.e)) {
        throw GIVE_UP; // `- - x`
      } else if (t.charCodeAt(p) === 123 || t.charCodeAt(p) === 91) {
        const v = this.flow(p, l, col);
        if (!this.sink) items.push(v.node);
        r2 = v.r2;
      } else if (this.looksLikeKey(p, l.e)) {
        // `- key: value`: a map whose column is the key's
        const v = this.map(p, p - l.s, ictx);
        if (!this.sink) items.push(v.node);
        r2 = v.r2;
      } else {
        const v = this.inlineValue(p, l, col);
        if (!this.sink) items.push(v.node);
        r2 = v.r2;
      }
      r1 = r2;
      if (this.i >= L.length) break;
      const nl = L[this.i];
      if (nl.ind !== col || !this.isSeqItem(nl.s + nl.ind, nl.e)) {
        if (nl.ind > col) throw GIVE_UP;
        break;
      }
      pos = nl.s + nl.ind;
    }
    this.depth--;
    this.open.pop();
    this.openSeq.pop();
    const x = this.ext.pop()!;
    if (x > r1) r1 = x;
    if (this.sink) return { node: SUNK_SEQ, r2: r1 };
    return { node: yseq(items.slice(), at, trimEnd(t, at, r1), false), r2: r1 };
  }

  /** Does the text at p start a `key:` entry (plain or single-line quoted key)? */
  private looksLikeKey(p: number, e: number): boolean {
    const t = this.t;
    const c = t.charCodeAt(p);
    if (c === 34 || c === 39) {
      let q = p + 1;
      while (q < e && t.charCodeAt(q) !== c) q++; // this line only (indexOf could scan the rest of the file)
      if (q >= e) return false;
      let k = q + 1;
      while (k < e && t.charCodeAt(k) === SP) k++;
      return t.charCodeAt(k) === COLON;
    }
    for (let k = p; k < e; k++) {
      const ch = t.charCodeAt(k);
      if (ch === COLON && (k + 1 === e || t.charCodeAt(k + 1) === SP)) return true;
      if (ch === HASH && k > p && t.charCodeAt(k - 1) === SP) return false;
    }
    return false;
  }

  /** A key at p on a line ending at e: `key:` (plain) or `"key":` / `'key':` (one line). */
  private key(p: number, e: number): { node: YScalar; colon: number } {
    this.count();
    const t = this.t;
    const c = t.charCodeAt(p);
    if (c === 34 || c === 39) {
      const q = this.quotedEnd(p, e);
      let k = q;
      while (k < e && t.charCodeAt(k) === SP) k++;
      if (t.charCodeAt(k) !== COLON || (k + 1 < e && t.charCodeAt(k + 1) !== SP)) throw GIVE_UP;
      return { node: yscalar(this.quotedValue(p, q), p, q, c === 34 ? 'double' : 'single'), colon: k };
    }
    if (isIndicator(c) || c === DASH && (p + 1 >= e || t.charCodeAt(p + 1) === SP)) throw GIVE_UP;
    for (let k = p; k < e; k++) {
      const ch = t.charCodeAt(k);
      if (ch === 9) throw GIVE_UP;
      if (ch === HASH && t.charCodeAt(k - 1) === SP) throw GIVE_UP;
      if (ch === COLON && (k + 1 === e || t.charCodeAt(k + 1) === SP)) {
        let ke = k;
        while (ke > p && t.charCodeAt(ke - 1) === SP) ke--;
        if (ke === p) throw GIVE_UP;
        if (this.sink) {
          if (mayResolve(c)) resolvePlain(t.slice(p, ke)); // may give up
          return { node: SUNK_SCALAR, colon: k };
        }
        const raw = t.slice(p, ke);
        const v = resolvePlain(raw);
        return { node: yscalar(typeof v === 'string' ? intern(v) : v, p, ke, 'plain'), colon: k };
      }
    }
    throw GIVE_UP; // a scalar where a key was expected (or a multi-line key)
  }

  /** offset after the closing quote of a one-line quoted scalar starting at p */
  private quotedEnd(p: number, e: number): number {
    const t = this.t;
    const q = t.charCodeAt(p);
    for (let k = p + 1; k < e; k++) {
      const ch = t.charCodeAt(k);
      if (q === 34 && ch === 92) {
        k++;
        continue;
      }
      if (ch === q) {
        if (q === 39 && t.charCodeAt(k + 1) === 39) {
          k++;
          continue;
        }
        return k + 1;
      }
    }
    throw GIVE_UP; // multi-line quoted scalar
  }

  private quotedValue(p: number, qe: number): string {
    const raw = this.t.slice(p + 1, qe - 1);
    const v = this.t.charCodeAt(p) === 34 ? decodeDouble(raw) : raw.includes("'") ? raw.replace(/''/g, "'") : raw;
    return v.length <= 24 ? intern(v) : v;
  }

  /** After a quoted scalar or flow collection: only spaces and a comment may follow on the line. */
  private rest(k: number, e: number): void {
    const t = this.t;
    if (k < e && t.charCodeAt(k) !== SP) throw GIVE_UP;
    while (k < e && t.charCodeAt(k) === SP) k++;
    if (k < e && t.charCodeAt(k) !== HASH) throw GIVE_UP;
  }

  /** A value that starts on the current line at p (line l); advances i past it. */
  private inlineValue(p: number, l: Line, col: number): { node: YNode; r2: number } {
    const t = this.t;
    const c = t.charCodeAt(p);
    const lineEnd = this.next(l.e);
    this.count();
    if (c === 34 || c === 39) {
      const q = this.quotedEnd(p, l.e);
      this.rest(q, l.e);
      this.i++;
      this.afterScalar(col);
      return { node: yscalar(this.quotedValue(p, q), p, q, c === 34 ? 'double' : 'single'), r2: lineEnd };
    }
    if (c === 124 /* | */) return this.literal(p, l, col);
    if (c === 123 /* { */ || c === 91 /* [ */) return this.flow(p, l, col);
    if (isIndicator(c) || (c === DASH && (p + 1 >= l.e || t.charCodeAt(p + 1) === SP))) throw GIVE_UP;
    // plain scalar: to a comment or the end of the line
    let ve = l.e;
    for (let k = p; k < l.e; k++) {
      const ch = t.charCodeAt(k);
      if (ch === 9) throw GIVE_UP;
      if (ch === HASH && t.charCodeAt(k - 1) === SP) {
        ve = k;
        break;
      }
      if (ch === COLON && (k + 1 === l.e || t.charCodeAt(k + 1) === SP)) throw GIVE_UP;
    }
    while (ve > p && t.charCodeAt(ve - 1) === SP) ve--;
    this.i++;
    this.afterScalar(col);
    if (this.sink) {
      if (mayResolve(c)) resolvePlain(t.slice(p, ve)); // may give up
      return { node: SUNK_SCALAR, r2: lineEnd };
    }
    const v = resolvePlain(t.slice(p, ve));
    return { node: yscalar(typeof v === 'string' && ve - p <= 24 ? intern(v) : v, p, ve, 'plain'), r2: lineEnd };
  }

  /** A one-line scalar value may not continue on more-indented lines (multi-line plain scalars: yaml decides). */
  private afterScalar(col: number): void {
    this.skip();
    if (this.i < this.lines.length && this.lines[this.i].ind > col) throw GIVE_UP;
  }

  /** A flow collection (`{...}` or `[...]`, nested, on one line) as a value; only a comment may follow it. */
  private flow(p: number, l: Line, col: number): { node: YNode; r2: number } {
    this.fe = l.e;
    this.fcol = col;
    const { node, k } = this.flowCollection(p);
    // the collection may have continued on more-indented lines (this.i and this.fe follow it)
    const lineEnd = this.next(this.fe);
    this.rest(k, this.fe);
    this.i++;
    this.afterScalar(col);
    return { node: this.sink ? (node.t === 'm' ? SUNK_MAP : SUNK_SEQ) : node, r2: lineEnd };
  }

  /**
   * `{...}` or `[...]` starting at p, ending before e (one line). Entries: quoted or plain scalars and
   * nested collections; maps take `key: value` pairs. Gives up on what yaml reads in subtler ways:
   * implicit pairs in sequences, empty keys or values, `:` without a following space, trailing commas,
   * comments, anchors, tags and other indicators.
   */
  /** end of the line the flow collection being read is on, and the column of the block it is a value of */
  private fe = 0;
  private fcol = 0;

  /**
   * Skip spaces in a flow collection; at the end of the line, go on to the next line when `wrap`
   * (after an opening bracket, a comma, a quoted scalar or a nested collection). The next line must be
   * a content line indented past the block column; blank and comment lines inside: yaml decides.
   */
  private fws(k: number, wrap: boolean): number {
    const t = this.t;
    for (;;) {
      while (k < this.fe && t.charCodeAt(k) === SP) k++;
      if (k < this.fe || !wrap) return k;
      const L = this.lines;
      const nl = L[this.i + 1];
      if (!nl || nl.k !== 2 || nl.ind <= this.fcol) throw GIVE_UP;
      this.i++;
      this.fe = nl.e;
      k = nl.s + nl.ind;
    }
  }

  private flowCollection(p: number): { node: YMap | YSeq; k: number } {
    this.count();
    this.enter();
    const t = this.t;
    const isMap = t.charCodeAt(p) === 123;
    const close = isMap ? 125 : 93;
    const items: (YNode | YPair)[] = [];
    let k = this.fws(p + 1, true);
    if (t.charCodeAt(k) === close) {
      // `{}`, `{ }`, `[\n]`: an empty collection
    } else {
      for (;;) {
        k = this.fws(k, true);
        const first = this.flowEntry(k, isMap);
        k = first.k;
        // a plain scalar may not end the line (its continuation would fold into it)
        k = this.fws(k, first.node.t !== 's' || (first.node as YScalar).style !== 'plain');
        if (isMap) {
          if (t.charCodeAt(k) !== COLON || t.charCodeAt(k + 1) !== SP || first.node.t !== 's') throw GIVE_UP;
          k += 2;
          k = this.fws(k, false);
          const v = this.flowEntry(k, true);
          items.push(ypair(first.node as YScalar, v.node));
          k = v.k;
          k = this.fws(k, v.node.t !== 's' || (v.node as YScalar).style !== 'plain');
        } else {
          if (t.charCodeAt(k) === COLON) throw GIVE_UP; // `[a: b]`: an implicit single-pair map
          items.push(first.node);
        }
        const d = t.charCodeAt(k);
        if (d === 44) {
          k = this.fws(k + 1, true);
          if (t.charCodeAt(k) === close || t.charCodeAt(k) === 44) throw GIVE_UP; // trailing or double comma
          continue;
        }
        if (d === close) break;
        throw GIVE_UP;
      }
    }
    this.depth--;
    const end = k + 1;
    if (isMap) return { node: ymap(items as YPair[], p, end, true), k: end };
    return { node: yseq(items as YNode[], p, end, true), k: end };
  }

  /** One scalar or nested collection inside a flow collection at k; `inMap`: a `:` may end a plain scalar. */
  private flowEntry(k: number, inMap: boolean): { node: YNode; k: number } {
    const t = this.t;
    const e = this.fe;
    const c = t.charCodeAt(k);
    if (c === 123 || c === 91) return this.flowCollection(k);
    this.count();
    if (c === 34 || c === 39) {
      const q = this.quotedEnd(k, e);
      return { node: yscalar(this.quotedValue(k, q), k, q, c === 34 ? 'double' : 'single'), k: q };
    }
    // a plain scalar may start with `-` (or `:`/`?`, which yaml reads differently: give up) followed by a safe character
    if (c === DASH) {
      const n = t.charCodeAt(k + 1);
      if (!(k + 1 < e) || n === SP || n === 44 || n === 91 || n === 93 || n === 123 || n === 125) throw GIVE_UP;
    } else if (isIndicator(c) || k >= e) throw GIVE_UP;
    const s = k;
    while (k < e) {
      const ch = t.charCodeAt(k);
      if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125 || ch === 9) break;
      if (ch === HASH && t.charCodeAt(k - 1) === SP) throw GIVE_UP; // a comment would end the line inside the collection
      if (ch === COLON) {
        const n = t.charCodeAt(k + 1);
        if (k + 1 >= e || n === SP || n === 44 || n === 91 || n === 93 || n === 123 || n === 125) {
          if (!inMap) throw GIVE_UP;
          break;
        }
      }
      k++;
    }
    let ve = k;
    while (ve > s && t.charCodeAt(ve - 1) === SP) ve--;
    if (ve === s) throw GIVE_UP;
    const raw = t.slice(s, ve);
    const v = resolvePlain(raw);
    return { node: yscalar(typeof v === 'string' ? intern(v) : v, s, ve, 'plain'), k };
  }

  /** `|`, `|-`, `|+` literal block scalars (content more indented than the parent's column). */
  private literal(p: number, l: Line, col: number): { node: YScalar; r2: number } {
    const t = this.t;
    let k = p + 1;
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    if (t.charCodeAt(k) === 45) {
      chomp = 'strip';
      k++;
    } else if (t.charCodeAt(k) === 43) {
      chomp = 'keep';
      k++;
    }
    this.rest(k, l.e);
    if (k < l.e && t.charCodeAt(k) !== SP) throw GIVE_UP;
    const L = this.lines;
    this.i++;
    // content indentation: the first non-blank line's
    let j = this.i;
    while (j < L.length && L[j].s === L[j].e) j++;
    let ind = -1;
    for (let q = this.i; q < L.length; q++) {
      const x = L[q];
      if (x.s === x.e) continue;
      // a whitespace-only line: yaml's handling depends on its length; give up when it matters
      let sp = x.s;
      while (sp < x.e && t.charCodeAt(sp) === SP) sp++;
      if (sp === x.e) {
        if (ind < 0 || x.e - x.s > ind) throw GIVE_UP;
        continue;
      }
      if (ind < 0) {
        ind = sp - x.s;
        if (ind <= col) ind = -2;
      }
      break;
    }
    const parts: string[] = [];
    let last = this.i; // one past the last content line
    let endOff = l.e; // end of the last content line
    if (ind > 0) {
      let q = this.i;
      for (; q < L.length; q++) {
        const x = L[q];
        let sp = x.s;
        while (sp < x.e && t.charCodeAt(sp) === SP) sp++;
        if (sp === x.e) {
          if (x.e - x.s > ind) throw GIVE_UP;
          parts.push('');
          continue;
        }
        if (sp - x.s < ind) break;
        parts.push(t.slice(x.s + ind, x.e));
        last = q + 1;
        endOff = x.e;
      }
      const trailing = parts.length - (last - this.i);
      let body = parts.slice(0, last - this.i).join('\n');
      if (chomp === 'clip') body += '\n';
      else if (chomp === 'keep') body += '\n' + '\n'.repeat(trailing);
      if (chomp === 'keep' && trailing) throw GIVE_UP; // the keep-range end is subtle: yaml decides
      this.i = last;
      this.count();
      this.skipBlankOnly();
      this.skip();
      if (this.i < L.length && L[this.i].ind > col) throw GIVE_UP;
      const r2 = this.next(endOff);
      return { node: yscalar(body, p, trimEnd(t, p, r2), 'literal'), r2 };
    }
    throw GIVE_UP; // empty block scalar or content not indented: yaml decides
  }

  private skipBlankOnly(): void {
    while (this.i < this.lines.length && this.lines[this.i].k === 0) this.i++;
  }
}

function isIndicator(c: number): boolean {
  // ? : , [ ] { } # & * ! | > ' " % @ `
  return c === 63 || c === COLON || c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === HASH || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 39 || c === 34 || c === 37 || c === 64 || c === 96;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start) {
    const c = text.charCodeAt(end - 1);
    if (c === SP || c === NL || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || (c >= 0x2000 && c <= 0x200a) || c === 0x1680 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0x85) end--;
    else break;
  }
  return end;
}
