import { defineRule } from './rule';
import { nginxFacts } from '../model/nginx';
import { get, seq, str, num, isScalar } from '../source/ynode';
import type { Service } from '../model/model';
import type { Fix, TextEdit } from '../types';

function norm(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Does an nginx prefix location cover this request path? */
function covers(location: string, path: string): boolean {
  const l = norm(location);
  const p = norm(path);
  return p === l || p.startsWith(l.endsWith('/') ? l : l + '/') || (l !== '/' && p.startsWith(l));
}

export default defineRule({
  id: 'ingress-bypasses-proxy',
  defaultSeverity: 'warning',
  description: 'An Ingress sends a path straight to a service that an nginx proxy behind the same Ingress already proxies that path to, so the call skips the proxy (and its mesh sidecar).',
  kinds: ['Ingress', 'ConfigMap', 'nginx'],
  check({ model, report }) {
    const facts = nginxFacts(model);
    for (const ing of model.kind('Ingress')) {
      for (const rule of seq(ing.root, 'spec', 'rules')) {
        const paths = seq(rule, 'http', 'paths').map((p) => ({
          node: p,
          path: str(p, 'path') ?? '/',
          svc: str(p, 'backend', 'service', 'name') ?? str(p, 'backend', 'serviceName'),
        }));
        for (const direct of paths) {
          const x = direct.svc ? model.service(ing.ns, direct.svc) : undefined;
          if (!x) continue;
          for (const other of paths) {
            if (other === direct || !other.svc || other.svc === direct.svc) continue;
            const w = model.service(ing.ns, other.svc);
            if (!w) continue;
            const proxy = proxyFor(model, facts, w, x, direct.path);
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
              message: `Ingress ${ing.name} sends ${direct.path} straight to ${x.name}, but ${w.name}'s nginx (behind the same Ingress) proxies ${proxy.location} to ${x.name}. Requests on this path skip that proxy and its sidecar: they arrive from the ingress controller outside the mesh (plaintext, no mesh identity, no web -> ${x.name} edge in Kiali).`,
              related: [{ span: proxy.span, message: `nginx proxies ${proxy.location} to ${x.name}` }],
              fixes,
            });
          }
        }
      }
    }
  },
});

function proxyFor(model: import('../model/model').MeshModel, facts: ReturnType<typeof nginxFacts>, via: Service, to: Service, path: string) {
  const workloads = new Set(model.serviceWorkloads(via));
  for (const t of facts.targets) {
    if (!t.caller.workloads.some((w) => workloads.has(w))) continue;
    const svcs = t.upstream ? t.upstream.servers.map((s) => s.service) : [t.service];
    if (!svcs.includes(to)) continue;
    const loc = [...t.chain].reverse().find((c) => c.d.name === 'location');
    if (!loc) continue;
    const args = loc.d.args.map((a) => a.value);
    let prefix: string | undefined;
    if (args.length === 1) prefix = args[0];
    else if (args.length === 2 && (args[0] === '^~' || args[0] === '=')) prefix = args[1];
    if (!prefix || prefix.startsWith('@')) continue;
    if (!covers(prefix, path)) continue;
    return { location: prefix, span: { file: t.file, start: t.directive.args[0].start, end: t.directive.args[0].end } };
  }
  return undefined;
}
