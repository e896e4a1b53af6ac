/**
 * The command line: `meshlint check`, `meshlint rules`, `meshlint explain <rule>`. Usage and exit codes: USAGE.
 * Thin over the core: discovery and config on disk, analysis in core/engine, reports in cli/format.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace, severityAtLeast, LineIndex } from './core/engine';
import type { Finding, Severity } from './core/types';
import { INPUT_RULE_INFO } from './core/types';
import { RULES } from './core/rules/registry';
import { discover, readText } from './workspace/discover';
import { findConfigFile, loadConfigFile, LoadedConfig } from './workspace/config';
import { EMPTY_CONFIG, MeshlintConfig, mergeConfig, RuleInfo, RuleSetting, SEVERITY_ALIASES } from './core/config';
import { fingerprints } from './core/fingerprint';
import { meshGraph, toDot, toMermaid } from './core/features/graph';
import { graphHtml } from './graph/html';
import { ruleDocsPage } from './core/docs';
import { renderedDocuments, documentAt, RenderedDocument } from './core/source/rendered';
import { Item, Position, SEVERITIES, VERSION, toGitlab, toJson, toSarif, toText, rulesTable } from './cli/format';
import { applyBaseline, baselinePath, BaselineError, DEFAULT_BASELINE, readBaseline, writeBaseline } from './cli/baseline';

class UsageError extends Error {}

type Format = 'text' | 'json' | 'sarif' | 'gitlab' | 'dot' | 'mermaid' | 'html';

interface CheckArgs {
  /** graph: the same inputs, the mesh graph out */
  cmd: 'check' | 'graph';
  /** graph: only this namespace (and its callers) */
  namespace?: string;
  paths: string[];
  stdin: boolean;
  stdinFilename?: string;
  format: Format;
  severity: Severity;
  excludes: string[];
  rules: Record<string, RuleSetting>;
  istioVersion?: string;
  maxFileSize?: number;
  color?: boolean;
  config?: string;
  noConfig: boolean;
  quiet: boolean;
  maxWarnings?: number;
  output?: string;
  baseline?: string;
  noBaseline: boolean;
  writeBaseline: boolean;
}

type Command = CheckArgs | { cmd: 'help' } | { cmd: 'version' } | { cmd: 'rules'; format: 'text' | 'json' } | { cmd: 'explain'; rule: string; color?: boolean };

export const USAGE = `usage: meshlint check [paths... | -] [options]
       meshlint graph [paths... | -] [--format json|dot|mermaid|html] [--namespace NS] [--output FILE]
       meshlint rules [--format text|json]
       meshlint explain <rule>

Checks Kubernetes manifests and nginx configs for Istio service-mesh mistakes.

check options:
  -f, --format text|json|sarif|gitlab   report format (gitlab: Code Quality JSON)      [text]
  --severity hint|information|warning|error
                             lowest severity that fails the run                          [warning]
  --max-warnings N           fail only when there are more than N warnings (errors always fail)
  --quiet                    report errors only
  -o, --output FILE          write the report to FILE instead of stdout
  --color, --no-color        colour the text report                         [when stdout is a TTY]
  --config FILE              use this config instead of .meshlint.yaml found upward from the first path
  --no-config                ignore .meshlint.yaml
  --rule ID=SEVERITY         set a rule's severity or off (repeatable; wins over the config file)
  --exclude GLOB             skip matching files (repeatable; adds to the config's exclude)
  --istio-version 1.N        the Istio release assumed where behaviour changed                [1.24]
  --max-file-size BYTES      skip files larger than this                                  [5 MB]
  --baseline FILE            leave out the findings recorded in FILE     [config "baseline", if set]
  --no-baseline              report every finding even when a baseline is configured
  --write-baseline           record today's findings in the baseline file and exit 0
                             (--baseline FILE, the config's, or ${DEFAULT_BASELINE})
  -                          read one file from stdin (helm template ... | meshlint check -)
  --stdin-filename NAME      the name stdin is reported under and classified by         [<stdin>.yaml]

Exit codes: 0 nothing fails; 1 findings at or above --severity (or more than --max-warnings warnings);
2 usage, configuration or I/O error.`;

const flag = (x: string, ...names: string[]) => names.some((n) => x === n || x.startsWith(n + '='));

