/**
 * nginx facts for the mesh model: proxy_pass targets (direct or through `upstream`), the Host
 * header nginx really sends (with nginx's inheritance rules), and directive inheritance.
 * `include`s are followed inside the workspace; an include that cannot be read makes the facts
 * of that level "unknown" so rules stay quiet.
 */
import type { NgxDirective, NgxArg } from '../source/nginx/ast';
import { MeshModel, NginxConf, Service, HostResolution, MeshMode, Workload, Caller } from './model';
import { dirname, joinPath } from '../source/files';
import { outboundCaptureAll, Capture } from './capture';
import { defaultPort } from './protocol';

/** A directive together with the file its offsets point into. */
export interface Located {
  d: NgxDirective;
  file: string;
  /** the config the directive comes from (`file#key`), for include-cycle detection */
  src?: string;
}

/** Directives one expansion may pull in through includes (glob fan-out and cycles stay bounded). */
const MAX_EXPANDED = 20_000;

const confId = (c: NginxConf) => c.file + '#' + (c.key ?? '');

export type Children = { items: Located[]; unknown: boolean };

export interface ProxyTarget {
  conf: NginxConf;
  file: string;
  /** proxy_pass or grpc_pass */
  directive: NgxDirective;
  /** enclosing blocks, outermost first (http, server, location, ...) */
  chain: Located[];
  scheme: string;
  host: string;
  port?: number;
  /** offsets of the host inside the proxy_pass argument (or inside the `set` value it comes from) */
  hostStart: number;
  hostEnd: number;
  /** the host came from `set $var value;`: the file of that directive (hostStart/hostEnd point into it) */
  hostFile?: string;
  /** the variable proxy_pass names, when the host comes from `set` */
  variable?: string;
  /** set when proxy_pass names an upstream block */
  upstream?: { name: string; block: Located; servers: { host: string; port?: number; arg: NgxArg; file: string; service?: Service; res: HostResolution }[] };
  service?: Service;
  res: HostResolution;
  caller: { mesh: MeshMode; workloads: Workload[]; ns?: string };
  /** whether the caller's sidecar intercepts this call (traffic.sidecar.istio.io annotations) */
  capture: Capture;
}

/** The header directive of a target's module: proxy_set_header for proxy_pass, grpc_set_header for grpc_pass. */
export function headerDirective(t: ProxyTarget): string {
  return t.directive.name === 'grpc_pass' ? 'grpc_set_header' : 'proxy_set_header';
}

/** The caller's mesh mode for this call: a sidecar that the call bypasses does not count. */
export function callMesh(t: ProxyTarget): MeshMode {
  if (t.caller.mesh !== 'sidecar') return t.caller.mesh;
  return t.capture.captured === true ? 'sidecar' : t.capture.captured === false ? 'none' : 'unknown';
}

export interface NginxFacts {
  targets: ProxyTarget[];
  /** configs analysed on their own (nginx's main configs); every other config is analysed where it is included */
  roots: NginxConf[];
  /** children of a block (or top level when block undefined) with includes expanded */
  children(conf: NginxConf, items: NgxDirective[], file: string): Children;
  /** what each `include` directive reached, as the expansion found it (go to definition) */
  includeTargets: Map<NgxDirective, { file: string; confs: NginxConf[] }>;
}

const cache = new WeakMap<MeshModel, NginxFacts>();

export function nginxFacts(model: MeshModel): NginxFacts {
  let f = cache.get(model);
  if (!f) {
    f = build(model);
    cache.set(model, f);
  }
  return f;
}

