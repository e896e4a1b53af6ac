/** textDocument/prepareRename and rename: a Service, Gateway, ConfigMap or subset across every file that names it. */
import { ResponseError, ErrorCodes, type PrepareRenameParams, type Range, type RenameParams, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import { rename, subjectAt } from '../core/features/navigate';
import { FeatureContext, offsetOf } from './context';
import type { EditSupport } from './convert';

export function onPrepareRename(ctx: FeatureContext, p: PrepareRenameParams): { range: Range; placeholder: string } | null {
  const s = subjectAt(ctx.model, ctx.key, offsetOf(ctx, p.position));
  if (!s?.nameSpan) return null;
  const probe = rename(ctx.model, s, 'x');
  if ('error' in probe) throw new ResponseError(ErrorCodes.InvalidRequest, probe.error);
  const name = s.subset ?? s.obj.name;
  return { range: ctx.range(s.nameSpan.file, s.nameSpan.start, s.nameSpan.end), placeholder: name };
}

/**
 * A rename that reaches other files is previewed: with a client that supports change annotations the
 * edits carry one annotation that needs confirmation (VS Code opens the refactor preview).
 */
export function onRename(ctx: FeatureContext, p: RenameParams, support: EditSupport): WorkspaceEdit {
  const s = subjectAt(ctx.model, ctx.key, offsetOf(ctx, p.position));
  if (!s) throw new ResponseError(ErrorCodes.InvalidRequest, 'nothing to rename here');
  const r = rename(ctx.model, s, p.newName);
  if ('error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error);
  const changes: Record<string, TextEdit[]> = {};
  for (const e of r.edits) (changes[ctx.uri(e.file)] ??= []).push({ range: ctx.range(e.file, e.start, e.end), newText: e.newText });
  const files = Object.keys(changes);
  if (!(support.annotations && support.documentChanges && files.length > 1)) return { changes };
  const id = 'meshlint.rename';
  const what = s.subset !== undefined ? `subset ${s.subset}` : `${s.obj.kind} ${s.obj.name}`;
  return {
    changeAnnotations: { [id]: { label: `Rename ${what} to ${p.newName}`, needsConfirmation: true, description: `${r.edits.length} places in ${files.length} files` } },
    documentChanges: files.map((uri) => ({ textDocument: { uri, version: null }, edits: changes[uri].map((e) => ({ ...e, annotationId: id })) })),
  };
}
