/**
 * A hand-written nginx configuration tokenizer and parser.
 *
 * Tokenizing follows the rules of nginx's own `ngx_conf_read_token` (src/core/ngx_conf_file.c):
 * - tokens are separated by space, tab, CR and LF; `;` ends a directive; `{` opens a block
 *   after at least one word; `}` closes a block only at the start of a token;
 * - `#` starts a comment only at the start of a token (`a#b` is one word);
 * - `"` and `'` are special only at the start of a token, may span lines, and the closing quote
 *   must be followed by whitespace, `;`, `{` or `)`;
 * - `\` escapes the next character; in values `\"`, `\'`, `\\` become the character and `\t`,
 *   `\r`, `\n` become TAB, CR, LF (as nginx does), every other `\x` is kept as is;
 * - `${` inside a word does not open a block (`$` followed by `{`).
 *
 * Bodies of `*_by_lua_block` directives are raw Lua: braces are counted, Lua strings and comments
 * are skipped, and the body is stored in `rawBody` (`block` is then `[]`).
 *
 * The parser never throws. nginx stops at the first error; this parser records it and recovers:
 * a missing `;` before `}` is implied, a stray `}` is ignored, blocks still open at the end of
 * the input are closed (the error points at their `{`), an unclosed quote ends at the end of its
 * line (the error points at the quote). Everything is iterative (explicit stacks) and linear in
 * the input size.
 */
import type { NgxArg, NgxComment, NgxConfig, NgxDirective, NgxError } from './ast';

const CH_TAB = 9;
const CH_LF = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_DQUOTE = 34;
const CH_HASH = 35;
const CH_DOLLAR = 36;
const CH_SQUOTE = 39;
const CH_RPAREN = 41;
const CH_SEMI = 59;
const CH_BACKSLASH = 92;
const CH_LBRACE = 123;
const CH_RBRACE = 125;
const CH_LBRACKET = 91;
const CH_EQUALS = 61;
const CH_MINUS = 45;

const LUA_BLOCK_SUFFIX = '_by_lua_block';

interface Frame {
  /** where child directives go */
  list: NgxDirective[];
  /** the directive that owns the block; null for the top level and for a nameless `{` */
  owner: NgxDirective | null;
  /** offset of the `{` (-1 for the top level) */
  open: number;
  openLine: number;
}

function isSpace(c: number): boolean {
  return c === CH_SPACE || c === CH_TAB || c === CH_LF || c === CH_CR;
}

/** Resolves escapes the way nginx copies a token into its argument array. */
export function unescapeNginx(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  let out = '';
  let from = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) !== CH_BACKSLASH || i + 1 >= n) continue;
    const next = s[i + 1];
    let rep: string | null = null;
    switch (next) {
      case '"':
      case "'":
      case '\\':
        rep = next;
        break;
      case 't':
        rep = '\t';
        break;
      case 'r':
        rep = '\r';
        break;
      case 'n':
        rep = '\n';
        break;
    }
    if (rep === null) continue; // the backslash is kept; the next character is read normally
    out += s.slice(from, i) + rep;
    i++;
    from = i + 1;
  }
  return out + s.slice(from);
}

function lineEndAt(text: string, pos: number): number {
  let e = text.indexOf('\n', pos);
  if (e < 0) e = text.length;
  if (e > pos && text.charCodeAt(e - 1) === CH_CR) e--;
  return e;
}

/** Errors kept per parse; `nginx -t` stops at the first. */
export const MAX_ERRORS = 1000;

