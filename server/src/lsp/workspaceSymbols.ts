/** workspace/symbol: every Kubernetes object in the workspace, matched by name (or kind and name). */
import type { SymbolInformation, WorkspaceSymbolParams } from 'vscode-languageserver/node';
import type { MeshModel } from '../core/model/model';
import type { Range } from 'vscode-languageserver/node';
import { workspaceSymbols } from '../core/features/symbols';
import { SYMBOL_KIND } from './documentSymbols';

export function onWorkspaceSymbols(model: MeshModel, p: WorkspaceSymbolParams, range: (file: string, start: number, end: number) => Range, uri: (file: string) => string): SymbolInformation[] {
  return workspaceSymbols(model, p.query).map((s) => ({
    name: s.name,
    kind: SYMBOL_KIND[s.cls],
    containerName: s.detail,
    location: { uri: uri(s.file), range: range(s.file, s.selStart, s.selEnd) },
  }));
}
