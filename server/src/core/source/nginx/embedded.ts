/**
 * nginx configuration embedded in YAML scalars (ConfigMap data, Helm values, annotations):
 * decodes the scalar's source text into its value and maps offsets in the value back to offsets
 * in the YAML file, so diagnostics land on the right characters.
 *
 * The decoding follows the `yaml` package (v2) so that the decoded text equals the node's value:
 * - block literal `|` (chomping `-`/`+`, explicit indentation indicator, LF or CRLF): exact, every
 *   value line k maps to source line k shifted by the indentation;
 * - double-quoted: exact, escape-aware (\n \t \" \\ \xNN \uNNNN \UNNNNNNNN..., escaped line
 *   breaks) with line folding; characters produced by an escape map to its backslash;
 * - block folded `>`, single-quoted and plain: decoded, `exact: false` (the mapping is monotone and
 *   within the scalar's range, folded line breaks map to the break they replace).
 */
import type { NgxConfig } from './ast';
import { parseNginx, walkDirectives } from './parser';

export interface EmbeddedText {
  /** the scalar's value */
  text: string;
  /** maps an offset in `text` (0..text.length inclusive) to an offset in the YAML file */
  toFile(offset: number): number;
  /** true when every character of `text` maps to the exact source character it came from */
  exact: boolean;
}

/** Collects the decoded text and, per piece, where it came from. */
class MappedText {
  private parts: string[] = [];
  private len = 0;
  /** per segment: start in the decoded text, start in the source, source length, verbatim? */
  private tStart: number[] = [];
  private sStart: number[] = [];
  private sLen: number[] = [];
  private verb: boolean[] = [];

  constructor(
    private readonly src: string,
    private readonly rangeStart: number,
    private readonly rangeEnd: number,
  ) {}

  /** copies src[from, to) */
  verbatim(from: number, to: number): void {
    if (to <= from) return;
    const k = this.tStart.length - 1;
    if (k >= 0 && this.verb[k] && this.sStart[k] + this.sLen[k] === from) {
      this.sLen[k] += to - from;
    } else {
      this.tStart.push(this.len);
      this.sStart.push(from);
      this.sLen.push(to - from);
      this.verb.push(true);
    }
    this.parts.push(this.src.slice(from, to));
    this.len += to - from;
  }

  /** emits `s`, produced by the source characters [at, at + srcLen) */
  synthetic(s: string, at: number, srcLen: number): void {
    if (s.length === 0) return;
    this.tStart.push(this.len);
    this.sStart.push(at);
    this.sLen.push(srcLen);
    this.verb.push(false);
    this.parts.push(s);
    this.len += s.length;
  }

  endsWith(ch: string): boolean {
    const last = this.parts[this.parts.length - 1];
    return last !== undefined && last.endsWith(ch);
  }