export function parseNginx(text: string): NgxConfig {
  const n = text.length;
  const root: NgxDirective[] = [];
  const comments: NgxComment[] = [];
  const errors: NgxError[] = [];
  const stack: Frame[] = [{ list: root, owner: null, open: -1, openLine: 0 }];

  let pos = 0;
  let line = 1;
  /** the words of the directive being read, and the line of its first word */
  let words: NgxArg[] = [];
  let wordsLine = 0;
  /** a quoted token just ended: the next character must be whitespace, `;`, `{` or `)` */
  let needSpace = false;
  /** position from which a search for a closing `"` / `'` is known to fail */
  let noCloseDq = n + 1;
  let noCloseSq = n + 1;

  let lineStarts: number[] | null = null;
  const lineOf = (offset: number): number => {
    if (lineStarts === null) {
      lineStarts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const countLines = (from: number, to: number): void => {
    for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) line++;
  };
  const error = (message: string, start: number, end: number, errLine: number): void => {
    // hostile input (a megabyte of `{`) would otherwise hold millions of errors nobody reads
    if (errors.length < MAX_ERRORS) errors.push({ message, start, end, line: errLine });
  };
  const top = (): Frame => stack[stack.length - 1];

  const makeDirective = (end: number): NgxDirective => {
    const first = words[0];
    const d: NgxDirective = {
      name: first.value,
      nameStart: first.start,
      nameEnd: first.end,
      // an exact-size copy: the word list grew by push (capacity 17+), and configs hold thousands of directives
      args: words.slice(1),
      start: first.start,
      end,
      line: wordsLine,
    };
    words.length = 0;
    return d;
  };

  /** Skips a raw Lua body that starts just after the `{` at `open`; returns the offset of the
   * matching `}` or -1. */
  const skipLua = (open: number): number => {
    let depth = 1;
    let i = open + 1;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === CH_LBRACE) {
        depth++;
        i++;
      } else if (c === CH_RBRACE) {
        if (--depth === 0) return i;
        i++;
      } else if (c === CH_MINUS && text.charCodeAt(i + 1) === CH_MINUS) {
        const level = longBracketLevel(text, i + 2);
        if (level >= 0) {
          i = skipLongBracket(text, i + 2, level);
        } else {
          const e = text.indexOf('\n', i + 2);
          i = e < 0 ? n : e + 1;
        }
      } else if (c === CH_LBRACKET) {
        const level = longBracketLevel(text, i);
        i = level >= 0 ? skipLongBracket(text, i, level) : i + 1;
      } else if (c === CH_DQUOTE || c === CH_SQUOTE) {
        i++;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === CH_BACKSLASH) i += 2;
          else if (d === c) {
            i++;
            break;
          } else if (d === CH_LF) break; // unfinished Lua string: do not swallow the rest
          else i++;
        }
      } else {
        i++;
      }
    }
    return -1;
  };

  while (pos < n) {
    if (errors.length >= MAX_ERRORS) break; // garbage, not a config: stop (memory stays bounded)
    const c = text.charCodeAt(pos);

    if (isSpace(c)) {
      if (c === CH_LF) line++;
      needSpace = false;
      pos++;
      continue;
    }

    if (needSpace) {
      needSpace = false;
      if (c !== CH_SEMI && c !== CH_LBRACE && c !== CH_RPAREN) {
        error(`unexpected "${text[pos]}"`, pos, pos + 1, line);
        if (c === CH_RBRACE && words.length > 0) {
          // already reported: close the directive and the block without a second error
          top().list.push(makeDirective(words[words.length - 1].end));
          closeBlock();
          pos++;
          continue;
        }
        // recover: treat the character as the start of a new token
      }
    }

    if (c === CH_SEMI) {
      if (words.length === 0) error('unexpected ";"', pos, pos + 1, line);
      else top().list.push(makeDirective(pos + 1));
      pos++;
      continue;
    }

    if (c === CH_LBRACE) {
      if (words.length === 0) {
        error('unexpected "{"', pos, pos + 1, line);
        stack.push({ list: top().list, owner: null, open: pos, openLine: line });
        pos++;
        continue;
      }
      const d = makeDirective(n);
      d.block = [];
      d.blockStart = pos;
      top().list.push(d);
      if (d.name.endsWith(LUA_BLOCK_SUFFIX)) {
        const close = skipLua(pos);
        if (close < 0) {
          d.rawBody = text.slice(pos + 1);
          error('unexpected end of file, expecting "}"', pos, pos + 1, line);
          countLines(pos, n);
          pos = n;
          continue;
        }
        d.rawBody = text.slice(pos + 1, close);
        d.blockEnd = close + 1;
        d.end = close + 1;
        countLines(pos, close);
        pos = close + 1;
        continue;
      }
      stack.push({ list: d.block, owner: d, open: pos, openLine: line });
      pos++;
      continue;
    }

    if (c === CH_RBRACE) {
      if (words.length > 0) {
        error('unexpected "}": missing ";"', pos, pos + 1, line);
        top().list.push(makeDirective(words[words.length - 1].end));
      }
      closeBlock();
      pos++;
      continue;
    }

    if (c === CH_HASH) {
      const e = lineEndAt(text, pos + 1);
      comments.push({ text: text.slice(pos + 1, e), start: pos, end: e, line });
      pos = e;
      continue;
    }

    if (c === CH_DQUOTE || c === CH_SQUOTE) {
      const q = pos;
      const qLine = line;
      let close = -1;
      if (q < (c === CH_DQUOTE ? noCloseDq : noCloseSq)) {
        const qs = c === CH_DQUOTE ? '"' : "'";
        let from = q + 1;
        for (;;) {
          const k = text.indexOf(qs, from);
          if (k < 0) break;
          let bs = 0;
          for (let j = k - 1; j > q && text.charCodeAt(j) === CH_BACKSLASH; j--) bs++;
          if ((bs & 1) === 0) {
            close = k;
            break;
          }
          from = k + 1;
        }
        if (close < 0) {
          if (c === CH_DQUOTE) noCloseDq = q;
          else noCloseSq = q;
        }
      }
      let end: number;
      let inner: string;
      if (close >= 0) {
        end = close + 1;
        inner = text.slice(q + 1, close);
        needSpace = true;
      } else {
        end = lineEndAt(text, q + 1);
        inner = text.slice(q + 1, end);
        const other = c === CH_DQUOTE ? `'"'` : `"'"`;
        error(`unexpected end of file, expecting closing ${other}`, q, q + 1, qLine);
      }
      countLines(q, end);
      if (words.length === 0) wordsLine = qLine;
      words.push({
        value: unescapeNginx(inner),
        raw: text.slice(q, end),
        start: q,
        end,
        quote: c === CH_DQUOTE ? '"' : "'",
      });
      // an unclosed quote most likely swallowed the directive's `;`: end the directive here
      if (close < 0) top().list.push(makeDirective(end));
      pos = end;
      continue;
    }

    // an unquoted word
    {
      const start = pos;
      const wLine = line;
      let variable = c === CH_DOLLAR;
      let i = pos;
      if (c === CH_BACKSLASH) {
        i += 2;
        if (text.charCodeAt(pos + 1) === CH_LF) line++;
      } else {
        i += 1;
      }
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === CH_LBRACE && variable) {
          i++;
          continue;
        }
        variable = false;
        if (d === CH_BACKSLASH) {
          if (text.charCodeAt(i + 1) === CH_LF) line++;
          i += 2;
          continue;
        }
        if (d === CH_DOLLAR) {
          variable = true;
          i++;
          continue;
        }
        if (d === CH_SPACE || d === CH_TAB || d === CH_LF || d === CH_CR || d === CH_SEMI || d === CH_LBRACE) break;
        i++;
      }
      if (i > n) i = n;
      const raw = text.slice(start, i);
      if (words.length === 0) wordsLine = wLine;
      words.push({ value: unescapeNginx(raw), raw, start, end: i, quote: null });
      pos = i;
    }
  }

  if (words.length > 0) {
    const last = words[words.length - 1];
    error('unexpected end of file, expecting ";" or "}"', last.end, last.end, lineOf(last.end));
    top().list.push(makeDirective(last.end));
  }
  while (stack.length > 1) {
    const f = stack.pop()!;
    error('unexpected end of file, expecting "}"', f.open, f.open + 1, f.openLine);
  }

  return { directives: root, comments, errors };

  function closeBlock(): void {
    if (stack.length === 1) {
      error('unexpected "}"', pos, pos + 1, line);
      return;
    }
    const f = stack.pop()!;
    if (f.owner) {
      // the block is complete: keep it exact-size (it grew by push; configs hold thousands of blocks)
      if (f.owner.block) f.owner.block = f.owner.block.slice();
      f.owner.blockEnd = pos + 1;
      f.owner.end = pos + 1;
    }
  }
}

