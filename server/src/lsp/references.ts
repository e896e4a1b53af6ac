/** textDocument/references: every file that names the Service, workload, Gateway, ConfigMap or subset under the cursor. */
import type { Location, ReferenceParams } from 'vscode-languageserver/node';
import { references, subjectAt } from '../core/features/navigate';
import { FeatureContext, location, offsetOf } from './context';

export function onReferences(ctx: FeatureContext, p: ReferenceParams): Location[] {
  const subject = subjectAt(ctx.model, ctx.key, offsetOf(ctx, p.position));
  if (!subject) return [];
  const out = references(ctx.model, subject).map((l) => location(ctx, l.from));
  if (p.context.includeDeclaration && subject.nameSpan) out.unshift(location(ctx, subject.nameSpan));
  const seen = new Set<string>();
  return out.filter((l) => {
    const k = `${l.uri}:${l.range.start.line}:${l.range.start.character}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
