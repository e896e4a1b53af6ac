/**
 * Rendered multi-document YAML (`helm template`, `kustomize build`, `kubectl get -o yaml` streams): which
 * document a position falls in, and the `# Source: <chart>/templates/<file>` comment Helm writes at the
 * head of each document, so a finding in piped input can name where its text came from.
 */

export interface RenderedDocument {
  /** 1-based, counting documents that hold content (not empty or comment-only ones) */
  index: number;
  start: number;
  end: number;
  /** Helm's `# Source:` path, when the document carries one */
  source?: string;
}

const SEPARATOR = /^---(?:[ \t].*)?$/;
const SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/;

export function renderedDocuments(text: string): RenderedDocument[] {
  const docs: RenderedDocument[] = [];
  let start = 0;
  let source: string | undefined;
  let content = false;
  let index = 0;
  const close = (end: number) => {
    if (content) docs.push({ index: ++index, start, end, source });
    source = undefined;
    content = false;
  };
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl).replace(/\r$/, '');
    if (SEPARATOR.test(line)) {
      close(pos);
      start = pos;
    } else if (line.trim() === '...') {
      close(nl);
      start = nl;
    } else {
      const m = SOURCE.exec(line);
      if (m && source === undefined && !content) source = m[1];
      else if (line.trim() && !line.trimStart().startsWith('#')) content = true;
    }
    pos = nl + 1;
  }
  close(text.length);
  return docs;
}

/** The document holding `offset` (binary search over `renderedDocuments`' result). */
export function documentAt(docs: readonly RenderedDocument[], offset: number): RenderedDocument | undefined {
  let lo = 0;
  let hi = docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (docs[mid].end < offset) lo = mid + 1;
    else if (docs[mid].start > offset) hi = mid - 1;
    else return docs[mid];
  }
  return undefined;
}
