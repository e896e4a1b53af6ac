/**
 * nginx location selection, as ngx_http_core_find_location does it (nginx docs, ngx_http_core_module
 * `location`): an exact `=` match wins at once; otherwise the longest matching prefix is remembered and
 * its nested locations are searched the same way; then, unless that prefix has `^~`, the regex
 * locations (`~` case-sensitive, `~*` case-insensitive) of the level are checked in the order they
 * appear and the first match wins; otherwise the longest prefix is used. Named locations (`@x`) are
 * never selected by a request URI.
 */
import type { NgxDirective } from '../source/nginx/ast';
import type { NginxConf } from './model';
import type { Located, NginxFacts } from './nginx';

export interface Loc {
  at: Located;
  mod: '' | '=' | '^~' | '~' | '~*' | '@';
  pattern: string;
  /** compiled regex for `~` / `~*`; undefined when JavaScript cannot read nginx's (PCRE) pattern */
  re?: RegExp;
  nested: Loc[];
  parent?: Loc;
  /** a prefix location handled by proxy_pass & co: a request for the prefix without its trailing slash is redirected (301) into it */
  autoRedirect: boolean;
}

const AUTO_REDIRECT = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'memcached_pass', 'grpc_pass']);

/** The location tree of a block (includes expanded). `unknown`: an include hides part of it. */
export function locationTree(facts: NginxFacts, conf: NginxConf, block: NgxDirective[], file: string, parent?: Loc, depth = 0): { locs: Loc[]; unknown: boolean } {
  const ch = facts.children(conf, block, file);
  let unknown = ch.unknown;
  const locs: Loc[] = [];
  for (const l of ch.items) {
    if (l.d.name !== 'location' || !l.d.block) continue;
    const a = l.d.args.map((x) => x.value);
    let mod: Loc['mod'] = '';
    let pattern: string;
    if (a.length === 2 && ['=', '^~', '~', '~*'].includes(a[0])) [mod, pattern] = [a[0] as Loc['mod'], a[1]];
    else if (a.length === 1 && a[0].startsWith('@')) [mod, pattern] = ['@', a[0]];
    else if (a.length === 1) {
      // nginx also accepts the modifier glued to the pattern (`=/api`, `~\.php$`)
      const m = /^(=|\^~|~\*|~)(.+)$/.exec(a[0]);
      if (m) [mod, pattern] = [m[1] as Loc['mod'], m[2]];
      else pattern = a[0];
    } else {
      unknown = true;
      continue;
    }
    const own = facts.children(conf, l.d.block, l.file);
    const loc: Loc = { at: l, mod, pattern, nested: [], parent, autoRedirect: (mod === '' || mod === '^~') && pattern.endsWith('/') && own.items.some((x) => AUTO_REDIRECT.has(x.d.name)) };
    if (mod === '~' || mod === '~*') {
      // a quantified group that itself repeats ((a+)+, (.*)*) can backtrack exponentially in JavaScript: not evaluated
      if (pattern.length > 500 || /[*+}?]\)[*+{?]/.test(pattern) || /[*+]\)?[*+]/.test(pattern.replace(/\\./g, ''))) unknown = true;
      else try {
        loc.re = new RegExp(pattern.replace(/\(\?P</g, '(?<'), mod === '~*' ? 'i' : '');
      } catch {
        unknown = true;
      }
    }
    if (depth < 8) {
      const sub = locationTree(facts, conf, l.d.block, l.file, loc, depth + 1);
      loc.nested = sub.locs;
      unknown ||= sub.unknown;
    }
    locs.push(loc);
  }
  return { locs, unknown };
}

/** The location nginx selects for a URI (undefined: none; 'unknown': a regex JavaScript cannot evaluate decides). */
export function selectLocation(locs: Loc[], uri: string): Loc | undefined | 'unknown' {
  const r = find(locs, uri);
  return r === 'unknown' ? r : r.loc;
}

function find(locs: Loc[], uri: string): { loc?: Loc; final: boolean } | 'unknown' {
  const exact = locs.find((l) => l.mod === '=' && l.pattern === uri);
  if (exact) return { loc: exact, final: true };
  let best: Loc | undefined;
  for (const l of locs) if ((l.mod === '' || l.mod === '^~') && uri.startsWith(l.pattern) && (!best || l.pattern.length > best.pattern.length)) best = l;
  // `location /api/ { proxy_pass ...; }` answers /api with a 301 to /api/ (ngx_http_core_find_static_location,
  // auto_redirect) unless a prefix location equal to the URI exists
  const redirect = best?.pattern === uri ? undefined : locs.find((l) => l.autoRedirect && l.pattern === uri + '/');
  if (redirect) return { loc: redirect, final: true };
  let loc = best;
  if (best) {
    const nested = find(best.nested, uri);
    if (nested === 'unknown') return nested;
    if (nested.final) return nested;
    loc = nested.loc ?? best;
    if (best.mod === '^~') return { loc, final: false };
  }
  for (const l of locs) {
    if (l.mod !== '~' && l.mod !== '~*') continue;
    if (!l.re) return 'unknown';
    if (!l.re.test(uri)) continue;
    const inner = find(l.nested, uri);
    if (inner === 'unknown') return inner;
    return { loc: inner.loc ?? l, final: true };
  }
  return { loc, final: false };
}

/** Every location of a tree, depth first. */
export function allLocations(locs: Loc[], out: Loc[] = []): Loc[] {
  for (const l of locs) {
    out.push(l);
    allLocations(l.nested, out);
  }
  return out;
}

/** The literal text a regex requires right after a leading `^` (undefined: not anchored). */
export function anchoredLiteral(pattern: string): string | undefined {
  if (!pattern.startsWith('^')) return undefined;
  let out = '';
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length && /[/.\-_~]/.test(pattern[i + 1])) {
      out += pattern[++i];
      continue;
    }
    if (/[\\^$.|?*+()[\]{}]/.test(c)) {
      // a quantifier makes the previous character optional
      if (/[?*{]/.test(c)) out = out.slice(0, -1);
      break;
    }
    out += c;
  }
  return out;
}