  finish(exact: boolean): EmbeddedText {
    const text = this.parts.join('');
    const { tStart, sStart, sLen, verb, rangeStart, rangeEnd } = this;
    const count = tStart.length;
    let endSrc = rangeStart;
    for (let k = 0; k < count; k++) endSrc = Math.max(endSrc, sStart[k] + sLen[k]);
    endSrc = Math.min(endSrc, rangeEnd);
    const total = text.length;
    const toFile = (offset: number): number => {
      if (count === 0) return rangeStart;
      if (!(offset > 0)) return sStart[0];
      if (offset >= total) return endSrc;
      let lo = 0;
      let hi = count - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (tStart[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      return verb[lo] ? sStart[lo] + (offset - tStart[lo]) : sStart[lo];
    };
    return { text, toFile, exact };
  }
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

function lineStartOf(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** column where a line's content starts, after spaces and `- ` sequence indicators; also the
 * column of the last `-` (or -1) and the offset of that content */
function contentColumn(text: string, ls: number): { col: number; seqCol: number; at: number } {
  let i = ls;
  while (text[i] === ' ') i++;
  let seqCol = -1;
  while (text[i] === '-' && isBlank(text[i + 1])) {
    seqCol = i - ls;
    i++;
    while (isBlank(text[i])) i++;
  }
  return { col: i - ls, seqCol, at: i };
}

/** The indentation of the collection that holds the block scalar starting at `start` (the `n`
 * that an explicit indentation indicator is added to). */
function parentIndent(text: string, start: number): number {
  const ls = lineStartOf(text, start);
  const c = contentColumn(text, ls);
  if (c.at < start) return c.col; // `key: |2`, `- key: |2`
  if (c.seqCol >= 0) return c.seqCol; // `- |2`
  // the header starts its line: use the previous line with content
  let p = ls - 1;
  while (p > 0) {
    const pls = lineStartOf(text, p);
    const pc = contentColumn(text, pls);
    const ch = text[pc.at];
    if (pc.at < p && ch !== '#' && ch !== '\r' && ch !== '\n') return pc.col;
    p = pls - 1;
  }
  return 0;
}

interface SrcLine {
  start: number;
  /** number of leading spaces */
  indent: number;
  /** end of the content (before CR LF / LF) */
  contentEnd: number;
  /** offset of the line break (the CR of CR LF), or the range end */
  brk: number;
  brkLen: number;
  empty: boolean;
}

function splitBlockLines(text: string, from: number, to: number): SrcLine[] {
  const lines: SrcLine[] = [];
  let s = from;
  for (;;) {
    let nl = text.indexOf('\n', s);
    if (nl < 0 || nl >= to) nl = to;
    let i = s;
    while (i < nl && text.charCodeAt(i) === 32) i++;
    const crlf = nl < to && nl > i && text.charCodeAt(nl - 1) === 13;
    const contentEnd = crlf ? nl - 1 : nl;
    lines.push({
      start: s,
      indent: i - s,
      contentEnd,
      brk: contentEnd,
      brkLen: nl < to ? (crlf ? 2 : 1) : 0,
      empty: contentEnd === i,
    });
    if (nl >= to) break;
    s = nl + 1;
  }
  return lines;
}

function decodeBlock(text: string, start: number, end: number): EmbeddedText {
  const mode = text[start];
  let p = start + 1;
  let explicit = 0;
  let chomp = '';
  while (p < end) {
    const ch = text[p];
    if (!chomp && (ch === '-' || ch === '+')) chomp = ch;
    else if (!explicit && ch >= '1' && ch <= '9') explicit = ch.charCodeAt(0) - 48;
    else break;
    p++;
  }
  let nl = text.indexOf('\n', p);
  if (nl < 0 || nl >= end) nl = end - 1;
  const bodyStart = Math.min(nl + 1, end);
  const out = new MappedText(text, start, end);
  const lines = bodyStart < end ? splitBlockLines(text, bodyStart, end) : [];
  const exact = mode === '|';

  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i].empty && lines[i].contentEnd === lines[i].start + lines[i].indent) chompStart = i;
    else break;
  }
  if (chompStart === 0) {
    if (chomp === '+' && lines.length > 0) {
      const k = Math.max(1, lines.length - 1);
      for (let i = 0; i < k; i++) {
        const l = lines[Math.min(i, lines.length - 1)];
        out.synthetic('\n', l.brk, l.brkLen);
      }
    }
    return out.finish(exact);
  }

  let trimIndent = explicit ? parentIndent(text, start) + explicit : 0;
  let contentStart = 0;
  for (let i = 0; i < chompStart; i++) {
    const l = lines[i];
    if (l.empty) {
      if (!explicit && l.indent > trimIndent) trimIndent = l.indent;
    } else {
      if (!explicit) trimIndent = l.indent;
      contentStart = i;
      break;
    }
  }
  for (let i = lines.length - 1; i >= chompStart; i--) {
    if (lines[i].indent > trimIndent) chompStart = i + 1;
  }

  const indentTail = (l: SrcLine): void => {
    if (l.indent > trimIndent) out.verbatim(l.start + trimIndent, l.start + l.indent);
  };
  for (let i = 0; i < contentStart; i++) {
    const l = lines[i];
    indentTail(l);
    out.synthetic('\n', l.brk, l.brkLen);
  }
  let prevMoreIndented = false;
  // `sep` is emitted before a line, mapped to the line break of the line before it
  let sep = '';
  let sepAt = -1;
  let sepLen = 0;
  const emitSep = (s: string): void => {
    if (s) out.synthetic(s, sepAt, sepLen);
  };
  for (let i = contentStart; i < chompStart; i++) {
    const l = lines[i];
    const shortIndent = !l.empty && l.indent < trimIndent;
    const textFrom = shortIndent ? l.start + l.indent : l.start + Math.min(l.indent, trimIndent);
    if (mode === '|') {
      emitSep(sep);
      out.verbatim(textFrom, l.contentEnd);
      sep = '\n';
    } else if ((!shortIndent && l.indent > trimIndent) || text[l.start + l.indent] === '\t') {
      if (sep === ' ') sep = '\n';
      else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
      emitSep(sep);
      out.verbatim(textFrom, l.contentEnd);
      sep = '\n';
      prevMoreIndented = true;
    } else if (l.contentEnd === l.start + l.indent) {
      if (sep === '\n') out.synthetic('\n', sepAt, sepLen);
      else sep = '\n';
    } else {
      emitSep(sep);
      out.verbatim(l.start + l.indent, l.contentEnd);
      sep = ' ';
      prevMoreIndented = false;
    }
    sepAt = l.brk;
    sepLen = l.brkLen;
  }
  if (chomp === '+') {
    for (let i = chompStart; i < lines.length; i++) {
      const prev = lines[i - 1];
      out.synthetic('\n', prev.brk, prev.brkLen);
      indentTail(lines[i]);
    }
    if (!out.endsWith('\n')) {
      const last = lines[lines.length - 1];
      out.synthetic('\n', last.brk, last.brkLen);
    }
  } else if (chomp !== '-') {
    const last = lines[chompStart - 1];
    out.synthetic('\n', last.brk, last.brkLen);
  }
  return out.finish(exact);
}

const DQ_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\t': '\t',
};

