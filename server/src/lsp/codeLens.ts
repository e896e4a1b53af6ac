/** textDocument/codeLens: mesh membership, mTLS and callers above each Service and workload; click: its references. */
import type { CodeLens } from 'vscode-languageserver/node';
import { codeLenses } from '../core/features/codeLens';
import { references, subjectAt } from '../core/features/navigate';
import { FeatureContext, location } from './context';

/** The client turns this command's JSON arguments into editor.action.showReferences (client/src/extension.ts). */
export const SHOW_REFERENCES_COMMAND = 'meshlint.showReferences';

export function onCodeLens(ctx: FeatureContext): CodeLens[] {
  return codeLenses(ctx.model, ctx.key).map((l) => {
    const pos = ctx.range(ctx.key, l.start, l.start);
    const name = ctx.range(ctx.key, l.nameOffset, l.nameOffset).start;
    const subject = l.references ? subjectAt(ctx.model, ctx.key, l.nameOffset) : undefined;
    const locs = subject ? references(ctx.model, subject).map((r) => location(ctx, r.from)) : [];
    return {
      range: pos,
      command: locs.length ? { title: l.title, command: SHOW_REFERENCES_COMMAND, arguments: [ctx.uri(ctx.key), name, locs] } : { title: l.title, command: '' },
    };
  });
}
