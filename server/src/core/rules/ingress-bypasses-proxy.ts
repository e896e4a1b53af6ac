import { defineRule } from './rule';
import { nginxFacts, ProxyTarget, NginxFacts } from '../model/nginx';
import { locationTree, selectLocation, allLocations, anchoredLiteral, Loc } from '../model/nginx-location';
import { get, seq, str, num, isScalar } from '../source/ynode';
import type { K8sObject } from '../source/yaml';
import type { MeshModel, MeshMode, Service } from '../model/model';
import type { Fix, TextEdit } from '../types';

/** An Ingress path as the controller matches it: `Exact`, or `Prefix` (element-wise, trailing slash ignored). */
interface IngressPath {
  path: string;
  exact: boolean;
}

/**
 * Kubernetes Ingress path semantics (networking.k8s.io/v1 HTTPIngressPath): `Exact` matches the path
 * only; `Prefix` matches by `/`-separated elements (`/api` matches `/api`, `/api/`, `/api/users`, not
 * `/apix`). `ImplementationSpecific` (or no pathType): ingress-nginx matches a plain path as a prefix;
 * with `use-regex`/`rewrite-target` annotations, or regex characters, the path is not a plain path and
 * meshlint does not judge it.
 */
function ingressPath(ing: K8sObject, p: unknown): IngressPath | undefined {
  const path = str(p as never, 'path') ?? '/';
  const type = str(p as never, 'pathType') ?? 'ImplementationSpecific';
  if (!path.startsWith('/')) return undefined;
  if (ing.annotations['nginx.ingress.kubernetes.io/use-regex'] === 'true' || ing.annotations['nginx.ingress.kubernetes.io/rewrite-target']) return undefined;
  if (type === 'Exact') return { path, exact: true };
  if (type === 'Prefix' || (type === 'ImplementationSpecific' && /^[A-Za-z0-9/_.~%-]+$/.test(path))) return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, exact: false };
  return undefined;
}

/** Request paths standing for the Ingress path (nginx matches locations on the normalised URI). */
function probes(p: IngressPath): string[] {
  if (p.exact) return [p.path];
  if (p.path === '/') return ['/', '/meshlint-probe', '/meshlint-probe/x'];
  return [p.path, p.path + '/', p.path + '/meshlint-probe'];
}

export default defineRule({
  id: 'ingress-bypasses-proxy',
  defaultSeverity: 'warning',
  description: 'An Ingress sends a path straight to a service that an nginx proxy behind the same Ingress already proxies that path to, so the call skips the proxy (and its mesh sidecar).',
  kinds: ['Ingress', 'ConfigMap', 'nginx'],
  check({ model, report }) {
    const facts = nginxFacts(model);
    for (const ing of model.kind('Ingress')) {
      const ctl = model.ingressController(ing);
      for (const rule of seq(ing.root, 'spec', 'rules')) {
        const host = str(rule, 'host');
        const paths = seq(rule, 'http', 'paths').map((p) => ({
          node: p,
          path: str(p, 'path') ?? '/',
          match: ingressPath(ing, p),
          svc: str(p, 'backend', 'service', 'name') ?? str(p, 'backend', 'serviceName'),
        }));
        for (const direct of paths) {
          const x = direct.svc ? model.service(ing.ns, direct.svc) : undefined;
          if (!x || !direct.match) continue;
          for (const other of paths) {
            if (other === direct || !other.svc || other.svc === direct.svc) continue;
            const w = model.service(ing.ns, other.svc);
            if (!w) continue;
            const proxy = proxyFor(model, facts, w, x, direct.match, host);
            if (!proxy) continue;
            const nameNode = get(direct.node, 'backend', 'service', 'name') ?? get(direct.node, 'backend', 'serviceName');
            if (!isScalar(nameNode)) continue;
            const edits: TextEdit[] = [{ file: ing.file, start: nameNode.start, end: nameNode.end, newText: w.name }];
            const portNode = get(direct.node, 'backend', 'service', 'port', 'number') ?? get(direct.node, 'backend', 'servicePort');
            const otherPort = num(other.node, 'backend', 'service', 'port', 'number') ?? num(other.node, 'backend', 'servicePort');
            const portNameNode = get(direct.node, 'backend', 'service', 'port', 'name');
            let ok = true;
            if (isScalar(portNode) && otherPort !== undefined) edits.push({ file: ing.file, start: portNode.start, end: portNode.end, newText: String(otherPort) });
            else if (isScalar(portNameNode) && str(other.node, 'backend', 'service', 'port', 'name')) edits.push({ file: ing.file, start: portNameNode.start, end: portNameNode.end, newText: str(other.node, 'backend', 'service', 'port', 'name')! });
            else ok = false;
            const fixes: Fix[] = ok ? [{ title: `Route ${direct.path} through ${w.name}:${otherPort ?? str(other.node, 'backend', 'service', 'port', 'name')}`, edits, preferred: true }] : [];
            report({
              file: ing.file,
              start: nameNode.start,
              end: nameNode.end,
              message: `Ingress ${ing.name} sends ${direct.path} straight to ${x.name}, but ${w.name}'s nginx (behind the same Ingress) serves ${direct.path} with location ${proxy.location}, which proxies to ${x.name}. Requests on this path skip that proxy${proxy.sidecar ? ' and its sidecar' : ''}: ${arrival(ctl, x.name, w.name)}`,
              related: [{ span: proxy.span, message: `nginx proxies location ${proxy.location} to ${x.name}` }],
              fixes,
            });
          }
        }
      }
    }
  },
});

