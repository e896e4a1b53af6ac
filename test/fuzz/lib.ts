/**
 * Fuzzing harness for the analysis core: seeded mutations of real inputs (rule fixtures, stories,
 * the example, a sample of the shared corpus) and the invariants every analysis must keep.
 *
 * Everything is derived from (seed, index), so one failing input is reproduced with
 * `npm run fuzz -- --seed S --only I`. Failing inputs are shrunk and saved as JSON workspaces in
 * test/fixtures/regressions/ (JSON keeps CRLF, NUL and lone surrogates byte-exact); the
 * regression test replays every one of them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { SourceFile, AnalysisOptions, Finding } from '../../server/src/core/types';
import { Workspace, analyze } from '../../server/src/core/engine';
import { applyFix } from '../../server/src/core/fixes/edits';

export const ROOT = path.resolve(__dirname, '../..');
export const SHARED_CORPUS = path.resolve(ROOT, '../shared/corpus');
export const REGRESSIONS = path.join(ROOT, 'test/fixtures/regressions');

// ---------------------------------------------------------------- randomness

export { rng } from '../helpers/prng';
import { rng } from '../helpers/prng';

/** The seed of input `index` in a campaign with `seed` (inputs are independent of each other). */
export function inputSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

export class Rand {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------- seed inputs

export interface SeedWorkspace {
  /** where it came from, e.g. `fixtures/rules/x/fires-y` */
  name: string;
  files: SourceFile[];
}

const TEXT_FILE = /\.(ya?ml|conf|conf\.template|nginx|upstream)$|(^|\/)(nginx|sites-(available|enabled)|conf\.d)\/[^.]+$/i;

function readWorkspace(dir: string, maxBytes: number): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const rel = path.relative(dir, p).split(path.sep).join('/');
        if (!TEXT_FILE.test(rel)) continue;
        if (fs.statSync(p).size > maxBytes) continue;
        out.push({ path: rel, text: fs.readFileSync(p, 'utf8') });
      }
    }
  };
  walk(dir);
  return out;
}

/** Leaf folders holding files directly (a fixture case, a story, a corpus folder). */
function caseDirs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && TEXT_FILE.test(e.name))) out.push(d);
    for (const e of entries) if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(path.join(d, e.name));
  };
  walk(dir);
  return out;
}

export interface SeedOptions {
  /** how many corpus folders to sample (deterministically, from the seed) */
  corpusFolders?: number;
  /** skip corpus files above this size */
  maxBytes?: number;
  seed?: number;
}

/**
 * The inputs mutated by the fuzzer: every rule fixture case, every story, the example, the
 * nginx parser fixtures (as one workspace) and a deterministic sample of the shared corpus.
 */
export function seedWorkspaces(opts: SeedOptions = {}): SeedWorkspace[] {
  const maxBytes = opts.maxBytes ?? 64 * 1024;
  const out: SeedWorkspace[] = [];
  const add = (name: string, dir: string) => {
    const files = readWorkspace(dir, maxBytes);
    if (files.length) out.push({ name, files });
  };
  add('examples/blog-system', path.join(ROOT, 'examples/blog-system'));
  const fx = path.join(ROOT, 'test/fixtures');
  const subdirs = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : []);
  // a rule fixture case and a story are whole workspaces (their files may sit in sub-folders)
  for (const rule of subdirs(path.join(fx, 'rules'))) for (const c of subdirs(path.join(fx, 'rules', rule))) add(`rules/${rule}/${c}`, path.join(fx, 'rules', rule, c));
  for (const st of subdirs(path.join(fx, 'stories'))) add(`stories/${st}`, path.join(fx, 'stories', st));
  add('nginx-parser', path.join(fx, 'nginx-parser'));
  if (fs.existsSync(SHARED_CORPUS) && (opts.corpusFolders ?? 0) > 0) {
    const dirs = caseDirs(SHARED_CORPUS);
    const r = new Rand(rng(inputSeed(opts.seed ?? 1, -7)));
    const chosen = new Set<string>();
    for (let i = 0; i < opts.corpusFolders! * 4 && chosen.size < Math.min(opts.corpusFolders!, dirs.length); i++) chosen.add(r.pick(dirs));
    for (const d of [...chosen].sort()) {
      // a corpus folder on its own (not its sub-folders), capped to keep inputs small
      const files = readWorkspace(d, maxBytes).filter((f) => !f.path.includes('/')).slice(0, 12);
      if (files.length) out.push({ name: 'corpus/' + path.relative(SHARED_CORPUS, d).split(path.sep).join('/'), files });
    }
  }
  return out;
}