/** An nginx `include` glob (`*` within one path segment) as a RegExp. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
}

function build(model: MeshModel): NginxFacts {
  const standalone = new Map<string, NginxConf>();
  for (const c of model.nginx) if (!c.configMap) standalone.set(c.file, c);
  const resolved = new Map<string, NginxConf[] | undefined>();
  const mainDirs = new Set<string>();
  for (const c of standalone.values()) if (/(^|\/)nginx\.conf$/.test(c.file) && isMain(c)) mainDirs.add(dirname(c.file));

  /**
   * What `include pattern` in `from` reaches when `root` is the config nginx was started with.
   * nginx resolves a relative include against the folder of the main config file (`conf_prefix`,
   * ngx_conf_include -> ngx_conf_full_name(cycle, name, 1)), never against the including file's folder;
   * an absolute `/etc/nginx/...` include is looked up where the repository mirrors /etc/nginx (the prefix).
   */
  const includeTargets = new Map<NgxDirective, { file: string; confs: NginxConf[] }>();
  function resolveInclude(root: NginxConf, from: NginxConf, pattern: string): NginxConf[] | undefined {
    if (from.configMap) {
      // includes in a ConfigMap reach the keys mounted beside it: sibling keys, and keys of the other
      // ConfigMaps the same workloads mount (nginx.conf in one, conf.d in another); mount paths are not read
      const key = confId(from) + '\u0000' + pattern;
      if (resolved.has(key)) return resolved.get(key);
      const base = pattern.slice(pattern.lastIndexOf('/') + 1);
      const re = globToRegExp(base);
      const cm = from.configMap;
      const mountedTogether = (c: NginxConf) => c.configMap === cm || (!!c.configMap && c.configMap.ns === cm.ns && c.workloads.some((w) => from.workloads.includes(w)));
      const sib = model.nginx.filter((c) => c !== from && c.key && re.test(c.key) && mountedTogether(c));
      resolved.set(key, sib.length ? sib : undefined);
      return sib.length ? sib : undefined;
    }
    if (root.configMap) return undefined;
    const prefixes = prefixesOf(root, mainDirs);
    const key = prefixes.join('\u0000') + '\u0001' + pattern;
    if (resolved.has(key)) return resolved.get(key);
    let out: NginxConf[] | undefined;
    const m = /^\/etc\/nginx\/(.*)$/.exec(pattern);
    if (!pattern.startsWith('/') || m) {
      for (const dir of prefixes) {
        const cand = joinPath(dir, m ? m[1] : pattern);
        if (cand === undefined) continue;
        if (cand.includes('*')) {
          const re = globToRegExp(cand);
          // nginx globs with glob(3): `*` does not match a leading dot
          const dot = cand.slice(cand.lastIndexOf('/') + 1).startsWith('.');
          const hits = [...standalone.values()].filter((c) => re.test(c.file) && (dot || !c.file.slice(c.file.lastIndexOf('/') + 1).startsWith('.')));
          if (hits.length) {
            out = hits;
            break;
          }
          continue;
        }
        const hit = standalone.get(cand);
        if (hit) {
          out = [hit];
          break;
        }
      }
    }
    resolved.set(key, out);
    return out;
  }

  function children(root: NginxConf, items: NgxDirective[], file: string, depth = 0, seen = new Set<string>([confId(root)]), budget = { n: MAX_EXPANDED }, from: NginxConf = root): Children {
    const out: Located[] = [];
    const src = confId(from);
    let unknown = false;
    for (const d of items) {
      if (d.name === 'include' && d.args.length === 1) {
        const arg = d.args[0].value;
        if (arg.includes('$')) {
          unknown = true;
          continue;
        }
        const inc = depth < MAX_INCLUDE_DEPTH && budget.n > 0 ? resolveInclude(root, from, arg) : undefined;
        if (!inc) {
          // mime.types and similar hold no directives that the mesh rules read
          if (!/mime\.types$|fastcgi_params$|uwsgi_params$|scgi_params$/.test(arg)) unknown = true;
          continue;
        }
        const known = includeTargets.get(d);
        includeTargets.set(d, { file, confs: known ? [...new Set([...known.confs, ...inc])] : inc });
        for (const ic of inc) {
          const id = confId(ic);
          if (seen.has(id)) continue; // an include cycle: nginx refuses it too
          if (budget.n <= 0) {
            unknown = true;
            break;
          }
          const sub = children(root, ic.config.directives, ic.file, depth + 1, new Set([...seen, id]), budget, ic);
          budget.n -= sub.items.length;
          out.push(...sub.items);
          unknown ||= sub.unknown;
        }
        continue;
      }
      out.push({ d, file, src });
    }
    return { items: out, unknown };
  }

  // Which configs are analysed on their own. A config that another config includes is analysed only in
  // its includers' context (nginx reads it only there: the settings around the include apply to it);
  // a config nobody includes is analysed on its own; configs including each other (a cycle with no
  // outside includer) are each analysed on their own, as before.
  const includesOf = new Map<NginxConf, string[]>();
  const patterns = (c: NginxConf): string[] => {
    let l = includesOf.get(c);
    if (!l) includesOf.set(c, (l = includePatterns(c.config.directives)));
    return l;
  };
  const reachBudget = { n: MAX_EXPANDED * 5 };
  const reach = new Map<NginxConf, Set<NginxConf>>();
  for (const root of model.nginx) {
    const got = new Set<NginxConf>();
    let frontier = [root];
    for (let depth = 0; depth < MAX_INCLUDE_DEPTH && frontier.length && reachBudget.n > 0; depth++) {
      const next: NginxConf[] = [];
      for (const c of frontier) {
        for (const p of patterns(c)) {
          reachBudget.n--;
          for (const ic of resolveInclude(root, c, p) ?? []) {
            if (ic === root || got.has(ic)) continue;
            got.add(ic);
            next.push(ic);
          }
        }
      }
      frontier = next;
    }
    reach.set(root, got);
  }
  const included = new Set<NginxConf>();
  for (const [d, got] of reach) for (const c of got) if (!reach.get(c)!.has(d)) included.add(c);
  const roots = model.nginx.filter((c) => !included.has(c));
  // a config only a non-root config seemed to include (resolved from the wrong prefix) is not lost
  const covered = new Set<NginxConf>(roots);
  for (const r of roots) for (const c of reach.get(r)!) covered.add(c);
  for (const c of model.nginx) if (!covered.has(c)) roots.push(c);
  const rootSet = new Set(roots);

  const targets: ProxyTarget[] = [];
  for (const conf of model.nginx) {
    if (!rootSet.has(conf)) continue; // analysed where it is included
    const caller = callerOf(model, conf);
    const upstreams = new Map<string, Located>();
    const budget = { n: MAX_EXPANDED };
    const walk = (items: NgxDirective[], file: string, chain: Located[]) => {
      // the configs enclosing this block are on the include stack: including one of them again is a cycle
      const seen = new Set<string>([confId(conf), ...chain.map((c) => c.src ?? c.file + '#')]);
      if (budget.n <= 0) return; // include fan-out: the rest of this config is not analysed
      const ch = children(conf, items, file, 0, seen, budget);
      budget.n -= ch.items.length;
      for (const loc of ch.items) {
        if (loc.d.name === 'upstream' && loc.d.args.length && loc.d.block) upstreams.set(loc.d.args[0].value, loc);
      }
      for (const loc of ch.items) {
        const d = loc.d;
        if (d.block && d.name !== 'upstream' && !d.rawBody) walk(d.block, loc.file, [...chain, loc]);
        if ((d.name === 'proxy_pass' || d.name === 'grpc_pass') && d.args.length) {
          const t = target(model, conf, loc, chain, upstreams, caller, children);
          if (t) targets.push(t);
        }
      }
    };
    walk(conf.config.directives, conf.file, []);
  }

  for (const t of targets) {
    const services = t.upstream ? t.upstream.servers.map((s) => s.service).filter((s): s is Service => !!s) : t.service ? [t.service] : [];
    for (const s of new Set(services)) {
      const c: Caller = {
        kind: 'nginx',
        span: { file: t.file, start: t.directive.args[0].start, end: t.directive.args[0].end },
        service: s,
        port: t.upstream ? t.upstream.servers.find((u) => u.service === s)?.port : t.port,
        from: t.caller.workloads,
        mesh: callMesh(t),
        description:
          (t.caller.workloads.length ? `nginx in ${t.caller.workloads.map((w) => `${w.kind} ${w.name}`).join(', ')}` : `nginx config ${t.file}`) +
          (t.caller.mesh === 'sidecar' && t.capture.captured !== true ? ` (${t.capture.reason})` : ''),
      };
      model.extraCallers.push(c);
    }
  }
  // rules ask for the same blocks once per proxy_pass: expand each block once per root config
  // (a block of an included file resolves its own includes from its root's prefix)
  const memo = new WeakMap<NginxConf, WeakMap<NgxDirective[], Children>>();
  const memoChildren = (conf: NginxConf, items: NgxDirective[], file: string): Children => {
    let m = memo.get(conf);
    if (!m) memo.set(conf, (m = new WeakMap()));
    let c = m.get(items);
    if (!c) m.set(items, (c = children(conf, items, file)));
    return c;
  };
  return { targets, roots, children: memoChildren, includeTargets };
}