function parseArgs(argv: string[]): Command {
  const first = argv[0];
  if (first === undefined) throw new UsageError('missing command (check, rules or explain)');
  if (first === '--help' || first === '-h' || first === 'help') return { cmd: 'help' };
  if (first === '--version' || first === '-v' || first === 'version') return { cmd: 'version' };
  let i = 1;
  const x = () => argv[i];
  const val = () => {
    const a = argv[i];
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${a} needs a value`);
    return v;
  };
  if (first === 'rules') {
    let format: 'text' | 'json' = 'text';
    for (; i < argv.length; i++) {
      if (flag(x(), '--format', '-f')) {
        const v = val();
        if (v !== 'text' && v !== 'json') throw new UsageError(`meshlint rules: --format must be text or json (got "${v}")`);
        format = v;
      } else throw new UsageError(`meshlint rules: unexpected argument ${x()}`);
    }
    return { cmd: 'rules', format };
  }
  if (first === 'explain') {
    const rest = argv.slice(1).filter((a) => a !== '--no-color' && a !== '--color');
    if (rest.length !== 1 || rest[0].startsWith('-')) throw new UsageError('meshlint explain takes one rule id (see `meshlint rules`)');
    return { cmd: 'explain', rule: rest[0], color: argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined };
  }
  if (first !== 'check' && first !== 'graph') throw new UsageError(`unknown command "${first}" (expected check, graph, rules or explain)`);
  const a: CheckArgs = { cmd: first, paths: [], stdin: false, format: 'text', severity: 'warning', excludes: [], rules: {}, noConfig: false, quiet: false, noBaseline: false, writeBaseline: false };
  for (; i < argv.length; i++) {
    const arg = x();
    if (arg === '--help' || arg === '-h') return { cmd: 'help' };
    if (flag(arg, '--format', '-f')) {
      const v = val();
      const ok = first === 'graph' ? ['json', 'dot', 'mermaid', 'html'] : ['text', 'json', 'sarif', 'gitlab'];
      if (!ok.includes(v)) throw new UsageError(first === 'graph' ? `meshlint graph: --format must be json, dot, mermaid or html (got "${v}")` : `--format must be text, json, sarif or gitlab (got "${v}")`);
      a.format = v as Format;
    } else if (first === 'graph' && flag(arg, '--namespace', '-n')) {
      a.namespace = val();
    } else if (flag(arg, '--severity')) {
      const v = val() as Severity;
      if (!SEVERITIES.includes(v)) throw new UsageError(`--severity must be one of ${SEVERITIES.join(', ')} (got "${v}")`);
      a.severity = v;
    } else if (flag(arg, '--max-warnings')) {
      const v = val();
      if (!/^\d+$/.test(v)) throw new UsageError(`--max-warnings takes a whole number (got "${v}")`);
      a.maxWarnings = Number(v);
    } else if (arg === '--quiet' || arg === '-q') a.quiet = true;
    else if (flag(arg, '--output', '-o')) a.output = val();
    else if (arg === '--color') a.color = true;
    else if (arg === '--no-color') a.color = false;
    else if (flag(arg, '--config', '-c')) a.config = val();
    else if (arg === '--no-config') a.noConfig = true;
    else if (flag(arg, '--rule')) {
      const v = val();
      const m = /^([a-z0-9-]+)[=:](\w+)$/.exec(v);
      const sev = m ? SEVERITY_ALIASES[m[2].toLowerCase()] : undefined;
      if (!m || !sev) throw new UsageError(`--rule takes ID=SEVERITY with a severity of error, warning, information, hint or off (got "${v}")`);
      if (!allRules().some((r) => r.id === m[1])) throw new UsageError(`--rule: unknown rule "${m[1]}" (\`meshlint rules\` lists them)`);
      a.rules[m[1]] = sev;
    } else if (flag(arg, '--exclude')) a.excludes.push(val());
    else if (flag(arg, '--istio-version')) {
      const v = val();
      if (!/^1\.\d{1,2}(\.\d+)?$/.test(v)) throw new UsageError(`--istio-version takes a release such as 1.24 (got "${v}")`);
      a.istioVersion = v.split('.').slice(0, 2).join('.');
    } else if (flag(arg, '--max-file-size')) {
      const n = Number(val());
      if (!Number.isFinite(n) || n <= 0) throw new UsageError('--max-file-size takes a number of bytes');
      a.maxFileSize = n;
    } else if (flag(arg, '--baseline')) a.baseline = val();
    else if (arg === '--no-baseline') a.noBaseline = true;
    else if (arg === '--write-baseline') a.writeBaseline = true;
    else if (flag(arg, '--stdin-filename')) a.stdinFilename = val();
    else if (arg === '-') a.stdin = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else a.paths.push(arg);
  }
  if (a.stdinFilename !== undefined && !a.stdin) a.stdin = true; // --stdin-filename implies reading stdin
  if (!a.paths.length && !a.stdin) a.paths.push('.');
  if (first === 'graph' && a.format === 'text') a.format = 'json';
  if (a.writeBaseline && a.noBaseline) throw new UsageError('--write-baseline and --no-baseline contradict each other');
  return a;
}

