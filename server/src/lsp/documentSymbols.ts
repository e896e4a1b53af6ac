/** textDocument/documentSymbol: the outline (objects by kind and name; nginx server/location/upstream blocks). */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import { documentSymbols, type MeshSymbol, type SymbolClass } from '../core/features/symbols';
import type { FeatureContext } from './context';

export const SYMBOL_KIND: Record<SymbolClass, SymbolKind> = {
  workload: SymbolKind.Class,
  service: SymbolKind.Interface,
  policy: SymbolKind.Event,
  routing: SymbolKind.Struct,
  config: SymbolKind.File,
  namespace: SymbolKind.Namespace,
  object: SymbolKind.Object,
  'nginx-server': SymbolKind.Module,
  'nginx-location': SymbolKind.Method,
  'nginx-upstream': SymbolKind.Package,
  'nginx-block': SymbolKind.Namespace,
};

function toSymbol(ctx: FeatureContext, s: MeshSymbol): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: SYMBOL_KIND[s.cls],
    range: ctx.range(s.file, s.start, s.end),
    selectionRange: ctx.range(s.file, s.selStart, s.selEnd),
    children: s.children.map((c) => toSymbol(ctx, c)),
  };
}

export function onDocumentSymbols(ctx: FeatureContext): DocumentSymbol[] {
  return documentSymbols(ctx.model, ctx.key).map((s) => toSymbol(ctx, s));
}
