/**
 * Completion where a name is expected: Service names and FQDNs in nginx proxy_pass and Host headers,
 * VirtualService/DestinationRule hosts, route subsets, gateways, Gateway API parent and backend refs,
 * selector labels from the namespace's workloads, and Istio enum values. Only names that resolve are
 * offered (a subset that selects no pod, a Service in a namespace the caller cannot name, are not).
 * The YAML context is read from the text (indentation), so half-typed documents complete too.
 */
import type { MeshModel, Service } from '../model/model';
import { routing, subsetSelects } from '../model/routing';
import { destinationRuleFor, istioFqdn } from '../model/destination';
import { objectAt, nginxAt } from './locate';

export type CompletionClass = 'service' | 'host' | 'subset' | 'gateway' | 'label' | 'enum' | 'upstream' | 'variable';

export interface CompletionItem {
  label: string;
  cls: CompletionClass;
  detail: string;
  /** replaces [start, end) of the file */
  start: number;
  end: number;
  /** the text inserted (label when absent) */
  insert?: string;
  sort?: string;
}

const ENUMS: { path: RegExp; kinds: string[]; values: [string, string][] }[] = [
  { path: /(^|\.)mtls\.mode$|portLevelMtls\.[^.]+\.mode$/, kinds: ['PeerAuthentication'], values: [['STRICT', 'only mTLS is accepted'], ['PERMISSIVE', 'mTLS and plaintext are accepted'], ['DISABLE', 'plaintext only'], ['UNSET', 'inherit from the parent policy']] },
  { path: /tls\.mode$/, kinds: ['DestinationRule'], values: [['ISTIO_MUTUAL', 'mTLS with Istio certificates'], ['DISABLE', 'no TLS'], ['SIMPLE', 'TLS to the server'], ['MUTUAL', 'mTLS with your certificates']] },
  { path: /^spec\.action$/, kinds: ['AuthorizationPolicy'], values: [['ALLOW', ''], ['DENY', ''], ['AUDIT', ''], ['CUSTOM', 'an external authorizer']] },
  { path: /^spec\.resolution$/, kinds: ['ServiceEntry'], values: [['DNS', ''], ['STATIC', ''], ['NONE', ''], ['DNS_ROUND_ROBIN', '']] },
  { path: /^spec\.location$/, kinds: ['ServiceEntry'], values: [['MESH_EXTERNAL', ''], ['MESH_INTERNAL', '']] },
  { path: /outboundTrafficPolicy\.mode$/, kinds: ['Sidecar'], values: [['REGISTRY_ONLY', ''], ['ALLOW_ANY', '']] },
];

interface YamlContext {
  /** keys from the document root to the value under the cursor (sequence items are not counted) */
  keys: string[];
  /** the cursor is on a key (no `:` typed yet on this line) */
  onKey: boolean;
  /** the word under the cursor and where it starts/ends */
  start: number;
  end: number;
  prefix: string;
  kind?: string;
  namespace?: string;
}

/** At most this many items; the list is then marked incomplete (the editor asks again as the user types). */
export const MAX_ITEMS = 200;

/**
 * Completion items at `offset` of `file` (its current text is `text`): those containing what is typed so
 * far, the most likely first, at most MAX_ITEMS (`incomplete` when more matched).
 */