function allRules(): RuleInfo[] {
  return [...RULES.map((r) => ({ id: r.id, description: r.description, defaultSeverity: r.defaultSeverity })), ...INPUT_RULE_INFO];
}

function rel(abs: string): string {
  const r = path.relative(process.cwd(), abs);
  return (r === '' ? '.' : r).split(path.sep).join('/');
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stdin's whole text (tests pass a string; the binary reads fd 0) */
  stdin?: () => string;
  isTTY?: boolean;
}

export function run(argv: string[], out: (s: string) => void, err: (s: string) => void, io: Partial<Io> = {}): number {
  let cmd: Command;
  try {
    cmd = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`meshlint: ${e.message}\nRun \`meshlint --help\` for usage.`);
      return 2;
    }
    throw e;
  }
  const color = (explicit: boolean | undefined) => explicit ?? (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0' ? true : !!io.isTTY && !process.env.NO_COLOR);
  switch (cmd.cmd) {
    case 'help':
      out(USAGE);
      return 0;
    case 'version':
      out(VERSION);
      return 0;
    case 'rules':
      out(rulesTable(cmd.format, INPUT_RULE_INFO));
      return 0;
    case 'explain': {
      const r = allRules().find((x) => x.id === cmd.rule);
      if (!r) {
        err(`meshlint: unknown rule "${cmd.rule}" (\`meshlint rules\` lists them)`);
        return 2;
      }
      const md = docsPage(r.id);
      out(md ? terminalMarkdown(md, color(cmd.color)) : `${r.id} (${r.defaultSeverity}): ${r.description}`);
      return 0;
    }
  }
  try {
    return cmd.cmd === 'graph' ? graphCommand(cmd, out, err, io) : check(cmd, out, err, io, color(cmd.color));
  } catch (e) {
    if (e instanceof UsageError || e instanceof BaselineError) {
      err(`meshlint: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

interface Loaded {
  ws: Workspace;
  count: number;
  loaded?: LoadedConfig;
  cfg: MeshlintConfig;
  stdinPath?: string;
  stdinDocs?: RenderedDocument[];
  result: ReturnType<Workspace['analyze']>;
}

/** Config, files and stdin in, one analysis out (check and graph share it); a number is an exit code. */
function load(a: CheckArgs, err: (s: string) => void, io: Partial<Io>): Loaded | number {
  // configuration: --config, else .meshlint.yaml upward from the first path (or the cwd for stdin)
  let loaded: LoadedConfig | undefined;
  if (!a.noConfig) {
    const file = a.config ? path.resolve(a.config) : findConfigFile(a.paths[0] ?? (a.stdinFilename ? path.dirname(path.resolve(a.stdinFilename)) : '.'));
    if (a.config && !fs.existsSync(file!)) throw new UsageError(`cannot read config ${a.config}: no such file`);
    if (file) {
      loaded = loadConfigFile(file, allRules());
      if (loaded.problems.length) {
        for (const p of loaded.problems) err(`${rel(file)}:${p.line}:${p.column}: config error: ${p.message}`);
        err(`meshlint: ${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'} in ${rel(file)}; nothing was checked`);
        return 2;
      }
    }
  }
  const flags: Partial<MeshlintConfig> = { rules: a.rules, meshConfig: { istioVersion: a.istioVersion }, maxFileSize: a.maxFileSize, baseline: a.baseline };
  const cfg = mergeConfig(loaded?.config ?? EMPTY_CONFIG, flags);
  const maxFileSize = cfg.maxFileSize ?? 5 * 1024 * 1024;
  const ws = new Workspace({ maxFileSize, rules: cfg.rules, meshConfig: cfg.meshConfig });
  let count = 0;
  // the config's excludes are relative to its folder; --exclude globs to each checked path
  const configExcludes = loaded && loaded.config.exclude.length ? { base: loaded.dir, globs: loaded.config.exclude } : undefined;
  for (const p of a.paths) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) throw new UsageError(`cannot read ${p}: no such file or directory`);
    for (const file of discover(abs, { excludes: a.excludes, baseExcludes: configExcludes })) {
      const t = readText(file, maxFileSize);
      if (t === undefined) continue; // vanished between listing and reading
      ws.set({ path: rel(file), text: t.text, size: t.size });
      count++;
    }
  }
  let stdinPath: string | undefined;
  let stdinDocs: RenderedDocument[] | undefined;
  if (a.stdin) {
    let text: string;
    try {
      text = io.stdin ? io.stdin() : fs.readFileSync(0, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read stdin: ${(e as Error).message}`);
    }
    stdinPath = a.stdinFilename ? rel(path.resolve(a.stdinFilename)) : '<stdin>.yaml';
    ws.set({ path: stdinPath, text });
    stdinDocs = renderedDocuments(text);
    count++;
  }
  const result = ws.analyze();
  for (const e of result.ruleErrors) err(`meshlint: rule ${e.rule} failed (other rules still ran): ${e.message.split('\n')[0]}`);
  return { ws, count, loaded, cfg, stdinPath, stdinDocs, result };
}

/** `meshlint graph`: who calls whom, as JSON, DOT, Mermaid or one self-contained HTML page. */
function graphCommand(a: CheckArgs, out: (s: string) => void, err: (s: string) => void, io: Partial<Io>): number {
  const l = load(a, err, io);
  if (typeof l === 'number') return l;
  const g = meshGraph(l.result.model, l.result.findings, { namespace: a.namespace });
  const text = a.format === 'dot' ? toDot(g) : a.format === 'mermaid' ? toMermaid(g) : a.format === 'html' ? graphHtml(g, { title: `meshlint: mesh graph of ${a.paths.join(' ')}` }) : JSON.stringify(g, null, 2);
  if (a.output) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(a.output)), { recursive: true });
      fs.writeFileSync(a.output, text + '\n');
    } catch (e) {
      throw new UsageError(`cannot write ${a.output}: ${(e as Error).message}`);
    }
    err(`meshlint: wrote the graph (${g.nodes.length} nodes, ${g.edges.length} edges) to ${a.output}`);
  } else out(text);
  return 0;
}

function check(a: CheckArgs, out: (s: string) => void, err: (s: string) => void, io: Partial<Io>, color: boolean): number {
  const l = load(a, err, io);
  if (typeof l === 'number') return l;
  const { ws, count, loaded, cfg, stdinPath, stdinDocs, result } = l;

  const idx = new Map<string, LineIndex>();
  const li = (file: string) => {
    let x = idx.get(file);
    if (!x) idx.set(file, (x = new LineIndex(ws.text(file) ?? '')));
    return x;
  };
  const pos = (file: string, start: number, end: number): Position => {
    const x = li(file);
    const s = x.position(start);
    const e = x.position(end);
    return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
  };
  const all = result.findings;
  const fps = fingerprints(all, (f) => ws.text(f));
  let items: (Item & { rule: string; file: string })[] = all.map((f, i) => {
    const d = f.file === stdinPath && stdinDocs ? documentAt(stdinDocs, f.start) : undefined;
    return {
      f,
      rule: f.rule,
      file: f.file,
      pos: pos(f.file, f.start, f.end),
      fingerprint: fps[i],
      origin: d && (stdinDocs!.length > 1 || d.source) ? { document: d.index, source: d.source } : undefined,
      related: (f.related ?? []).map((r) => ({ file: r.span.file, message: r.message, pos: pos(r.span.file, r.span.start, r.span.end) })),
    };
  });

  // the baseline: relative paths in the config resolve against the config's folder
  const baselineFile = cfg.baseline ? path.resolve(a.baseline ? '.' : loaded?.dir ?? '.', cfg.baseline) : path.resolve(loaded?.dir ?? '.', DEFAULT_BASELINE);
  if (a.writeBaseline) {
    const entries = items.map((it) => ({ rule: it.rule, file: baselinePath(it.file, baselineFile), fingerprint: it.fingerprint, message: it.f.message.slice(0, 200) }));
    writeBaseline(baselineFile, entries);
    err(`meshlint: wrote ${entries.length} finding${entries.length === 1 ? '' : 's'} to ${rel(baselineFile)}; later runs with it report only new ones`);
    return 0;
  }
  let baselined = 0;
  if (cfg.baseline && !a.noBaseline) {
    if (!fs.existsSync(baselineFile)) throw new BaselineError(`baseline ${rel(baselineFile)} does not exist (write it with --write-baseline)`);
    const counts = readBaseline(baselineFile);
    const keyed = items.map((it) => ({ ...it, file: baselinePath(it.file, baselineFile) }));
    const { fresh, known } = applyBaseline(keyed, counts);
    const keep = new Set(fresh.map((x) => x.f));
    items = items.filter((it) => keep.has(it.f));
    baselined = known;
  }

  // what is reported and what fails
  const minShown: Severity = a.quiet ? 'error' : a.severity === 'hint' ? 'hint' : 'information';
  const shown = items.filter((it) => severityAtLeast(it.f.severity, minShown));
  const errors = items.filter((it) => it.f.severity === 'error').length;
  const warnings = items.filter((it) => it.f.severity === 'warning').length;
  let failing: boolean;
  if (a.maxWarnings !== undefined) {
    const below = items.filter((it) => it.f.severity !== 'error' && it.f.severity !== 'warning' && severityAtLeast(it.f.severity, a.severity)).length;
    failing = errors > 0 || warnings > a.maxWarnings || below > 0;
    if (warnings > a.maxWarnings) err(`meshlint: ${warnings} warnings (more than --max-warnings ${a.maxWarnings})`);
  } else failing = items.some((it) => severityAtLeast(it.f.severity, a.severity));

  const summary = { files: count, baselined };
  const docsText = (id: string) => docsPage(id);
  const report =
    a.format === 'json'
      ? JSON.stringify(toJson(shown, summary), null, 2)
      : a.format === 'sarif'
        ? JSON.stringify(toSarif(shown, docsText), null, 2)
        : a.format === 'gitlab'
          ? JSON.stringify(toGitlab(shown), null, 2)
          : toText(shown, summary, color && !a.output);
  if (a.output) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(a.output)), { recursive: true });
      fs.writeFileSync(a.output, report + '\n');
    } catch (e) {
      throw new UsageError(`cannot write ${a.output}: ${(e as Error).message}`);
    }
  } else out(report);
  return failing ? 1 : 0;
}

/** The rule's docs page, shipped with the package (docs/rules next to server/out); an input check's own section. */
function docsPage(id: string): string | undefined {
  const page = ruleDocsPage(id);
  for (const dir of [path.join(__dirname, '..', '..', 'docs', 'rules'), path.join(__dirname, '..', 'docs', 'rules')]) {
    let md: string;
    try {
      md = fs.readFileSync(path.join(dir, page.file), 'utf8');
    } catch {
      continue;
    }
    if (!page.anchor) return md;
    const m = new RegExp(`^## ${page.anchor}\\n([\\s\\S]*?)(?=^## |$(?![\\s\\S]))`, 'm').exec(md);
    return m ? `# ${page.anchor}\n${m[1]}` : md;
  }
  return undefined;
}

/** Markdown as a terminal shows it: headings bold, code spans kept, links as text (url). */
function terminalMarkdown(md: string, color: boolean): string {
  const b = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  return md
    .split('\n')
    .map((l) => {
      const h = /^(#{1,6})\s+(.*)$/.exec(l);
      if (h) return b(h[1].length === 1 ? h[2].toUpperCase() : h[2]);
      return l.replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)');
    })
    .join('\n')
    .trimEnd();
}

/** The process entry: bin/meshlint.js calls it (so it works however the binary is linked or named). */
export function main(): void {
  let code: number;
  try {
    code = run(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'), { isTTY: !!process.stdout.isTTY });
  } catch (e) {
    process.stderr.write(`meshlint: ${(e as Error).message}\n`);
    code = 2;
  }
  process.exitCode = code;
}

if (require.main === module) main();

export type { Finding };