/** Include depth followed (real configs nest two or three levels). */
const MAX_INCLUDE_DEPTH = 8;

/** A main config (nginx -c): it has the main-context blocks. */
function isMain(c: NginxConf): boolean {
  return c.config.directives.some((d) => (d.name === 'http' || d.name === 'events' || d.name === 'stream') && d.block);
}

/** Folders that mirror nginx's conf_prefix (/etc/nginx in the images) in a repository. */
const CONF_SUBDIR = /(^|\/)(conf\.d|sites-enabled|sites-available|http\.d|vhosts\.d|servers)$/;

/**
 * Where a root config's relative includes resolve from. A main config: its own folder (nginx's
 * conf_prefix is the folder of the file given to -c). A fragment nobody in the workspace includes is
 * included by a main config that is not in the workspace (the image's /etc/nginx/nginx.conf): the prefix
 * is /etc/nginx. A folder above the fragment that holds a main nginx.conf mirrors /etc/nginx; else a
 * fragment in a conf.d-like folder mirrors /etc/nginx/conf.d, so the prefix is the folder above it;
 * otherwise the fragment's own folder is the best guess (it is usually mounted beside the files it includes).
 * `mainDirs`: folders holding a main config named nginx.conf.
 */
export function prefixesOf(root: NginxConf, mainDirs: ReadonlySet<string> = new Set()): string[] {
  const dir = dirname(root.file);
  if (isMain(root)) return [dir];
  for (let d = dirname(dir), prev = dir; d !== prev; prev = d, d = dirname(d)) if (mainDirs.has(d)) return [d];
  if (CONF_SUBDIR.test(dir)) return [dirname(dir)];
  return [dir];
}

