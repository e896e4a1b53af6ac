/** What a language-feature handler gets: the model the request is answered from, and position conversion. */
import type { Location, Range } from 'vscode-languageserver/node';
import type { MeshModel } from '../core/model/model';
import type { LineIndex } from '../core/text';
import type { Span } from '../core/types';

export interface FeatureContext {
  /** the workspace key of the request's document */
  key: string;
  model: MeshModel;
  /** the document's text the model holds */
  text: string;
  li: LineIndex;
  /** ranges in any file of the model */
  range(file: string, start: number, end: number): Range;
  uri(file: string): string;
}

export function location(ctx: FeatureContext, s: Span): Location {
  return { uri: ctx.uri(s.file), range: ctx.range(s.file, s.start, s.end) };
}

export function offsetOf(ctx: FeatureContext, p: { line: number; character: number }): number {
  return ctx.li.offset(p.line, p.character);
}