// ---------------------------------------------------------------- mutations

const TOKENS = ['{', '}', ';', '"', "'", '#', '---', '\n---\n', '{{ }}', '{{', '}}', '{{ .Values.x }}', '{{- if .x }}', '&a ', '*a', ': ', '- ', '\t', '\\', '$', '|', '>', '[', ']', ',', '...', '%', '!', '? ', '@', '`', '\r', '\n', ' ', 'include ', '*', '..', '/'];
const WORDS = ['server', 'location', 'upstream', 'proxy_pass', 'http://', 'include', 'kind', 'apiVersion', 'metadata', 'name', 'namespace', 'selector', 'spec', 'ports', 'host', 'subsets', 'mtls', 'STRICT', 'PERMISSIVE', 'DISABLE', 'ISTIO_MUTUAL', 'List', 'items', 'data', 'nginx.conf', 'sidecar.istio.io/inject', 'istio-injection', '<<'];

export type Mutator = (text: string, r: Rand, other: () => string) => string;

function lines(text: string): string[] {
  return text.split('\n');
}

function offsetIn(text: string, r: Rand): number {
  return r.int(text.length + 1);
}

export const MUTATORS: Record<string, Mutator> = {
  truncate: (t, r) => t.slice(0, offsetIn(t, r)),
  deleteLines: (t, r) => {
    const ls = lines(t);
    const i = r.int(ls.length);
    ls.splice(i, 1 + r.int(3));
    return ls.join('\n');
  },
  duplicateLines: (t, r) => {
    const ls = lines(t);
    const i = r.int(ls.length);
    const n = 1 + r.int(4);
    ls.splice(i, 0, ...ls.slice(i, i + n));
    return ls.join('\n');
  },
  swapLines: (t, r) => {
    const ls = lines(t);
    const i = r.int(ls.length);
    const j = r.int(ls.length);
    [ls[i], ls[j]] = [ls[j], ls[i]];
    return ls.join('\n');
  },
  flipIndent: (t, r) => {
    const ls = lines(t);
    const n = 1 + r.int(3);
    for (let k = 0; k < n; k++) {
      const i = r.int(ls.length);
      const how = r.int(4);
      if (how === 0) ls[i] = '  ' + ls[i];
      else if (how === 1) ls[i] = ls[i].replace(/^ {1,2}/, '');
      else if (how === 2) ls[i] = '\t' + ls[i].trimStart();
      else ls[i] = ls[i].trimStart();
    }
    return ls.join('\n');
  },
  dedentBlock: (t, r) => {
    const ls = lines(t);
    const i = r.int(ls.length);
    const n = 2 + r.int(10);
    for (let k = i; k < Math.min(ls.length, i + n); k++) ls[k] = ls[k].replace(/^ {2}/, '');
    return ls.join('\n');
  },
  insertToken: (t, r) => {
    const o = offsetIn(t, r);
    return t.slice(0, o) + r.pick(TOKENS) + t.slice(o);
  },
  insertTokenAtLineStart: (t, r) => {
    const ls = lines(t);
    const i = r.int(ls.length);
    const m = /^\s*/.exec(ls[i])!;
    ls[i] = m[0] + r.pick(TOKENS) + ls[i].slice(m[0].length);
    return ls.join('\n');
  },
  insertWord: (t, r) => {
    const o = offsetIn(t, r);
    return t.slice(0, o) + r.pick(WORDS) + (r.chance(0.5) ? ' ' : '') + t.slice(o);
  },
  deleteSpan: (t, r) => {
    const o = offsetIn(t, r);
    return t.slice(0, o) + t.slice(o + 1 + r.int(40));
  },
  randomBytes: (t, r) => {
    const o = offsetIn(t, r);
    let s = '';
    const n = 1 + r.int(8);
    for (let i = 0; i < n; i++) {
      const k = r.int(6);
      if (k === 0) s += String.fromCharCode(r.int(32)); // control characters, NUL included
      else if (k === 1) s += '\ufffd';
      else if (k === 2) s += String.fromCharCode(0xd800 + r.int(0x800)); // lone surrogate
      else if (k === 3) s += String.fromCodePoint(0x1f600 + r.int(80)); // astral (two UTF-16 units)
      else if (k === 4) s += String.fromCharCode(0x80 + r.int(0x780));
      else s += String.fromCharCode(32 + r.int(95));
    }
    return t.slice(0, o) + s + t.slice(o);
  },
  crlf: (t, r) => (r.chance(0.7) ? t.replace(/\r?\n/g, '\r\n') : t.replace(/\n/g, '\r')),
  crlfOneLine: (t, r) => {
    const ls = lines(t);
    const i = r.int(ls.length);
    ls[i] = ls[i] + '\r';
    return ls.join('\n');
  },
  bom: (t) => '\ufeff' + t,
  swapWords: (t, r) => {
    // replace one identifier-ish word with another from the same file: keeps structure, changes references
    const words = t.match(/[A-Za-z][\w.-]{2,}/g);
    if (!words || words.length < 2) return t;
    const a = r.pick(words);
    const b = r.pick(words);
    let count = 0;
    const nth = r.int(4);
    return t.replace(new RegExp(a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), (m) => (count++ === nth ? b : m));
  },
  spliceOther: (t, r, other) => {
    const o = other();
    const a = r.int(o.length);
    const chunk = o.slice(a, a + 1 + r.int(400));
    const at = offsetIn(t, r);
    return t.slice(0, at) + chunk + t.slice(at);
  },
  anchorAlias: (t, r) => {
    // anchors and aliases in values, including self-references and merges
    const ls = lines(t);
    const i = r.int(ls.length);
    const j = r.int(ls.length);
    ls[i] = ls[i].replace(/:\s+(\S)/, ': &x$1');
    ls[j] = ls[j].replace(/:\s+\S.*$/, r.chance(0.5) ? ': *x' : ': {<<: *x}');
    return ls.join('\n');
  },
  longLine: (t, r) => {
    const o = offsetIn(t, r);
    return t.slice(0, o) + r.pick(['a', ' ', '{', ';', 'x.y']).repeat(1000 + r.int(20000)) + t.slice(o);
  },
  empty: () => '',
};

