/**
 * meshlint's custom LSP messages, shared by the server and the client (types and names only).
 */
import type { CoverageData, CoverageSummary } from '../core/features/coverage';
import type { MeshGraph } from '../core/features/graph';

/** Request `meshlint/coverage`: the mTLS coverage tree data (waits for the first index). */
export const COVERAGE_REQUEST = 'meshlint/coverage';
export interface CoverageParams {
  /** only this namespace; the summary is then the namespace's */
  namespace?: string;
}
export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
/** Spans in the coverage data carry the file's URI and LSP range next to the core's offsets. */
export interface LspSpan {
  file: string;
  start: number;
  end: number;
  uri: string;
  range: LspRange;
}
export type CoverageResult = CoverageData & { generation: number };
export type { CoverageData, CoverageSummary };

/** Notification `meshlint/modelChanged` (server -> client): a new analysis is available. */
export const MODEL_CHANGED_NOTIFICATION = 'meshlint/modelChanged';
export interface ModelChangedParams {
  generation: number;
  files: number;
  findings: number;
}

/** Notification `meshlint/status` (server -> client): drives the status bar item. */
export const STATUS_NOTIFICATION = 'meshlint/status';
export interface StatusParams {
  state: 'indexing' | 'ready';
  /** "Indexing 1,234 files" / "meshlint: 7 findings in 5 files" */
  message: string;
  done?: number;
  total?: number;
  /** rules that threw during the last analysis (the others still ran) */
  ruleErrors?: string[];
}

/** Request `meshlint/graph`: the mesh graph (spans carry uri and range), for the graph webview. */
export const GRAPH_REQUEST = 'meshlint/graph';
export interface GraphParams {
  namespace?: string;
}
export type GraphResult = MeshGraph & { generation: number };
