/** Where rule documentation lives. The extension links to its own bundled copy; CLI/SARIF use the repository. */
export const DOCS_BASE_URL = 'https://github.com/meshlint/meshlint/blob/main/docs/rules/';

export function ruleDocsUrl(id: string): string {
  return `${DOCS_BASE_URL}${id}.md`;
}