const MUTATOR_NAMES = Object.keys(MUTATORS);

export interface FuzzInput {
  seed: number;
  index: number;
  from: string;
  /** mutation names applied, per file */
  mutations: string[];
  files: SourceFile[];
}

/** Build input `index` of campaign `seed` from the seed workspaces. */
export function makeInput(seeds: SeedWorkspace[], seed: number, index: number): FuzzInput {
  const r = new Rand(rng(inputSeed(seed, index)));
  const ws = seeds[r.int(seeds.length)];
  const files = ws.files.map((f) => ({ ...f }));
  const other = () => {
    const w = r.pick(seeds);
    return r.pick(w.files).text;
  };
  const mutations: string[] = [];
  const nFiles = 1 + (r.chance(0.3) ? r.int(3) : 0);
  for (let k = 0; k < nFiles; k++) {
    const fi = r.int(files.length);
    const nMut = 1 + r.int(4);
    for (let m = 0; m < nMut; m++) {
      const name = MUTATOR_NAMES[r.int(MUTATOR_NAMES.length)];
      // the rare, expensive ones less often
      if ((name === 'empty' || name === 'longLine' || name === 'truncate') && r.chance(0.6)) continue;
      files[fi] = { path: files[fi].path, text: MUTATORS[name](files[fi].text, r, other) };
      mutations.push(`${files[fi].path}:${name}`);
    }
  }
  // sometimes rename a file so classification flips (yaml <-> nginx <-> template folder)
  if (r.chance(0.05)) {
    const fi = r.int(files.length);
    const p = files[fi].path;
    const np = r.pick([p.replace(/\.ya?ml$/, '.conf'), p.replace(/\.conf$/, '.yaml'), 'templates/' + p.split('/').pop(), p + '.template', 'nginx/' + p.split('/').pop()]);
    if (!files.some((f) => f.path === np)) {
      files[fi] = { path: np, text: files[fi].text };
      mutations.push(`${p}:rename->${np}`);
    }
  }
  return { seed, index, from: ws.name, mutations, files };
}

