import { defineRule } from './rule';
import type { Report } from './rule';
import { routing } from '../model/routing';
import type { VirtualService } from '../model/routing';
import { YNode, YMap, get, isMap, isScalar, isSeq, seq, str } from '../source/ynode';

/**
 * A match as Istio compares it (validation.go `asJSON`): the proto's JSON without the match name, so
 * YAML key order, `false`, empty strings and empty collections (proto zero values) do not count.
 */
function canon(n: YNode | null | undefined, top = true): unknown {
  if (!n) return undefined;
  if (isScalar(n)) {
    if (n.v === null || n.v === false || n.v === '') return undefined;
    return String(n.v);
  }
  if (isSeq(n)) {
    const l = n.items.map((x) => canon(x, false)).filter((x) => x !== undefined);
    return l.length ? l : undefined;
  }
  const o: Record<string, unknown> = {};
  for (const p of [...n.items].sort((a, b) => (String(a.key.v) < String(b.key.v) ? -1 : String(a.key.v) > String(b.key.v) ? 1 : 0))) {
    const k = String(p.key.v);
    if (top && k === 'name') continue;
    const v = canon(p.value, false);
    if (v !== undefined) o[k] = v;
  }
  return Object.keys(o).length || top ? o : undefined;
}

interface M {
  route: number;
  index: number;
  node: YMap;
  c: Record<string, unknown>;
  key: string;
}

const MAP_CONDITIONS = new Set(['headers', 'queryParams', 'withoutHeaders', 'sourceLabels']);
const NOT_CONDITIONS = new Set(['uri', 'ignoreUriCase', 'statPrefix', 'gateways']);

/**
 * Does every request that earlier match a satisfies also satisfy the later match b? Only for URI
 * prefixes (as istioctl's overlap check): a's prefix starts b's prefix, ignoreUriCase agrees, each other
 * condition of a is in b unchanged (map conditions per key), and b applies on no gateway a does not.
 */
function covers(a: Record<string, unknown>, b: Record<string, unknown>, top: string[]): boolean {
  const pa = (a.uri as any)?.prefix;
  const pb = (b.uri as any)?.prefix;
  if (typeof pa !== 'string' || typeof pb !== 'string' || Object.keys(a.uri as object).length !== 1 || Object.keys(b.uri as object).length !== 1) return false;
  if (!pb.startsWith(pa) || a.ignoreUriCase !== b.ignoreUriCase) return false;
  const ga = new Set((a.gateways as string[] | undefined) ?? top);
  if (!((b.gateways as string[] | undefined) ?? top).every((g) => ga.has(g))) return false;
  for (const [k, v] of Object.entries(a)) {
    if (NOT_CONDITIONS.has(k)) continue;
    if (MAP_CONDITIONS.has(k)) {
      const bv = b[k] as Record<string, unknown> | undefined;
      if (!bv || typeof v !== 'object' || typeof bv !== 'object') return false;
      for (const [hk, hv] of Object.entries(v as Record<string, unknown>)) if (JSON.stringify(bv[hk]) !== JSON.stringify(hv)) return false;
    } else if (JSON.stringify(b[k]) !== JSON.stringify(v)) return false;
  }
  return true;
}

function routeLabel(kind: string, r: YNode, i: number): string {
  const n = kind === 'http' ? str(r, 'name') : undefined;
  return n ? `${kind} route #${i} "${n}"` : `${kind} route #${i}`;
}

function headOf(n: YMap): { start: number; end: number } {
  const name = get(n, 'name');
  if (isScalar(name)) return name;
  const first = n.items[0];
  return first ? first.key : { start: n.start, end: n.start };
}

