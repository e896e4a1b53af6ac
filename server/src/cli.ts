/**
 * `meshlint check [paths...] [--format text|json|sarif] [--severity <min>]`
 * Exit 0: nothing at or above --severity; 1: findings; 2: usage or I/O error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace, severityAtLeast, LineIndex } from './core/engine';
import type { Finding, Severity } from './core/types';
import { RULES } from './core/rules/registry';
import { discover, readText } from './workspace/discover';
import { DOCS_BASE_URL, ruleDocsUrl } from './core/docs';

const VERSION = '0.1.0';
const SEVERITIES: Severity[] = ['hint', 'information', 'warning', 'error'];

class UsageError extends Error {}

interface Args {
  paths: string[];
  format: 'text' | 'json' | 'sarif';
  severity: Severity;
  excludes: string[];
  maxFileSize?: number;
  noColor: boolean;
}

const USAGE = `usage: meshlint check [paths...] [--format text|json|sarif] [--severity hint|information|warning|error] [--exclude <glob>]...
Checks Kubernetes manifests and nginx configs for Istio service-mesh mistakes.
Exit codes: 0 nothing at or above --severity (default warning), 1 findings, 2 usage or I/O error.`;

function parseArgs(argv: string[]): Args | 'help' | 'version' {
  const a: Args = { paths: [], format: 'text', severity: 'warning', excludes: [], noColor: !process.stdout.isTTY || !!process.env.NO_COLOR };
  let i = 0;
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return 'help';
  if (argv[0] === '--version' || argv[0] === '-v') return 'version';
  if (argv[0] !== 'check') throw new UsageError(argv[0] ? `unknown command "${argv[0]}" (expected "check")` : 'missing command "check"');
  for (i = 1; i < argv.length; i++) {
    const x = argv[i];
    const val = () => {
      const eq = x.indexOf('=');
      if (eq > 0) return x.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${x} needs a value`);
      return v;
    };
    if (x === '--help' || x === '-h') return 'help';
    if (x.startsWith('--format') || x === '-f') {
      const v = val();
      if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format must be text, json or sarif (got "${v}")`);
      a.format = v;
    } else if (x.startsWith('--severity')) {
      const v = val() as Severity;
      if (!SEVERITIES.includes(v)) throw new UsageError(`--severity must be one of ${SEVERITIES.join(', ')} (got "${v}")`);
      a.severity = v;
    } else if (x.startsWith('--exclude')) a.excludes.push(val());
    else if (x.startsWith('--max-file-size')) {
      const n = Number(val());
      if (!Number.isFinite(n) || n <= 0) throw new UsageError('--max-file-size takes a number of bytes');
      a.maxFileSize = n;
    } else if (x === '--no-color') a.noColor = true;
    else if (x.startsWith('-')) throw new UsageError(`unknown option ${x}`);
    else a.paths.push(x);
  }
  if (!a.paths.length) a.paths.push('.');
  return a;
}

function rel(abs: string): string {
  const r = path.relative(process.cwd(), abs);
  return (r === '' ? '.' : r).split(path.sep).join('/');
}

export function run(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  let args: Args | 'help' | 'version';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`meshlint: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args === 'help') {
    out(USAGE);
    return 0;
  }
  if (args === 'version') {
    out(VERSION);
    return 0;
  }
  const ws = new Workspace({ maxFileSize: args.maxFileSize });
  let count = 0;
  for (const p of args.paths) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) {
      err(`meshlint: cannot read ${p}: no such file or directory`);
      return 2;
    }
    for (const file of discover(abs, { excludes: args.excludes })) {
      const t = readText(file, args.maxFileSize ?? 5 * 1024 * 1024);
      if (t === undefined) continue; // vanished between listing and reading
      ws.set({ path: rel(file), text: t.text, size: t.size });
      count++;
    }
  }
  const result = ws.analyze();
  for (const e of result.ruleErrors) err(`meshlint: rule ${e.rule} failed (other rules still ran): ${e.message.split('\n')[0]}`);
  const findings = result.findings.filter((f) => severityAtLeast(f.severity, args.severity === 'error' ? 'error' : 'hint'));
  const shown = findings.filter((f) => severityAtLeast(f.severity, minShown(args.severity)));
  const failing = result.findings.filter((f) => severityAtLeast(f.severity, args.severity));
  const idx = new Map<string, LineIndex>();
  const li = (file: string) => {
    let x = idx.get(file);
    if (!x) idx.set(file, (x = new LineIndex(ws.text(file) ?? '')));
    return x;
  };
  if (args.format === 'json') out(JSON.stringify(toJson(shown, count, li), null, 2));
  else if (args.format === 'sarif') out(JSON.stringify(toSarif(shown, li), null, 2));
  else out(toText(shown, count, li, !args.noColor));
  return failing.length ? 1 : 0;
}

/** Text and JSON show everything from information up (hints only when asked for). */
function minShown(sev: Severity): Severity {
  return sev === 'hint' ? 'hint' : 'information';
}

