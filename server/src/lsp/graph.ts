/** `meshlint/graph`: the mesh graph of the current analysis, with LSP locations for the webview's clicks. */
import type { AnalysisResult } from '../core/engine';
import { meshGraph } from '../core/features/graph';
import { LineIndexes, withLocations } from './convert';
import type { GraphParams, GraphResult } from './protocol';

export function onGraph(result: AnalysisResult, generation: number, p: GraphParams, lines: LineIndexes, uriOf: (file: string) => string): GraphResult {
  const g = meshGraph(result.model, result.findings, { namespace: typeof p.namespace === 'string' && p.namespace ? p.namespace : undefined });
  return withLocations({ ...g, generation }, lines, uriOf);
}