// ---------------------------------------------------------------- invariants

export interface CheckOptions {
  options?: AnalysisOptions;
  /** an analysis using more CPU time than this is a failure (hang detection); loose on purpose */
  slowMs?: number;
  /** also check that every offered fix applies cleanly */
  fixes?: boolean;
}

function inside(start: number, end: number, len: number): boolean {
  return Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= len;
}

/** Stable text of a finding list (fixes and related locations included). */
export function fingerprint(fs_: Finding[]): string {
  return JSON.stringify(fs_);
}

/**
 * Runs the core on the files and returns the broken invariants (empty when all hold):
 * no exception, no rule error, no internal-error finding, every range (finding, related, fix edit)
 * inside its file, findings identical on a second cold run and after an incremental update
 * from `warmFrom`, every fix applicable.
 */
export function checkInvariants(files: SourceFile[], warmFrom?: SourceFile[], opts: CheckOptions = {}): string[] {
  const problems: string[] = [];
  const texts = new Map(files.map((f) => [f.path, f.text.charCodeAt(0) === 0xfeff ? f.text.slice(1) : f.text]));
  let first: ReturnType<typeof analyze>;
  // CPU time, not wall time: other processes on a busy CI machine must not fail the check
  const c0 = process.cpuUsage();
  try {
    first = analyze(files, opts.options);
  } catch (e) {
    return [`exception: ${(e as Error).stack ?? e}`];
  }
  const cpu = process.cpuUsage(c0);
  const ms = (cpu.user + cpu.system) / 1000;
  if (ms > (opts.slowMs ?? 5000)) problems.push(`slow: analysis took ${ms.toFixed(0)} ms of CPU`);
  for (const e of first.ruleErrors) problems.push(`rule error: ${e.rule}: ${e.message.split('\n').slice(0, 3).join(' | ')}`);
  for (const f of first.findings) {
    const where = `${f.rule} ${f.file}[${f.start},${f.end}]`;
    if (f.rule === 'internal-error') problems.push(`internal error: ${f.file}: ${f.message}`);
    const len = texts.get(f.file)?.length;
    if (len === undefined) problems.push(`finding in unknown file: ${where}`);
    else if (!inside(f.start, f.end, len)) problems.push(`range outside the file (length ${len}): ${where}`);
    for (const r of f.related ?? []) {
      const rl = texts.get(r.span.file)?.length;
      if (rl === undefined || !inside(r.span.start, r.span.end, rl)) problems.push(`related range outside its file: ${where} -> ${r.span.file}[${r.span.start},${r.span.end}] (length ${rl})`);
    }
    for (const fix of f.fixes ?? []) {
      for (const e of fix.edits) {
        const el = texts.get(e.file)?.length;
        if (el === undefined || !inside(e.start, e.end, el)) problems.push(`fix "${fix.title}" edit outside its file: ${where} -> ${e.file}[${e.start},${e.end}] (length ${el})`);
      }
      if (opts.fixes !== false) {
        try {
          applyFix(files.map((x) => ({ path: x.path, text: texts.get(x.path)! })), fix);
        } catch (e) {
          problems.push(`fix "${fix.title}" does not apply: ${where}: ${(e as Error).message}`);
        }
      }
    }
    if (typeof f.message !== 'string' || !f.message) problems.push(`empty message: ${where}`);
  }
  const fp = fingerprint(first.findings);
  try {
    const second = analyze(files.map((f) => ({ ...f })).reverse(), opts.options);
    if (fingerprint(second.findings) !== fp) problems.push(`nondeterministic: a second analysis (files in reverse order) differs\n${diffFindings(first.findings, second.findings)}`);
  } catch (e) {
    problems.push(`exception on second run: ${(e as Error).message}`);
  }
  if (warmFrom) {
    try {
      const ws = new Workspace(opts.options);
      for (const f of warmFrom) ws.set(f);
      ws.analyze();
      const keep = new Set(files.map((f) => f.path));
      for (const p of ws.paths()) if (!keep.has(p)) ws.delete(p);
      for (const f of files) ws.set(f);
      const warm = ws.analyze();
      // a partial analysis may leave files with workspace-wide inputs behind (`stale`); a full one refreshes them
      const fresh = (fs_: Finding[]) => fs_.filter((f) => !warm.stale.has(f.file));
      if (fingerprint(fresh(warm.findings)) !== fingerprint(fresh(first.findings))) problems.push(`incremental analysis differs from a cold one\n${diffFindings(fresh(first.findings), fresh(warm.findings))}`);
      if (warm.stale.size) {
        const full = ws.analyze({ full: true });
        if (fingerprint(full.findings) !== fp) problems.push(`a full analysis after a partial one differs from a cold one\n${diffFindings(first.findings, full.findings)}`);
      }
    } catch (e) {
      problems.push(`exception on incremental run: ${(e as Error).message}`);
    }
  }
  return problems;
}