function decodeDoubleQuoted(src: string, start: number, end: number): EmbeddedText {
  const out = new MappedText(src, start, end);
  // like the yaml package, the last character is taken to be the closing quote
  const last = Math.max(start + 1, end - 1);
  let run = start + 1; // start of the pending verbatim run
  const flush = (to: number): void => {
    out.verbatim(run, to);
  };
  for (let i = start + 1; i < last; i++) {
    const ch = src[i];
    if (ch === '\r' && src[i + 1] === '\n') {
      flush(i);
      run = i + 1;
      continue;
    }
    if (ch === '\n') {
      flush(i);
      // fold: one break -> space, n breaks -> n - 1 newlines; leading whitespace is dropped
      let fold = '';
      let j = i;
      let c2 = src[j + 1];
      while (j + 1 < last && (c2 === ' ' || c2 === '\t' || c2 === '\n' || c2 === '\r')) {
        if (c2 === '\r' && src[j + 2] !== '\n') break;
        if (c2 === '\n') fold += '\n';
        j++;
        c2 = src[j + 1];
      }
      const at = src[i - 1] === '\r' ? i - 1 : i;
      out.synthetic(fold || ' ', at, j + 1 - at);
      i = j;
      run = i + 1;
    } else if (ch === '\\') {
      flush(i);
      const at = i;
      let next = src[++i];
      const cc = DQ_ESCAPES[next];
      if (cc !== undefined) {
        out.synthetic(cc, at, 2);
      } else if (next === '\n' || (next === '\r' && src[i + 1] === '\n')) {
        if (next === '\r') i++;
        next = src[i + 1];
        while (i + 1 < last && (next === ' ' || next === '\t')) next = src[++i + 1];
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = src.substr(i + 1, length);
        const code = hex.length === length && /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : NaN;
        let s: string;
        try {
          s = String.fromCodePoint(code);
        } catch {
          s = src.substr(at, length + 2);
        }
        out.synthetic(s, at, length + 2);
        i += length;
      } else {
        out.synthetic(src.substr(at, 2), at, 2);
      }
      run = i + 1;
    } else if (ch === ' ' || ch === '\t') {
      // whitespace before a line break is dropped
      const wsStart = i;
      let next = src[i + 1];
      while (i + 1 < last && (next === ' ' || next === '\t')) next = src[++i + 1];
      if (next === '\n' || (next === '\r' && src[i + 2] === '\n')) {
        flush(wsStart);
        run = i + 1;
      }
    }
  }
  flush(last);
  return out.finish(true);
}

