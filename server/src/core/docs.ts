/**
 * Where rule documentation lives. One place decides every URL meshlint prints (SARIF help URIs, `meshlint
 * rules`, the CLI's links): package.json `repository.url`. The extension links to its own bundled copy of
 * docs/rules instead (lsp/convert.ts).
 */
import { repository } from '../../../package.json';
import { INPUT_RULES } from './types';

export const REPOSITORY_URL = repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
export const DOCS_BASE_URL = `${REPOSITORY_URL}/blob/main/docs/rules/`;

/** Input checks (yaml-syntax, file-skipped...) share one page, docs/rules/input.md, one section each. */
export function ruleDocsUrl(id: string): string {
  return INPUT_IDS.has(id) ? `${DOCS_BASE_URL}input.md#${id}` : `${DOCS_BASE_URL}${id}.md`;
}

const INPUT_IDS = new Set<string>(Object.values(INPUT_RULES));