/** What the direct route means, by the controller's mesh membership. */
function arrival(ctl: { name: string; mesh: MeshMode }, to: string, via: string): string {
  const lost = `whatever the proxy adds (headers, timeouts, auth) does not apply and there is no ${via} -> ${to} edge in Kiali.`;
  if (ctl.mesh === 'none') return `they arrive from the ingress controller (${ctl.name}) outside the mesh (plaintext, no mesh identity), and ${lost}`;
  if (ctl.mesh === 'sidecar' || ctl.mesh === 'ambient') return `they arrive from ${ctl.name} (in the mesh) directly, and ${lost}`;
  return `they arrive from the ingress controller (${ctl.name}) directly, and ${lost}`;
}

/**
 * The nginx proxy_pass in `via`'s workloads that serves every request of the Ingress path and sends
 * it to `to`: nginx's location selection (model/nginx-location.ts) picks that proxy's location for
 * the path, and no other location (a longer prefix, an exact match, a regex anchored inside the path)
 * takes part of the path elsewhere.
 */
function proxyFor(model: MeshModel, facts: NginxFacts, via: Service, to: Service, path: IngressPath, host: string | undefined) {
  const workloads = new Set(model.serviceWorkloads(via));
  for (const t of facts.targets) {
    if (!t.caller.workloads.some((w) => workloads.has(w))) continue;
    const svcs = t.upstream ? t.upstream.servers.map((s) => s.service) : [t.service];
    if (!svcs.includes(to)) continue;
    const served = servedBy(facts, t, path, host);
    if (!served) continue;
    const loc = served.at.d.args.map((a) => a.value).join(' ');
    return { location: loc, sidecar: t.caller.mesh === 'sidecar', span: { file: t.file, start: t.directive.args[0].start, end: t.directive.args[0].end } };
  }
  return undefined;
}

function servedBy(facts: NginxFacts, t: ProxyTarget, path: IngressPath, host: string | undefined): Loc | undefined {
  const si = t.chain.findIndex((c) => c.d.name === 'server');
  if (si < 0) return undefined;
  const server = t.chain[si];
  const rest = t.chain.slice(si + 1);
  // the proxy must run for every request of its location: not inside `if`, limit_except...
  if (!rest.length || rest.some((c) => c.d.name !== 'location')) return undefined;
  const own = rest[rest.length - 1];
  if (!serverServes(facts, t, server, host)) return undefined;
  const serverItems = facts.children(t.conf, server.d.block ?? [], server.file);
  if (serverItems.unknown || serverItems.items.some((l) => l.d.name === 'rewrite' || l.d.name === 'return')) return undefined;
  const ownItems = facts.children(t.conf, own.d.block ?? [], own.file);
  if (ownItems.unknown || ownItems.items.some((l) => l.d.name === 'rewrite' || l.d.name === 'return')) return undefined;
  const tree = locationTree(facts, t.conf, server.d.block ?? [], server.file);
  if (tree.unknown) return undefined;
  let mine: Loc | undefined;
  for (const p of probes(path)) {
    const sel = selectLocation(tree.locs, p);
    if (sel === 'unknown' || !sel || sel.at.d !== own.d) return undefined;
    mine = sel;
  }
  if (!mine || path.exact) return mine;
  // a Prefix path: no other location may take part of it
  const ancestors = new Set<Loc>();
  for (let a = mine.parent; a; a = a.parent) ancestors.add(a);
  const topNoRegex = [...ancestors, mine].find((a) => !a.parent)?.mod === '^~';
  const under = path.path === '/' ? '/' : path.path + '/';
  for (const l of allLocations(tree.locs)) {
    if (l === mine || ancestors.has(l) || l.mod === '@') continue;
    if (l.mod === '' || l.mod === '^~' || l.mod === '=') {
      if (l.pattern.startsWith(under) && l.pattern.length > mine.pattern.length) return undefined;
      continue;
    }
    // a regex location of the server level is not consulted when the prefix found there has ^~
    if (!l.parent && topNoRegex) continue;
    const lit = anchoredLiteral(l.pattern);
    if (lit !== undefined) {
      if (lit.startsWith(under) || under.startsWith(lit) || lit === path.path) return undefined;
      continue;
    }
    // unanchored: a file-extension rule (`\.(css|js)$`) serves files, not the proxied API paths; anything else may take part of the path
    if (!(/\\\./.test(l.pattern) && l.pattern.endsWith('$'))) return undefined;
  }
  return mine;
}

/** Does this server block get the Ingress host's requests? Sure only for the one server, or a server_name match. */
function serverServes(facts: NginxFacts, t: ProxyTarget, server: ProxyTarget['chain'][number], host: string | undefined): boolean {
  const parent = t.chain[t.chain.indexOf(server) - 1];
  const level = parent ? facts.children(t.conf, parent.d.block ?? [], parent.file) : facts.children(t.conf, t.conf.config.directives, t.conf.file);
  const servers = level.items.filter((l) => l.d.name === 'server' && l.d.block);
  if (servers.length === 1 && !level.unknown) return true;
  if (!host) return false;
  const names = facts.children(t.conf, server.d.block ?? [], server.file).items.filter((l) => l.d.name === 'server_name').flatMap((l) => l.d.args.map((a) => a.value.toLowerCase()));
  const h = host.toLowerCase();
  return names.some((n) => n === h || (n.startsWith('*.') && h.endsWith(n.slice(1))) || (n.startsWith('.') && (h === n.slice(1) || h.endsWith(n))));
}