function pos(f: Finding, li: (file: string) => LineIndex) {
  const x = li(f.file);
  const s = x.position(f.start);
  const e = x.position(f.end);
  return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
}

function toText(fs_: Finding[], files: number, li: (file: string) => LineIndex, color: boolean): string {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const col: Record<Severity, string> = { error: '31', warning: '33', information: '36', hint: '90' };
  const lines = fs_.map((f) => {
    const p = pos(f, li);
    const fixes = f.fixes?.length ? `\n    fix: ${f.fixes.map((x) => x.title).join(' | ')}` : '';
    return `${f.file}:${p.line}:${p.column}: ${c(col[f.severity], f.severity)} ${c('1', f.rule)} ${f.message}${fixes}`;
  });
  const counts = SEVERITIES.slice()
    .reverse()
    .map((s) => [s, fs_.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 ? '' : s === 'information' ? '' : 's'}`);
  lines.push(`\n${files} file${files === 1 ? '' : 's'} checked: ${counts.length ? counts.join(', ') : 'no findings'}.`);
  return lines.join('\n');
}

function toJson(fs_: Finding[], files: number, li: (file: string) => LineIndex) {
  return {
    version: 1,
    files,
    findings: fs_.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      ...pos(f, li),
      message: f.message,
      fixes: (f.fixes ?? []).map((x) => ({ title: x.title })),
    })),
  };
}

function toSarif(fs_: Finding[], li: (file: string) => LineIndex) {
  const level = (s: Severity) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');
  const ids = [...RULES.map((r) => r.id)];
  for (const f of fs_) if (!ids.includes(f.rule)) ids.push(f.rule);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'meshlint',
            version: VERSION,
            informationUri: DOCS_BASE_URL,
            rules: ids.map((id) => {
              const r = RULES.find((x) => x.id === id);
              return {
                id,
                name: id.replace(/(^|-)(\w)/g, (_m, _d, ch: string) => ch.toUpperCase()),
                shortDescription: { text: r?.description ?? `meshlint input check ${id}` },
                helpUri: ruleDocsUrl(id),
                defaultConfiguration: { level: level(r?.defaultSeverity ?? 'error') },
              };
            }),
          },
        },
        results: fs_.map((f) => {
          const p = pos(f, li);
          return {
            ruleId: f.rule,
            ruleIndex: ids.indexOf(f.rule),
            level: level(f.severity),
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: encodeURI(f.file) },
                  region: { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn },
                },
              },
            ],
            relatedLocations: (f.related ?? []).map((r, i) => {
              const rp = pos({ ...f, file: r.span.file, start: r.span.start, end: r.span.end }, li);
              return {
                id: i,
                message: { text: r.message },
                physicalLocation: { artifactLocation: { uri: encodeURI(r.span.file) }, region: { startLine: rp.line, startColumn: rp.column, endLine: rp.endLine, endColumn: rp.endColumn } },
              };
            }),
          };
        }),
      },
    ],
  };
}

if (require.main === module || process.argv[1]?.endsWith('meshlint.js') || process.argv[1]?.endsWith('cli.js')) {
  let code: number;
  try {
    code = run(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  } catch (e) {
    process.stderr.write(`meshlint: ${(e as Error).message}\n`);
    code = 2;
  }
  process.exitCode = code;
}