export function complete(model: MeshModel, file: string, text: string, offset: number): { items: CompletionItem[]; incomplete: boolean } {
  const more = { v: false };
  const all = candidates(model, file, text, offset, more);
  const typed = (i: CompletionItem) => text.slice(i.start, Math.max(i.start, offset)).toLowerCase();
  const hits = all.filter((i) => {
    const t = typed(i).replace(/^\w+:\/\//, '');
    return !t || i.label.toLowerCase().includes(t) || (i.insert ?? '').toLowerCase().includes(t);
  });
  if (hits.length <= MAX_ITEMS) return { items: hits, incomplete: more.v };
  const sorted = hits.map((x, i) => ({ x, i })).sort((a, b) => (a.x.sort ?? '').localeCompare(b.x.sort ?? '') || a.i - b.i);
  return { items: sorted.slice(0, MAX_ITEMS).map((s) => s.x), incomplete: true };
}

function candidates(model: MeshModel, file: string, text: string, offset: number, more: { v: boolean }): CompletionItem[] {
  const ng = nginxAt(model, file, offset) ?? nginxAt(model, file, Math.max(0, offset - 1));
  if (ng) return nginxItems(model, ng, text, offset, more);
  if (!/\.ya?ml$/i.test(file)) return [];
  const ctx = yamlContext(text, offset);
  if (!ctx) return [];
  // the cursor may sit past the end the parser gave the object (a trailing `- ` or `key: ` being typed)
  const docStart = prevDoc(text, offset);
  const obj = objectAt(model.objects, file, offset) ?? model.objects.filter((o) => o.file === file && o.root.start >= docStart && o.root.start <= offset).sort((x, y) => y.root.start - x.root.start)[0];
  const kind = obj?.kind ?? ctx.kind ?? '';
  const ns = obj?.ns ?? ctx.namespace ?? 'default';
  const path = ctx.keys.join('.');
  const at = (label: string, cls: CompletionClass, detail: string, sort?: string): CompletionItem => ({ label, cls, detail, start: ctx.start, end: ctx.end, sort });
  const out: CompletionItem[] = [];

  for (const e of ENUMS) if (e.kinds.includes(kind) && !ctx.onKey && e.path.test(path)) for (const [v, d] of e.values) out.push(at(v, 'enum', d));
  if (out.length) return out;

  if ((kind === 'VirtualService' && (/^spec\.hosts$/.test(path) || /\.destination\.host$/.test(path))) || (kind === 'DestinationRule' && path === 'spec.host')) {
    return hostItems(model, ns, text.slice(ctx.start, offset), more).map((h) => at(h.label, 'host', h.detail, h.sort));
  }
  if (kind === 'VirtualService' && /\.destination\.subset$/.test(path)) {
    const host = destinationHost(text, offset);
    if (!host) return [];
    const res = model.resolveIstioHost(host, ns);
    const svc = res.service;
    const rules = destinationRuleFor(model, istioFqdn(host, ns), svc?.ns ?? res.ns, ns).selection?.rules ?? [];
    const pods = svc ? model.serviceWorkloads(svc) : [];
    for (const dr of rules)
      for (const s of dr.subsets) {
        if (!s.name || out.some((x) => x.label === s.name)) continue;
        // a subset whose labels select none of the Service's pods would be a finding (dr-subset-no-workload)
        if (svc && pods.length && !pods.some((w) => subsetSelects(s.labels, w.podLabels))) continue;
        out.push(at(s.name, 'subset', `DestinationRule ${dr.ns}/${dr.obj.name}: ${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(', ')}`));
      }
    return out;
  }
  if (kind === 'VirtualService' && /(^spec|\.match)\.gateways$/.test(path)) {
    out.push(at('mesh', 'gateway', 'the sidecars of the mesh', '0'));
    for (const g of routing(model).gateways) out.push(at(g.ns === ns ? g.name : `${g.ns}/${g.name}`, 'gateway', `Istio Gateway ${g.ns}/${g.name}`, g.ns === ns ? '1' : '2'));
    return out;
  }
  if (/^(HTTP|GRPC|TCP|TLS|UDP)Route$/.test(kind) && /^spec\.parentRefs\.name$/.test(path)) {
    const refNs = siblingValue(text, offset, 'namespace') ?? ns;
    for (const g of routing(model).k8sGateways) if (g.ns === refNs) out.push(at(g.name, 'gateway', `Gateway ${g.ns}/${g.name}: ${g.listeners.map((l) => `${l.name ?? ''}:${l.port ?? ''}`).join(', ')}`));
    return out;
  }
  if (/^(HTTP|GRPC|TCP|TLS|UDP)Route$/.test(kind) && /\.backendRefs\.name$/.test(path)) {
    const refNs = siblingValue(text, offset, 'namespace') ?? ns;
    for (const s of model.servicesIn(refNs)) out.push(at(s.name, 'service', serviceDetail(s)));
    return out;
  }
  const ml = /(^|\.)(selector\.matchLabels|workloadSelector\.labels|selector)$/.exec(path);
  if (ml && ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication', 'Sidecar', 'Service', 'Telemetry'].includes(kind) && (ctx.onKey || kind !== 'Service')) {
    // a key under the selector: label keys of the namespace's workloads
    const keys = new Map<string, number>();
    for (const w of model.workloadsIn(ns)) for (const k of Object.keys(w.podLabels)) keys.set(k, (keys.get(k) ?? 0) + 1);
    if (ctx.onKey) for (const [k, n] of keys) out.push({ ...at(k, 'label', `on ${n} workload${n === 1 ? '' : 's'} in ${ns}`), insert: `${k}: ` });
    return out;
  }
  const mv = /(^|\.)(selector\.matchLabels|workloadSelector\.labels|selector)\.([^.]+)$/.exec(path);
  if (mv && !ctx.onKey) {
    const key = mv[3];
    const values = new Map<string, string[]>();
    for (const w of model.workloadsIn(ns)) {
      const v = w.podLabels[key];
      if (v !== undefined) values.set(v, [...(values.get(v) ?? []), `${w.kind} ${w.name}`]);
    }
    for (const [v, ws] of values) out.push(at(v, 'label', ws.join(', ')));
    return out;
  }
  return out;
}

function serviceDetail(s: Service): string {
  return `Service ${s.ns}/${s.name}${s.ports.length ? `: ${s.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}`).join(', ')}` : ''}`;
}

/**
 * The namespace's Services, then other namespaces' whose name contains what is typed, at most MAX_ITEMS of
 * those (`more` says some were left out): linear in the matches, not in the workspace, on large ones.
 */
function rankedServices(model: MeshModel, ns: string | undefined, typed: string, more: { v: boolean }): Service[] {
  const t = typed.toLowerCase().split(/[.:]/)[0];
  const own = ns ? [...model.servicesIn(ns)] : [];
  const others: Service[] = [];
  for (const s of model.services) {
    if (s.ns === ns || (t && !s.name.includes(t))) continue;
    if (others.length >= MAX_ITEMS) {
      more.v = true;
      break;
    }
    others.push(s);
  }
  return [...own, ...others];
}

/** Istio hosts visible from ns: short names there, FQDNs elsewhere, ServiceEntry hosts. */
function hostItems(model: MeshModel, ns: string, typed: string, more: { v: boolean }): { label: string; detail: string; sort: string }[] {
  const out: { label: string; detail: string; sort: string }[] = [];
  for (const s of rankedServices(model, ns, typed, more)) {
    if (s.ns === ns) out.push({ label: s.name, detail: serviceDetail(s), sort: `0${s.name}` });
    out.push({ label: `${s.name}.${s.ns}.svc.cluster.local`, detail: serviceDetail(s), sort: `${s.ns === ns ? 1 : 2}${s.name}` });
  }
  for (const se of routing(model).serviceEntries) for (const h of se.hosts) if (!h.startsWith('*')) out.push({ label: h, detail: `ServiceEntry ${se.ns}/${se.obj.name}`, sort: `3${h}` });
  return out;
}

function nginxItems(model: MeshModel, ng: NonNullable<ReturnType<typeof nginxAt>>, text: string, offset: number, more: { v: boolean }): CompletionItem[] {
  const d = ng.directive;
  const out: CompletionItem[] = [];
  const ns = ng.conf.ns;
  if ((d.name === 'proxy_pass' || d.name === 'grpc_pass') && ng.part === 'arg' && ng.arg && ng.argIndex === 0) {
    const a = ng.arg;
    const m = /^(\w+:\/\/)?/.exec(a.raw)!;
    const scheme = m[1] || (d.name === 'grpc_pass' ? 'grpc://' : 'http://');
    const start = a.start + m[0].length;
    const end = a.end;
    for (const s of rankedServices(model, ns, text.slice(start, Math.max(start, offset)), more)) {
      // the fully qualified name only: a short name resolves through the pod's DNS search path, which
      // proxy-pass-short-name reports (completion never offers a name that produces a finding)
      const names = [`${s.name}.${s.ns}.svc.cluster.local`];
      for (const p of s.ports.length ? s.ports : [{ port: 80 } as Service['ports'][number]]) {
        for (const n of names) {
          const hostPort = p.port === 80 && scheme === 'http://' ? n : `${n}:${p.port}`;
          out.push({ label: hostPort, cls: 'service', detail: serviceDetail(s), start, end, insert: m[1] ? hostPort : `${scheme}${hostPort}`, sort: `${s.ns === ns ? 0 : 1}${hostPort}` });
        }
      }
    }
    const ups = ng.conf.config.directives.flatMap((x) => (x.name === 'http' ? (x.block ?? []) : [x])).filter((x) => x.name === 'upstream' && x.args[0]);
    for (const u of ups) out.push({ label: u.args[0].value, cls: 'upstream', detail: 'upstream block', start, end, insert: m[1] ? u.args[0].value : `${scheme}${u.args[0].value}`, sort: `00${u.args[0].value}` });
    return out;
  }
  if ((d.name === 'proxy_set_header' || d.name === 'grpc_set_header') && ng.argIndex === 1 && /^host$/i.test(d.args[0]?.value ?? '') && ng.arg) {
    // the names the sidecar matches for the Service this location proxies to
    const facts = ng.chain.length ? ng.chain[ng.chain.length - 1] : undefined;
    const block = facts?.block ?? [];
    const pass = block.find((x) => x.name === 'proxy_pass' || x.name === 'grpc_pass');
    const target = pass?.args[0]?.value;
    const hm = target ? /^\w+:\/\/([^/:$]+)/.exec(target) : null;
    const res = hm ? model.resolveHost(hm[1], ns) : undefined;
    const a = ng.arg;
    if (res?.service) {
      for (const n of model.hostNames(res.service, ns)) out.push({ label: n, cls: 'service', detail: `a name of ${serviceDetail(res.service)}`, start: a.start, end: a.end, sort: `0${n.length}` });
    }
    out.push({ label: '$proxy_host', cls: 'variable', detail: "the host of proxy_pass (nginx's default Host)", start: a.start, end: a.end, sort: '1' });
    return out;
  }
  return out;
}

// ---------- the YAML context from the text ----------

function lineAt(text: string, offset: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  return { start, end };
}

/** The key path to the cursor by indentation (works on text that does not parse yet). */
export function yamlContext(text: string, offset: number): YamlContext | undefined {
  const ln = lineAt(text, offset);
  const before = text.slice(ln.start, offset);
  const after = text.slice(offset, ln.end);
  if (/#/.test(before.replace(/(["']).*?\1/g, ''))) return undefined; // in a comment
  const wordStart = offset - (/[^\s:\[\],{}"']*$/.exec(before)?.[0].length ?? 0);
  const wordEnd = offset + (/^[^\s:\[\],{}"']*/.exec(after)?.[0].length ?? 0);
  const prefix = text.slice(wordStart, offset);
  // this line: `key: value|`, `- key: value|`, `- value|` (an item of a list of scalars) or `key|` (a key being typed)
  const kv = /^(\s*)((?:-\s+)*)([\w.\/-]+):\s*(.*)$/.exec(before);
  const item = kv ? null : /^(\s*)((?:-\s+)+)([^:]*)$/.exec(before);
  const keys: string[] = [];
  let onKey = false;
  // a parent key must sit at a column below `want`
  let want: number;
  if (kv) {
    keys.push(kv[3]);
    want = kv[2] ? kv[1].length + 1 : kv[1].length;
  } else if (item) {
    want = item[1].length + 1;
  } else {
    const bare = /^(\s*)([\w.\/-]*)$/.exec(before);
    if (!bare) return undefined;
    want = bare[1].length;
    onKey = true;
  }
  let pos = ln.start - 1;
  while (pos > 0 && want > 0) {
    const l = lineAt(text, pos);
    const line = text.slice(l.start, l.end);
    pos = l.start - 1;
    if (/^---/.test(line)) break;
    if (!line.trim() || /^\s*#/.test(line)) continue;
    const m = /^(\s*)((?:-\s+)*)([\w.\/-]+):/.exec(line);
    const dashCol = /^(\s*)/.exec(line)![1].length;
    const hasDash = m ? !!m[2] : /^\s*-(\s|$)/.test(line);
    const keyCol = m ? m[1].length + m[2].length : dashCol;
    if (m && keyCol < want) {
      keys.unshift(m[3]);
      want = hasDash ? dashCol + 1 : keyCol;
    } else if (hasDash && dashCol < want) {
      // an earlier key of the same list item: the item's parent sits at or left of its dash
      want = dashCol + 1;
    }
  }
  const doc = text.slice(prevDoc(text, offset), nextDoc(text, offset));
  const kind = /^kind:\s*["']?(\w+)/m.exec(doc)?.[1];
  const namespace = (/^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+namespace:\s*["']?([\w.-]+)/m.exec(doc) ?? /^metadata:\s*\{[^}\n]*\bnamespace:\s*["']?([\w.-]+)/m.exec(doc))?.[1];
  return { keys, onKey, start: wordStart, end: wordEnd, prefix, kind, namespace };
}

function prevDoc(text: string, offset: number): number {
  const before = text.slice(0, offset);
  const i = before.search(/^---[^\n]*\n(?![\s\S]*^---)/m);
  return i < 0 ? 0 : i;
}

function nextDoc(text: string, offset: number): number {
  const m = /^---/m.exec(text.slice(offset));
  return m ? offset + m.index : text.length;
}

/** `host:` next to the `subset:` under the cursor (same destination block). */
function destinationHost(text: string, offset: number): string | undefined {
  return siblingValue(text, offset, 'host');
}

/** The value of `key` in the same mapping as the cursor's line (same indentation, nearby lines). */
function siblingValue(text: string, offset: number, key: string): string | undefined {
  const ln = lineAt(text, offset);
  const line = text.slice(ln.start, ln.end);
  const ind = /^(\s*)((?:-\s+)*)/.exec(line)!;
  const col = ind[1].length + ind[2].length;
  const re = new RegExp(`^\\s*(?:-\\s+)*${key}:\\s*["']?([^\\s"'#]+)`);
  // scan up and down within the block (lines indented at least as much)
  for (const dir of [-1, 1]) {
    let p = dir < 0 ? ln.start - 1 : ln.end + 1;
    while (p > 0 && p < text.length) {
      const l = lineAt(text, p);
      const s = text.slice(l.start, l.end);
      const m2 = /^(\s*)((?:-\s+)*)/.exec(s)!;
      const c = m2[1].length + m2[2].length;
      if (s.trim() && c < col) break;
      if (c === col) {
        const m = re.exec(s);
        if (m) return m[1];
      }
      if (s.trim() && m2[2] && c === col && dir > 0) break; // the next list item
      p = dir < 0 ? l.start - 1 : l.end + 1;
    }
  }
  return undefined;
}
