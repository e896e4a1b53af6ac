import { defineRule } from './rule';
import type { Fix, TextEdit } from '../types';
import type { MeshModel, Service, ServicePort } from '../model/model';
import { get, isMap, pair, str, seq } from '../source/ynode';
import { insertLinesAfter, replace } from '../fixes/edits';
import { portProtocol } from '../model/protocol';

/**
 * Server-first protocols on their usual ports: sniffing waits for a client byte that never comes. Istio
 * itself treats 25, 53, 3306 and 27017 as TCP when undeclared (ConvertProtocol's well-known ports), so
 * those are not sniffed and not listed here.
 */
const SERVER_FIRST: Record<number, string> = { 587: 'SMTP', 465: 'SMTPS', 21: 'FTP', 110: 'POP3', 143: 'IMAP' };
const HTTPISH_NAME = /^(web|api|ui|rest|metrics|health|admin|console|dashboard|frontend|app|service|server|svc)$/i;
const HTTPISH_PORT = new Set([80, 8000, 8080, 8081, 8888, 3000, 5000, 9090]);

/** Names other objects use to refer to a Service port (renaming it would break them). */
function portNameRefs(model: MeshModel, s: Service): Set<string> {
  const names = new Set<string>();
  for (const o of model.kind('Ingress')) {
    if (o.ns !== s.ns) continue;
    for (const r of seq(o.root, 'spec', 'rules')) for (const p of seq(r, 'http', 'paths')) if (str(p, 'backend', 'service', 'name') === s.name) names.add(str(p, 'backend', 'service', 'port', 'name') ?? '');
  }
  for (const o of model.kind('ServiceMonitor')) for (const e of seq(o.root, 'spec', 'endpoints')) names.add(str(e, 'port') ?? '');
  return names;
}

export default defineRule({
  id: 'service-port-protocol',
  defaultSeverity: 'information',
  description: 'A Service port declares no protocol (no `<protocol>-` name prefix, no appProtocol): Istio falls back to protocol sniffing, which cannot handle server-first protocols and may treat HTTP as opaque TCP.',
  kinds: ['Service'],
  check({ model, report }) {
    if (!model.meshInUse) return;
    for (const s of model.services) {
      if (s.externalName || s.type === 'ExternalName' || !s.ports.length) continue;
      const ws = model.serviceWorkloads(s);
      if (ws.length && ws.every((w) => model.membership(w).mode === 'none')) continue; // no mesh proxy on either side that we can see
      // Services Istio generates for waypoints/gateways (HBONE port 15008) are not the author's to declare
      if (s.obj.labels['gateway.istio.io/managed']) continue;
      const bare = s.ports.filter((p) => portProtocol(p).cls === 'sniffed' && p.appProtocol?.toLowerCase() !== 'hbone');
      if (!bare.length) continue;
      const first = bare[0];
      const nameNode = get(first.node, 'name');
      const at = nameNode ?? get(first.node, 'port') ?? first.node;
      const list = bare.map((p) => `${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ');
      const serverFirst = bare.filter((p) => SERVER_FIRST[p.port] || SERVER_FIRST[typeof p.targetPort === 'number' ? p.targetPort : -1]);
      const sfNote = serverFirst.length ? ` Port ${serverFirst.map((p) => p.port).join(', ')} looks like a server-first protocol (${serverFirst.map((p) => SERVER_FIRST[p.port] ?? SERVER_FIRST[p.targetPort as number]).join(', ')}): sniffing waits for the client to speak first and connections stall; declare it as tcp.` : '';
      report({
        file: s.obj.file,
        start: at.start,
        end: at.end,
        message: `Service ${s.ns}/${s.name}: port${bare.length > 1 ? 's' : ''} ${list} declare${bare.length > 1 ? '' : 's'} no protocol (name it \`<protocol>[-<suffix>]\`, e.g. http-web / grpc / tcp-db, or set appProtocol). Istio then auto-detects HTTP/1.1 and HTTP/2 by sniffing and treats anything else as plain TCP (no HTTP routing, retries or L7 metrics).${sfNote}`,
        fixes: fixes(model, s, bare, serverFirst.length === bare.length ? 'tcp' : serverFirst.length === 0 && bare.every(httpish) ? 'http' : undefined),
      });
    }
  },
});

function httpish(p: ServicePort): boolean {
  return (p.name !== undefined && HTTPISH_NAME.test(p.name)) || HTTPISH_PORT.has(p.port);
}

function fixes(model: MeshModel, s: Service, ports: ServicePort[], proto: 'http' | 'tcp' | undefined): Fix[] {
  if (!proto) return [];
  const text = model.text(s.obj.file);
  if (!text || ports.some((p) => !isMap(p.node) || p.node.flow)) return [];
  const out: Fix[] = [];
  const add: TextEdit[] = [];
  for (const p of ports) {
    const pp = pair(p.node, 'port');
    if (!pp) return [];
    add.push(insertLinesAfter(text, s.obj.file, pp.key.start, [`appProtocol: ${proto}`], text.slice(text.lastIndexOf('\n', pp.key.start - 1) + 1, pp.key.start).replace(/[^ ]/g, ' ')));
  }
  // a port declared HTTP is routed by Host: an in-mesh ingress controller or nginx that sends the client's
  // Host (answered by the sniffed port's catch-all route today) then leaves through PassthroughCluster
  // and a port declared HTTP answers HTTP/1.0 with 426, which a sniffed port passed as TCP
  const hostCallers = proto === 'http' ? model.callersOf(s).filter((c) => (c.kind === 'ingress' || c.kind === 'nginx') && c.mesh === 'sidecar') : [];
  const nginxCallers = proto === 'http' ? model.callersOf(s).filter((c) => c.kind === 'nginx') : [];
  const reveals = hostCallers.length || nginxCallers.length ? [...(hostCallers.length ? ['ingress-nginx-sidecar-upstream', 'host-header-passthrough'] : []), ...(nginxCallers.length ? ['nginx-upstream-http10'] : [])] : undefined;
  const then = hostCallers.length
    ? ` (then ${[...new Set(hostCallers.map((c) => c.description))].join(', ')} must send Host ${s.name}${nginxCallers.length ? ' over HTTP/1.1' : ''})`
    : nginxCallers.length
      ? ` (then ${[...new Set(nginxCallers.map((c) => c.description))].join(', ')} must use HTTP/1.1)`
      : '';
  out.push({ title: `Add appProtocol: ${proto}${then}`, edits: add, preferred: !reveals, reveals });
  const refs = portNameRefs(model, s);
  if (ports.every((p) => p.name && !refs.has(p.name) && /^[a-z0-9-]+$/.test(p.name))) {
    const ren: TextEdit[] = [];
    for (const p of ports) {
      const n = get(p.node, 'name')!;
      const newName = `${proto}-${p.name}`.slice(0, 15).replace(/-$/, '');
      if (newName === p.name || s.ports.some((x) => x.name === newName)) return out;
      ren.push(replace(s.obj.file, n.start, n.end, newName));
    }
    out.push({ title: (ports.length === 1 ? `Name the port ${proto}-${ports[0].name}`.slice(0, 60) : `Name the ports ${proto}-...`) + then, edits: ren, reveals });
  }
  return out;
}