/** plain and single-quoted scalars: line folding as the `yaml` package's unfoldLines */
function decodeFolded(src: string, start: number, end: number, single: boolean): EmbeddedText {
  const out = new MappedText(src, start, end);
  const from = single ? start + 1 : start;
  const to = single ? Math.max(from, end - 1) : end;
  const emit = (a: number, b: number): void => {
    if (!single) {
      out.verbatim(a, b);
      return;
    }
    // '' -> '
    let s = a;
    for (let k = src.indexOf("''", s); k >= 0 && k + 1 < b; k = src.indexOf("''", s)) {
      out.verbatim(s, k + 1);
      s = k + 2;
    }
    out.verbatim(s, b);
  };
  const lines: Array<{ s: number; e: number; brk: number }> = [];
  let s = from;
  for (;;) {
    let nl = src.indexOf('\n', s);
    if (nl < 0 || nl >= to) {
      lines.push({ s, e: to, brk: to });
      break;
    }
    const e = nl > s && src[nl - 1] === '\r' ? nl - 1 : nl;
    lines.push({ s, e, brk: e });
    s = nl + 1;
  }
  const trimEnd = (a: number, b: number): number => {
    while (b > a && isBlank(src[b - 1])) b--;
    return b;
  };
  const trimStart = (a: number, b: number): number => {
    while (a < b && isBlank(src[a])) a++;
    return a;
  };
  if (lines.length === 1) {
    emit(from, to);
    return out.finish(false);
  }
  emit(lines[0].s, trimEnd(lines[0].s, lines[0].e));
  let sep = ' ';
  let sepAt = lines[0].brk;
  for (let i = 1; i < lines.length - 1; i++) {
    const l = lines[i];
    const a = trimStart(l.s, l.e);
    const b = trimEnd(a, l.e);
    if (a === b) {
      if (sep === '\n') out.synthetic('\n', sepAt, 1);
      else sep = '\n';
    } else {
      out.synthetic(sep, sepAt, 1);
      emit(a, b);
      sep = ' ';
    }
    sepAt = l.brk;
  }
  const l = lines[lines.length - 1];
  out.synthetic(sep, sepAt, 1);
  emit(trimStart(l.s, l.e), l.e);
  return out.finish(false);
}

/**
 * Decodes the YAML scalar whose value source range is [valueStart, valueEnd) (a `yaml` node's
 * `range[0]`, `range[1]`). Returns null for an invalid range.
 */
export function decodeYamlScalar(fileText: string, valueStart: number, valueEnd: number): EmbeddedText | null {
  if (!(valueStart >= 0 && valueEnd <= fileText.length && valueStart <= valueEnd)) return null;
  if (valueStart === valueEnd) return new MappedText(fileText, valueStart, valueEnd).finish(false);
  const c = fileText[valueStart];
  if (c === '|' || c === '>') return decodeBlock(fileText, valueStart, valueEnd);
  if (c === '"') return decodeDoubleQuoted(fileText, valueStart, valueEnd);
  return decodeFolded(fileText, valueStart, valueEnd, c === "'");
}

let cachedText: string | null = null;
let cachedLineStarts: number[] = [];

function lineStartsOf(text: string): number[] {
  if (cachedText !== text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    cachedText = text;
    cachedLineStarts = starts;
  }
  return cachedLineStarts;
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * Decodes the scalar, parses it as nginx configuration and maps every offset (directives, names,
 * args, blocks, comments, errors) into `fileText`; `line` fields become 1-based lines of fileText.
 * `rawBody` stays the decoded text.
 */
export function parseEmbeddedNginx(
  fileText: string,
  valueStart: number,
  valueEnd: number,
): { config: NgxConfig; exact: boolean } | null {
  const emb = decodeYamlScalar(fileText, valueStart, valueEnd);
  if (!emb) return null;
  const config = parseNginx(emb.text);
  const map = emb.toFile;
  const starts = lineStartsOf(fileText);
  walkDirectives(config.directives, (d) => {
    d.start = map(d.start);
    d.end = map(d.end);
    d.nameStart = map(d.nameStart);
    d.nameEnd = map(d.nameEnd);
    if (d.blockStart !== undefined) d.blockStart = map(d.blockStart);
    if (d.blockEnd !== undefined) d.blockEnd = map(d.blockEnd);
    d.line = lineAt(starts, d.nameStart);
    for (const a of d.args) {
      a.start = map(a.start);
      a.end = map(a.end);
    }
  });
  for (const c of config.comments) {
    c.start = map(c.start);
    c.end = map(c.end);
    c.line = lineAt(starts, c.start);
  }
  for (const e of config.errors) {
    e.start = map(e.start);
    e.end = map(e.end);
    e.line = lineAt(starts, e.start);
  }
  return { config, exact: emb.exact };
}
