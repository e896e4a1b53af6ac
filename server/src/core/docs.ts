/**
 * Where rule documentation lives. One place decides every URL meshlint prints (SARIF help URIs, `meshlint
 * rules`, the CLI's links): package.json `repository.url`. The extension links to its own bundled copy of
 * docs/rules instead (lsp/convert.ts).
 */
import { repository } from '../../../package.json';
import { INPUT_RULES } from './types';

export const REPOSITORY_URL = repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
export const DOCS_BASE_URL = `${REPOSITORY_URL}/blob/main/docs/rules/`;

/** The rule's page under docs/rules: input checks (yaml-syntax, file-skipped...) share input.md, one section each. */
export function ruleDocsPage(id: string): { file: string; anchor?: string } {
  return INPUT_IDS.has(id) ? { file: 'input.md', anchor: id } : { file: `${id}.md` };
}

export function ruleDocsUrl(id: string): string {
  const p = ruleDocsPage(id);
  return `${DOCS_BASE_URL}${p.file}${p.anchor ? `#${p.anchor}` : ''}`;
}

const INPUT_IDS = new Set<string>(Object.values(INPUT_RULES));
