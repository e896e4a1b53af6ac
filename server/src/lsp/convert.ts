/** Core values (offsets, findings, fixes) to LSP values (positions, diagnostics, workspace edits). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Diagnostic,
  DiagnosticSeverity,
  DiagnosticTag,
  Range,
  TextEdit as LspTextEdit,
  WorkspaceEdit,
  CreateFile,
  TextDocumentEdit,
  OptionalVersionedTextDocumentIdentifier,
} from 'vscode-languageserver';
import type { Finding, Severity, TextEdit, FileCreate } from '../core/types';
import { LineIndex } from '../core/text';
import { ruleDocsUrl, ruleDocsPage } from '../core/docs';

export const SOURCE = 'meshlint';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Line indexes per file, rebuilt when the text changes. */
export class LineIndexes {
  private readonly map = new Map<string, LineIndex>();
  constructor(private readonly textOf: (file: string) => string | undefined) {}
  get(file: string): LineIndex {
    const text = this.textOf(file) ?? '';
    let li = this.map.get(file);
    if (!li || li.text !== text) this.map.set(file, (li = new LineIndex(text)));
    return li;
  }
  range(file: string, start: number, end: number): Range {
    const li = this.get(file);
    return { start: li.position(start), end: li.position(end) };
  }
  delete(file: string): void {
    this.map.delete(file);
  }
  clear(): void {
    this.map.clear();
  }
}

/** Where the bundled rule docs are: <extension>/docs/rules (server/out -> ../../docs/rules). */
function findDocsDir(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const cand = path.join(dir, 'docs', 'rules');
    try {
      if (fs.statSync(cand).isDirectory()) return cand;
    } catch {
      /* keep looking */
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

const docsDir = findDocsDir();
const hrefCache = new Map<string, string>();

/** A file:// link to the rule's bundled page when present, else the repository page. */
export function ruleHref(rule: string): string {
  let h = hrefCache.get(rule);
  if (h === undefined) {
    const page = ruleDocsPage(rule);
    const file = docsDir ? path.join(docsDir, page.file) : undefined;
    h = file && fs.existsSync(file) ? pathToFileURL(file).href + (page.anchor ? `#${page.anchor}` : '') : ruleDocsUrl(rule);
    hrefCache.set(rule, h);
  }
  return h;
}

export function toDiagnostic(f: Finding, lines: LineIndexes, uriOf: (file: string) => string): Diagnostic {
  const d: Diagnostic = {
    range: lines.range(f.file, f.start, f.end),
    severity: SEVERITY[f.severity] ?? DiagnosticSeverity.Warning,
    code: f.rule,
    codeDescription: { href: ruleHref(f.rule) },
    source: SOURCE,
    message: f.message,
  };
  if (f.related?.length) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: uriOf(r.span.file), range: lines.range(r.span.file, r.span.start, r.span.end) }, message: r.message }));
  }
  if (f.tags?.length) d.tags = f.tags.map((t) => (t === 'deprecated' ? DiagnosticTag.Deprecated : DiagnosticTag.Unnecessary));
  return d;
}

export interface EditSupport {
  documentChanges: boolean;
  create: boolean;
  /** the client shows annotated edits for confirmation (a refactor preview) */
  annotations?: boolean;
}

/**
 * A WorkspaceEdit for text edits and file creations; undefined when the client cannot apply it
 * (creations need `documentChanges` with the `create` resource operation).
 */
export function toWorkspaceEdit(
  edits: readonly TextEdit[],
  creates: readonly FileCreate[],
  lines: LineIndexes,
  uriOf: (file: string) => string,
  versionOf: (file: string) => number | null,
  support: EditSupport,
): WorkspaceEdit | undefined {
  const byFile = new Map<string, LspTextEdit[]>();
  for (const e of edits) {
    let l = byFile.get(e.file);
    if (!l) byFile.set(e.file, (l = []));
    l.push({ range: lines.range(e.file, e.start, e.end), newText: e.newText });
  }
  if (creates.length) {
    if (!support.documentChanges || !support.create) return undefined;
  }
  if (!support.documentChanges) {
    const changes: Record<string, LspTextEdit[]> = {};
    for (const [file, l] of byFile) changes[uriOf(file)] = l;
    return { changes };
  }
  const documentChanges: (TextDocumentEdit | CreateFile)[] = [];
  for (const c of creates) {
    const uri = uriOf(c.file);
    documentChanges.push(CreateFile.create(uri, { overwrite: false, ignoreIfExists: true }));
    documentChanges.push(TextDocumentEdit.create(OptionalVersionedTextDocumentIdentifier.create(uri, null), [LspTextEdit.insert({ line: 0, character: 0 }, c.text)]));
  }
  for (const [file, l] of byFile) documentChanges.push(TextDocumentEdit.create(OptionalVersionedTextDocumentIdentifier.create(uriOf(file), versionOf(file)), l));
  return { documentChanges };
}

/**
 * Adds `uri` and `range` to every span ({file, start, end}) inside a JSON-like value, so clients
 * can open locations without knowing the server's file keys.
 */
export function withLocations<T>(value: T, lines: LineIndexes, uriOf: (file: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = walk(x);
    if (typeof o.file === 'string' && typeof o.start === 'number' && typeof o.end === 'number') {
      out.uri = uriOf(o.file);
      out.range = lines.range(o.file, o.start, o.end);
    }
    return out;
  };
  return walk(value) as T;
}
