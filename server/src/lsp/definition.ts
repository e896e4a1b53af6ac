/** textDocument/definition: from a reference (proxy_pass host, selector, host, subset, gateway...) to what it names. */
import type { DefinitionParams, LocationLink } from 'vscode-languageserver/node';
import { definition } from '../core/features/navigate';
import { FeatureContext, offsetOf } from './context';

export function onDefinition(ctx: FeatureContext, p: DefinitionParams): LocationLink[] {
  return definition(ctx.model, ctx.key, offsetOf(ctx, p.position)).map((l) => ({
    originSelectionRange: ctx.range(l.from.file, l.from.start, l.from.end),
    targetUri: ctx.uri(l.to.file),
    targetRange: ctx.range(l.to.file, l.to.start, l.to.end),
    targetSelectionRange: ctx.range(l.to.file, l.to.start, l.to.end),
  }));
}