function diffFindings(a: Finding[], b: Finding[]): string {
  const sa = new Set(a.map((f) => JSON.stringify(f)));
  const sb = new Set(b.map((f) => JSON.stringify(f)));
  const only = (x: Set<string>, y: Set<string>) =>
    [...x]
      .filter((s) => !y.has(s))
      .slice(0, 3)
      .map((s) => {
        // show where it differs from its nearest counterpart
        let best = 0;
        for (const o of y) {
          let i = 0;
          while (i < s.length && s[i] === o[i]) i++;
          best = Math.max(best, i);
        }
        return (best > 120 ? '...' + s.slice(best - 100, best + 200) : s.slice(0, 300));
      });
  return `  only first: ${only(sa, sb).join('\n    ')}\n  only second: ${only(sb, sa).join('\n    ')}`;
}

/** The kind of a problem (its text up to the first colon), used to keep a failure while shrinking. */
export function problemKind(p: string): string {
  return p.slice(0, p.indexOf(':') < 0 ? p.length : p.indexOf(':'));
}

// ---------------------------------------------------------------- shrinking and regressions

/**
 * Shrinks a failing workspace: drops files, then chunks of lines, then characters of each file,
 * while a problem of the same kind remains. Bounded by `budget` invariant checks.
 */
export function shrink(files: SourceFile[], kind: string, warmFrom?: SourceFile[], opts: CheckOptions = {}, budget = 400): SourceFile[] {
  let cur = files;
  let checks = 0;
  const fails = (fs_: SourceFile[]) => {
    checks++;
    return checkInvariants(fs_, warmFrom, opts).some((p) => problemKind(p) === kind);
  };
  for (let i = cur.length - 1; i >= 0 && cur.length > 1 && checks < budget; i--) {
    const cand = cur.filter((_, j) => j !== i);
    if (fails(cand)) cur = cand;
  }
  for (let fi = 0; fi < cur.length; fi++) {
    for (const unit of ['\n', ''] as const) {
      let parts = unit === '\n' ? cur[fi].text.split('\n') : [...cur[fi].text];
      if (unit === '' && parts.length > 2000) continue;
      let chunk = Math.max(1, parts.length >> 1);
      while (chunk >= 1 && checks < budget) {
        let removed = false;
        for (let s = 0; s + chunk <= parts.length && checks < budget; ) {
          const cand = parts.slice(0, s).concat(parts.slice(s + chunk));
          const next = cur.map((f, j) => (j === fi ? { path: f.path, text: cand.join(unit) } : f));
          if (fails(next)) {
            parts = cand;
            cur = next;
            removed = true;
          } else s += chunk;
        }
        if (!removed) chunk >>= 1;
      }
    }
  }
  return cur;
}