function checkRoutes(vs: VirtualService, kind: 'http' | 'tcp' | 'tls', report: (r: Report) => void): void {
  const routes = seq(vs.obj.root, 'spec', kind);
  const top = vs.gateways.length ? [...new Set(seq(vs.obj.root, 'spec', 'gateways').filter(isScalar).map((g) => String(g.v)))] : ['mesh'];
  const who = `VirtualService ${vs.ns}/${vs.obj.name}`;
  const file = vs.obj.file;
  const rel = (node: YNode, msg: string) => [{ span: { file, start: node.start, end: node.start }, message: msg }];
  let catchAll: { i: number; node: YMap } | undefined; // a route that takes every request (no match, or a match without conditions)
  const seen = new Map<string, number>();
  const prefixed: M[] = [];
  routes.forEach((r, i) => {
    if (!isMap(r)) return;
    const delegate = get(r, 'delegate') !== undefined; // a delegate's routes may leave requests to the routes after it
    const matchNode = get(r, 'match');
    const matches = isSeq(matchNode) ? matchNode.items : [];
    if (matches.some((m) => !isMap(m))) return;
    const label = routeLabel(kind, r, i);
    if (catchAll) {
      report({
        file,
        ...span(headOf(r)),
        message: `${who}: ${label} is never used: ${routeLabel(kind, routes[catchAll.i], catchAll.i)} before it has ${get(routes[catchAll.i], 'match') === undefined || !seq(routes[catchAll.i], 'match').length ? 'no match' : 'a match without conditions'} and takes every request. ${kind === 'http' ? 'Envoy tries HTTP routes in order and uses the first that matches' : 'Routes are tried in order'}; put the catch-all route last.`,
        related: rel(routes[catchAll.i], `${routeLabel(kind, routes[catchAll.i], catchAll.i)} (catch-all)`),
      });
      return;
    }
    if (!matches.length) {
      if (!delegate) catchAll = { i, node: r };
      return;
    }
    let dups = 0;
    const ineffective: Report[] = [];
    matches.forEach((m, j) => {
      const c = canon(m) as Record<string, unknown>;
      const key = JSON.stringify(c);
      const prev = seen.get(key);
      if (prev !== undefined) {
        dups++;
        ineffective.push({
          file,
          ...span(headOf(m as YMap)),
          severity: 'information',
          message: `${who}: match #${j} of ${label} is never used: ${prev === i ? 'an earlier match of the same route' : routeLabel(kind, routes[prev], prev)} has the same conditions, and the first route that matches wins.`,
          related: prev === i ? undefined : rel(routes[prev], routeLabel(kind, routes[prev], prev)),
        });
        return;
      }
      if (!delegate) seen.set(key, i);
      if (kind === 'http') prefixed.push({ route: i, index: j, node: m as YMap, c, key });
    });
    if (dups === matches.length) {
      const earlier = [...new Set(matches.map((m) => seen.get(JSON.stringify(canon(m))) ?? -1))].filter((x) => x >= 0 && x !== i);
      report({
        file,
        ...span(headOf(r)),
        message: `${who}: ${label} is never used: every one of its matches repeats a match of an earlier route${earlier.length ? ` (${earlier.map((x) => routeLabel(kind, routes[x], x)).join(', ')})` : ''}, and the first route that matches wins.`,
        related: earlier.length ? rel(routes[earlier[0]], routeLabel(kind, routes[earlier[0]], earlier[0])) : undefined,
      });
    } else for (const f of ineffective) report(f);
    if (!delegate && matches.some((m) => Object.keys(canon(m) as object).length === 0)) catchAll = { i, node: r };
  });
  if (kind !== 'http') return;
  // a URI prefix match covered by an earlier, shorter prefix with the same other conditions
  const reported = new Set<M>();
  for (let a = 0; a < prefixed.length; a++) {
    const A = prefixed[a];
    if (get(routes[A.route], 'delegate') !== undefined) continue;
    for (let b = a + 1; b < prefixed.length; b++) {
      const B = prefixed[b];
      if (reported.has(B) || B.key === A.key || !covers(A.c, B.c, top)) continue;
      reported.add(B);
      const pa = (A.c.uri as any).prefix;
      const pb = (B.c.uri as any).prefix;
      report({
        file,
        ...span(headOf(B.node)),
        severity: 'information',
        message: `${who}: match #${B.index} of ${routeLabel(kind, routes[B.route], B.route)} (URI prefix ${pb}) is never used: match #${A.index} of ${A.route === B.route ? 'the same route' : routeLabel(kind, routes[A.route], A.route)} comes first with URI prefix ${pa}, which every such request also has, and no condition the later match lacks. The first route that matches wins: put the longer prefix first.`,
        related: A.route === B.route ? undefined : rel(A.node, `match #${A.index} of ${routeLabel(kind, routes[A.route], A.route)}`),
      });
    }
  }
}

function span(n: { start: number; end: number }): { start: number; end: number } {
  return { start: n.start, end: n.end };
}

export default defineRule({
  id: 'vs-unreachable-match',
  defaultSeverity: 'warning',
  description: 'A VirtualService route that no request reaches (after a catch-all route, or every match repeating an earlier one), or a match that an earlier match makes ineffective (same conditions, or a shorter URI prefix; information).',
  kinds: ['VirtualService'],
  check({ model, report }) {
    for (const vs of routing(model).virtualServices) {
      for (const kind of ['http', 'tcp', 'tls'] as const) checkRoutes(vs, kind, report);
    }
  },
});
