/**
 * The nginx configuration syntax tree. Offsets are UTF-16 offsets into the text that was parsed
 * (or, for nginx embedded in YAML, already mapped back into the YAML file: see embedded.ts).
 */

export interface NgxArg {
  /** the value as nginx sees it: quotes removed, escapes (\" \' \\) resolved */
  value: string;
  /** the raw source text of the token, including quotes */
  raw: string;
  start: number;
  end: number;
  quote: '"' | "'" | null;
}

export interface NgxDirective {
  name: string;
  nameStart: number;
  nameEnd: number;
  args: NgxArg[];
  /** from the name's start to the terminating `;` (inclusive) or the block's closing `}` (inclusive) */
  start: number;
  end: number;
  /** child directives when the directive has a `{ }` block */
  block?: NgxDirective[];
  /** offset of `{` */
  blockStart?: number;
  /** offset just after `}`; undefined when the block was never closed */
  blockEnd?: number;
  /** for raw-bodied blocks (`*_by_lua_block`): the raw body text; `block` is then [] */
  rawBody?: string;
  /** 1-based line of the directive name in the parsed text (before any offset mapping) */
  line: number;
}

export interface NgxComment {
  /** text after `#` */
  text: string;
  start: number;
  end: number;
  line: number;
}

export interface NgxError {
  message: string;
  start: number;
  end: number;
  /** 1-based line in the parsed text, as nginx would report it */
  line: number;
}

export interface NgxConfig {
  directives: NgxDirective[];
  comments: NgxComment[];
  errors: NgxError[];
}