export interface Regression {
  /** why it failed when found (first problem) */
  problem: string;
  found: { seed?: number; index?: number; from?: string; mutations?: string[]; date: string };
  options?: AnalysisOptions;
  files: SourceFile[];
  /** for incremental failures: the workspace analysed before `files` were set */
  before?: SourceFile[];
}

/** Saves a failing input (content-addressed, so the same input is saved once); returns its path. */
export function saveRegression(reg: Omit<Regression, 'found'> & { found: Omit<Regression['found'], 'date'> }): string {
  const body = JSON.stringify(reg.files);
  const id = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const slug = problemKind(reg.problem).replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  fs.mkdirSync(REGRESSIONS, { recursive: true });
  const file = path.join(REGRESSIONS, `${slug}-${id}.json`);
  if (!fs.existsSync(file)) {
    const full: Regression = { ...reg, found: { ...reg.found, date: new Date().toISOString().slice(0, 10) } };
    fs.writeFileSync(file, JSON.stringify(full, null, 1) + '\n');
  }
  return file;
}

export function loadRegressions(): { file: string; reg: Regression }[] {
  if (!fs.existsSync(REGRESSIONS)) return [];
  return fs
    .readdirSync(REGRESSIONS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, reg: JSON.parse(fs.readFileSync(path.join(REGRESSIONS, f), 'utf8')) as Regression }));
}

// ---------------------------------------------------------------- campaign

export interface CampaignOptions {
  seed: number;
  count?: number;
  /** stop starting new inputs after this long */
  timeBudgetMs?: number;
  corpusFolders?: number;
  /** save shrunk failures to test/fixtures/regressions */
  save?: boolean;
  /** only run this input index */
  only?: number;
  log?: (s: string) => void;
}

export interface CampaignResult {
  tried: number;
  seeds: number;
  failures: { index: number; from: string; mutations: string[]; problems: string[]; saved?: string }[];
  ms: number;
  slowestMs: number;
  largestInput: number;
  findings: number;
}

export function campaign(o: CampaignOptions): CampaignResult {
  const t0 = performance.now();
  const seeds = seedWorkspaces({ corpusFolders: o.corpusFolders ?? 40, seed: o.seed });
  const res: CampaignResult = { tried: 0, seeds: seeds.length, failures: [], ms: 0, slowestMs: 0, largestInput: 0, findings: 0 };
  const count = o.count ?? Infinity;
  for (let i = o.only ?? 0; i < (o.only !== undefined ? o.only + 1 : count); i++) {
    if (o.timeBudgetMs !== undefined && performance.now() - t0 > o.timeBudgetMs) break;
    const input = makeInput(seeds, o.seed, i);
    const base = seeds.find((s) => s.name === input.from)!;
    const size = input.files.reduce((a, f) => a + f.text.length, 0);
    res.largestInput = Math.max(res.largestInput, size);
    const ti = performance.now();
    const problems = checkInvariants(input.files, base.files);
    res.slowestMs = Math.max(res.slowestMs, performance.now() - ti);
    res.tried++;
    if (!problems.length) continue;
    const failure: CampaignResult['failures'][number] = { index: i, from: input.from, mutations: input.mutations, problems };
    o.log?.(`input ${i} (${input.from}; ${input.mutations.join(', ')}) FAILED:\n  ${problems.join('\n  ')}`);
    if (o.save) {
      const kind = problemKind(problems[0]);
      const warm = kind === 'incremental analysis differs from a cold one' ? base.files : undefined;
      const small = shrink(input.files, kind, warm);
      failure.saved = saveRegression({ problem: problems[0], found: { seed: o.seed, index: i, from: input.from, mutations: input.mutations }, files: small, before: warm });
      o.log?.(`  saved ${path.relative(ROOT, failure.saved)}`);
    }
    res.failures.push(failure);
  }
  res.ms = performance.now() - t0;
  return res;
}