/** Lua long bracket `[`, `[=[`, `[==[`...: returns the level (number of `=`) or -1. */
function longBracketLevel(text: string, i: number): number {
  if (text.charCodeAt(i) !== CH_LBRACKET) return -1;
  let j = i + 1;
  while (text.charCodeAt(j) === CH_EQUALS) j++;
  return text.charCodeAt(j) === CH_LBRACKET ? j - i - 1 : -1;
}

/** Skips a Lua long string/comment opened at `i` with the given level; returns the offset after
 * its closing bracket (or the end of the text). */
function skipLongBracket(text: string, i: number, level: number): number {
  const closer = ']' + '='.repeat(level) + ']';
  const e = text.indexOf(closer, i + level + 2);
  return e < 0 ? text.length : e + closer.length;
}

/**
 * Visits every directive in document order (pre-order, iteratively: deep nesting is fine).
 * `parents` lists the enclosing block directives, outermost first. The same array is reused for
 * every call (it is only valid during the call): copy it (`[...parents]`) to keep it.
 */
export function walkDirectives(
  dirs: NgxDirective[],
  fn: (d: NgxDirective, parents: NgxDirective[]) => void,
): void {
  const lists: NgxDirective[][] = [dirs];
  const indexes: number[] = [0];
  const parents: NgxDirective[] = [];
  while (lists.length > 0) {
    const top = lists.length - 1;
    const list = lists[top];
    const i = indexes[top];
    if (i >= list.length) {
      lists.pop();
      indexes.pop();
      if (lists.length > 0) parents.pop();
      continue;
    }
    indexes[top] = i + 1;
    const d = list[i];
    fn(d, parents);
    if (d.block && d.block.length > 0) {
      parents.push(d);
      lists.push(d.block);
      indexes.push(0);
    }
  }
}
