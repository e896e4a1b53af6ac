/** textDocument/completion: names from the model where a name is expected, enum values where Istio has them. */
import { CompletionItemKind, type CompletionList, type CompletionParams } from 'vscode-languageserver/node';
import { complete, type CompletionClass } from '../core/features/completion';
import { FeatureContext, offsetOf } from './context';

const KIND: Record<CompletionClass, CompletionItemKind> = {
  service: CompletionItemKind.Reference,
  host: CompletionItemKind.Reference,
  subset: CompletionItemKind.EnumMember,
  gateway: CompletionItemKind.Reference,
  label: CompletionItemKind.Property,
  enum: CompletionItemKind.EnumMember,
  upstream: CompletionItemKind.Module,
  variable: CompletionItemKind.Variable,
};

export function onCompletion(ctx: FeatureContext, p: CompletionParams): CompletionList {
  const r = complete(ctx.model, ctx.key, ctx.text, offsetOf(ctx, p.position));
  return {
    isIncomplete: r.incomplete,
    items: r.items.map((c) => ({
    label: c.label,
    kind: KIND[c.cls],
    detail: c.detail,
    sortText: c.sort,
    textEdit: { range: ctx.range(ctx.key, c.start, c.end), newText: c.insert ?? c.label },
    })),
  };
}
