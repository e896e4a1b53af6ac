/** The CLI's report formats: text (compiler-like), JSON, SARIF 2.1.0 and GitLab Code Quality. */
import type { Finding, Severity } from '../core/types';
import { RULES } from '../core/rules/registry';
import { ruleDocsUrl, REPOSITORY_URL } from '../core/docs';

export const VERSION = '0.1.0';
export const SEVERITIES: Severity[] = ['hint', 'information', 'warning', 'error'];

export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A finding as reported: 1-based positions, its fingerprint, and for piped input the document it sits in. */
export interface Item {
  f: Finding;
  pos: Position;
  fingerprint: string;
  origin?: { document: number; source?: string };
  related: { file: string; message: string; pos: Position }[];
}

export interface Summary {
  files: number;
  /** findings left out because the baseline holds them */
  baselined: number;
}

export function toText(items: Item[], s: Summary, color: boolean): string {
  const c = (code: string, x: string) => (color ? `\x1b[${code}m${x}\x1b[0m` : x);
  const col: Record<Severity, string> = { error: '31', warning: '33', information: '36', hint: '90' };
  const lines = items.map(({ f, pos, origin }) => {
    const from = origin ? ` ${c('2', `(document ${origin.document}${origin.source ? `, # Source: ${origin.source}` : ''})`)}` : '';
    const fixes = f.fixes?.length ? `\n    fix: ${f.fixes.map((x) => x.title).join(' | ')}` : '';
    return `${f.file}:${pos.line}:${pos.column}: ${c(col[f.severity], f.severity)} ${c('1', f.rule)} ${f.message}${from}${fixes}`;
  });
  const counts = SEVERITIES.slice()
    .reverse()
    .map((sev) => [sev, items.filter((i) => i.f.severity === sev).length] as const)
    .filter(([, n]) => n > 0)
    .map(([sev, n]) => `${n} ${sev}${n === 1 || sev === 'information' ? '' : 's'}`);
  const base = s.baselined ? ` (${s.baselined} more in the baseline, not shown)` : '';
  lines.push(`\n${s.files} file${s.files === 1 ? '' : 's'} checked: ${counts.length ? counts.join(', ') : 'no findings'}${base}.`);
  return lines.join('\n');
}

export function toJson(items: Item[], s: Summary) {
  return {
    version: 1,
    files: s.files,
    baselined: s.baselined,
    findings: items.map(({ f, pos, fingerprint, origin }) => ({
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      ...pos,
      message: f.message,
      fingerprint,
      ...(origin ? { document: origin.document, ...(origin.source ? { source: origin.source } : {}) } : {}),
      fixes: (f.fixes ?? []).map((x) => ({ title: x.title })),
    })),
  };
}

const sarifLevel = (s: Severity) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');

export function toSarif(items: Item[], docsText: (id: string) => string | undefined) {
  const ids = RULES.map((r) => r.id);
  for (const { f } of items) if (!ids.includes(f.rule)) ids.push(f.rule);
  const region = (p: Position) => ({ startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'meshlint',
            version: VERSION,
            informationUri: REPOSITORY_URL,
            rules: ids.map((id) => {
              const r = RULES.find((x) => x.id === id);
              const md = docsText(id);
              return {
                id,
                name: id.replace(/(^|-)(\w)/g, (_m, _d, ch: string) => ch.toUpperCase()),
                shortDescription: { text: r?.description ?? `meshlint input check ${id}` },
                helpUri: ruleDocsUrl(id),
                ...(md ? { help: { text: md, markdown: md } } : {}),
                defaultConfiguration: { level: sarifLevel(r?.defaultSeverity ?? 'error') },
              };
            }),
          },
        },
        results: items.map(({ f, pos, fingerprint, origin, related }) => ({
          ruleId: f.rule,
          ruleIndex: ids.indexOf(f.rule),
          level: sarifLevel(f.severity),
          message: { text: origin ? `${f.message} (document ${origin.document}${origin.source ? `, # Source: ${origin.source}` : ''})` : f.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(f.file) }, region: region(pos) } }],
          partialFingerprints: { 'meshlintFingerprint/v1': fingerprint },
          relatedLocations: related.map((r, i) => ({
            id: i,
            message: { text: r.message },
            physicalLocation: { artifactLocation: { uri: encodeURI(r.file) }, region: region(r.pos) },
          })),
        })),
      },
    ],
  };
}

/** GitLab Code Quality (the `codequality` report artifact): an array of issues with fingerprints. */
export function toGitlab(items: Item[]) {
  const sev: Record<Severity, string> = { error: 'critical', warning: 'major', information: 'minor', hint: 'info' };
  return items.map(({ f, pos, fingerprint }) => ({
    description: `${f.rule}: ${f.message}`,
    check_name: f.rule,
    fingerprint: `${fingerprint}-${hashPath(f.file)}`,
    severity: sev[f.severity],
    location: { path: f.file, lines: { begin: pos.line, end: pos.endLine } },
  }));
}

/** GitLab wants fingerprints unique across the report: the content fingerprint plus the path's. */
function hashPath(p: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** `meshlint rules`: one line per rule, or JSON. */
export function rulesTable(format: 'text' | 'json', inputRules: { id: string; defaultSeverity: Severity; description: string }[]): string {
  const all = [...RULES.map((r) => ({ id: r.id, defaultSeverity: r.defaultSeverity, description: r.description })), ...inputRules];
  if (format === 'json') return JSON.stringify(all.map((r) => ({ ...r, docs: ruleDocsUrl(r.id) })), null, 2);
  const w = Math.max(...all.map((r) => r.id.length));
  return all.map((r) => `${r.id.padEnd(w)}  ${r.defaultSeverity.padEnd(11)}  ${r.description}`).join('\n');
}