/** The arguments of every `include` in a config (any block but raw-bodied ones); variables cannot be resolved. */
function includePatterns(ds: NgxDirective[], out: string[] = []): string[] {
  for (const d of ds) {
    if (d.name === 'include' && d.args.length === 1 && !d.args[0].value.includes('$')) out.push(d.args[0].value);
    if (d.block && !d.rawBody) includePatterns(d.block, out);
  }
  return out;
}

export function callerOf(model: MeshModel, conf: NginxConf): ProxyTarget['caller'] {
  if (!conf.workloads.length) return { mesh: 'unknown', workloads: [], ns: conf.ns };
  const modes = new Set(conf.workloads.map((w) => model.membership(w).mode));
  return { mesh: modes.size === 1 ? [...modes][0] : 'unknown', workloads: conf.workloads, ns: conf.ns };
}

function parseUrl(raw: string, schemeOptional: boolean): { scheme: string; host: string; port?: number; hostOffset: number } | undefined {
  const m = /^([a-z]+):\/\/([^/:?#]+)(?::(\d+))?/i.exec(raw);
  if (!m) {
    // grpc_pass host:port (the grpc:// scheme is optional)
    const g = schemeOptional ? /^([^/:?#]+)(?::(\d+))?$/.exec(raw) : null;
    if (!g || g[1] === 'unix') return undefined;
    return { scheme: 'grpc', host: g[1], port: g[2] ? Number(g[2]) : undefined, hostOffset: 0 };
  }
  return { scheme: m[1].toLowerCase(), host: m[2], port: m[3] ? Number(m[3]) : undefined, hostOffset: m[1].length + 3 };
}

/**
 * The literal value of `set $name value;` that applies at the proxy_pass: the innermost level that sets
 * it (nginx runs the server's rewrite directives, then the location's). undefined when it is set inside
 * an `if`, by a non-literal value, or not at all (maps, captures): the target is then unknown.
 */
function setValue(conf: NginxConf, chain: Located[], name: string, children: (conf: NginxConf, items: NgxDirective[], file: string) => Children): { value: string; loc: Located } | undefined {
  const levels = [children(conf, conf.config.directives, conf.file), ...chain.map((c) => children(conf, c.d.block ?? [], c.file))];
  const setsIn = (ds: NgxDirective[]): boolean => ds.some((d) => (d.name === 'set' && d.args[0]?.value === name) || (!!d.block && d.name === 'if' && setsIn(d.block)));
  for (const l of levels) if (l.items.some((x) => (x.d.name === 'if' && x.d.block && setsIn(x.d.block)) || ((x.d.name === 'map' || x.d.name === 'geo') && x.d.args[1]?.value === name))) return undefined;
  for (let i = levels.length - 1; i >= 0; i--) {
    const sets = levels[i].items.filter((x) => x.d.name === 'set' && x.d.args[0]?.value === name);
    if (!sets.length) {
      if (levels[i].unknown) return undefined;
      continue;
    }
    const last = sets[sets.length - 1];
    const v = last.d.args[1];
    if (!v || v.value.includes('$')) return undefined;
    return { value: v.value, loc: last };
  }
  return undefined;
}

function target(
  model: MeshModel,
  conf: NginxConf,
  loc: Located,
  chain: Located[],
  upstreams: Map<string, Located>,
  caller: ProxyTarget['caller'],
  children: (conf: NginxConf, items: NgxDirective[], file: string) => Children,
): ProxyTarget | undefined {
  const arg = loc.d.args[0];
  const grpc = loc.d.name === 'grpc_pass';
  let u = parseUrl(arg.value, grpc);
  if (!u) return undefined;
  // offsets in the raw token (quotes shift by one)
  const rawShift = arg.quote ? 1 : 0;
  let hostStart = arg.start + rawShift + u.hostOffset;
  let hostEnd = hostStart + u.host.length;
  let hostFile: string | undefined;
  let variable: string | undefined;
  if (u.host.includes('$')) {
    // proxy_pass http://$backend with `set $backend literal;`
    const vm = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(u.host);
    if (!vm) return undefined;
    const sv = setValue(conf, chain, '$' + vm[1], children);
    if (!sv) return undefined;
    const hm = /^([^/:?#$]+)(?::(\d+))?$/.exec(sv.value);
    if (!hm) return undefined;
    variable = '$' + vm[1];
    const va = sv.loc.d.args[1];
    hostFile = sv.loc.file;
    hostStart = va.start + (va.quote ? 1 : 0);
    hostEnd = hostStart + hm[1].length;
    u = { ...u, host: hm[1], port: u.port ?? (hm[2] ? Number(hm[2]) : undefined) };
  }
  if (grpc ? u.scheme !== 'grpc' && u.scheme !== 'grpcs' : u.scheme !== 'http' && u.scheme !== 'https' && u.scheme !== 'grpc' && u.scheme !== 'grpcs') return undefined;
  const base: ProxyTarget = {
    conf,
    file: loc.file,
    directive: loc.d,
    chain,
    scheme: u.scheme,
    host: u.host,
    port: u.port,
    hostStart,
    hostEnd,
    hostFile,
    variable,
    res: { clusterLocal: false, nsKnown: false },
    caller,
    capture: { captured: true },
  };
  const up = upstreams.get(u.host);
  if (up && up.d.block) {
    const servers: NonNullable<ProxyTarget['upstream']>['servers'] = [];
    for (const s of children(conf, up.d.block, up.file).items) {
      if (s.d.name !== 'server' || !s.d.args.length) continue;
      const a = s.d.args[0];
      const m = /^([^:/]+)(?::(\d+))?$/.exec(a.value);
      if (!m) continue;
      const res = model.resolveHost(m[1], caller.ns);
      servers.push({ host: m[1], port: m[2] ? Number(m[2]) : undefined, arg: a, file: s.file, service: res.service, res });
    }
    base.upstream = { name: u.host, block: up, servers };
    const ports = new Set(servers.map((s) => s.port ?? 80));
    base.capture = caller.mesh === 'sidecar' ? outboundCaptureAll(caller.workloads, ports.size === 1 ? [...ports][0] : undefined, servers.length === 1 ? servers[0].service?.clusterIP : undefined) : { captured: true };
    return base;
  }
  base.res = model.resolveHost(u.host, caller.ns);
  base.service = base.res.service;
  base.capture = caller.mesh === 'sidecar' ? outboundCaptureAll(caller.workloads, u.port ?? defaultPort(u.scheme), base.service?.clusterIP ?? (/^\d+\.\d+\.\d+\.\d+$/.test(u.host) ? u.host : undefined)) : { captured: true };
  return base;
}

/** The value of the nearest level that sets a directive (nginx's usual inheritance). */
export function effectiveDirective(facts: NginxFacts, t: ProxyTarget, name: string): { value?: Located; unknown: boolean } {
  const levels = levelsOf(facts, t);
  for (let i = levels.length - 1; i >= 0; i--) {
    const found = levels[i].items.filter((l) => l.d.name === name);
    if (found.length) return { value: found[found.length - 1], unknown: false };
    if (levels[i].unknown) return { unknown: true };
  }
  return { unknown: false };
}

/**
 * proxy_set_header is inherited from the outer level only when the current level has none;
 * returns the effective set, the level's directives, and whether an unreadable include hides it.
 */
export function effectiveHeaders(facts: NginxFacts, t: ProxyTarget): { headers: Located[]; levelIndex: number; unknown: boolean; levels: Children[] } {
  const levels = levelsOf(facts, t);
  const name = headerDirective(t);
  for (let i = levels.length - 1; i >= 0; i--) {
    const hs = levels[i].items.filter((l) => l.d.name === name);
    if (hs.length) return { headers: hs, levelIndex: i, unknown: levels[i].unknown, levels };
    if (levels[i].unknown) return { headers: [], levelIndex: i, unknown: true, levels };
  }
  return { headers: [], levelIndex: -1, unknown: false, levels };
}

/** Directive lists from the outermost level (top of the file) to the proxy_pass's own block. */
function levelsOf(facts: NginxFacts, t: ProxyTarget): Children[] {
  const levels: Children[] = [facts.children(t.conf, t.conf.config.directives, t.conf.file)];
  for (const c of t.chain) levels.push(facts.children(t.conf, c.d.block ?? [], c.file));
  return levels;
}

/** The Host header nginx sends: a literal, a variable, or $proxy_host (default). */
export function hostHeader(facts: NginxFacts, t: ProxyTarget): { value: string; directive?: Located; unknown: boolean } {
  const eff = effectiveHeaders(facts, t);
  if (eff.unknown) return { value: '', unknown: true };
  const h = [...eff.headers].reverse().find((l) => l.d.args[0]?.value.toLowerCase() === 'host');
  // grpc_pass: nginx passes the client's request headers (grpc_pass_request_headers) and builds :authority
  // itself; which name the sidecar then sees without grpc_set_header Host is not judged here
  if (!h) return t.directive.name === 'grpc_pass' ? { value: '', unknown: true } : { value: '$proxy_host', unknown: false };
  return { value: h.d.args[1]?.value ?? '', directive: h, unknown: false };
}
