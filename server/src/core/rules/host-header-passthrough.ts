import { defineRule } from './rule';
import { nginxFacts, hostHeader, effectiveHeaders, effectiveDirective, callMesh, headerDirective, ProxyTarget, Located } from '../model/nginx';
import { serviceCall, defaultPort, serviceEntryPorts, PortProtocol } from '../model/protocol';
import { lookupHost, hostMatches } from '../model/routing';
import { MeshModel, Service } from '../model/model';
import type { Fix, TextEdit } from '../types';
import { insertLinesAfter, replace } from '../fixes/edits';
import { get, seq, str } from '../source/ynode';

/** A Host value built from the client's host name ($host, $http_host, $server_name, with or without a port). */
const CLIENT_HOST = /^\$\{?(host|http_host|server_name)\}?(:\S*)?$/i;
/** $proxy_host (the proxy_pass host, with its port when not the default), optionally with a port after it. */
const PROXY_HOST = /^\$\{?proxy_host\}?(:\S*)?$/i;

/**
 * Host names the sidecar's virtual host for `s` matches from a caller in `fromNs`: the service's names
 * (`generateVirtualHostDomains`: hostname, the short forms of the caller's namespace, the aliases of an
 * ExternalName pointing at it), any subdomain of them for a headless Service (pod DNS names, the
 * `*.` domains Istio adds for Passthrough resolution), and a ClusterIP written in the manifest.
 * The port of the Host is ignored (IgnorePortInHostMatching).
 */
export function validHost(model: MeshModel, s: Service, fromNs: string | undefined, value: string, aliases: Service[] = []): boolean {
  const v = value.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const names = [s, ...aliases].flatMap((x) => model.hostNames(x, fromNs));
  if (names.includes(v)) return true;
  if (s.clusterIP && s.clusterIP !== 'None' && v === s.clusterIP) return true;
  if (s.clusterIP === 'None' && names.some((n) => v.endsWith('.' + n))) return true;
  return false;
}

/** External host names that reach this nginx through an Ingress (for the message). */
function ingressHosts(model: MeshModel, t: ProxyTarget): string[] {
  const hosts = new Set<string>();
  const svcs = new Set(t.caller.workloads.flatMap((w) => model.servicesOf(w)));
  for (const c of model.callers()) {
    if (c.kind !== 'ingress' || !svcs.has(c.service) || !c.obj) continue;
    for (const r of seq(c.obj.root, 'spec', 'rules')) {
      const h = str(r, 'host');
      if (h) hosts.add(h);
    }
  }
  return [...hosts];
}

/** ExternalName Services whose externalName is `s` (Istio 1.21+ serves them as aliases of `s`). */
const aliasIndex = new WeakMap<MeshModel, Map<Service, Service[]>>();
function aliasesOf(model: MeshModel, s: Service): Service[] {
  let idx = aliasIndex.get(model);
  if (!idx) {
    idx = new Map();
    for (const a of model.services) {
      const to = a.externalName ? model.resolveHost(a.externalName, a.ns).service : undefined;
      if (to) idx.set(to, [...(idx.get(to) ?? []), a]);
    }
    aliasIndex.set(model, idx);
  }
  return idx.get(s) ?? [];
}

interface Dest {
  svc?: Service;
  /** ServiceEntry hosts, when the target is a ServiceEntry */
  seHosts?: string[];
  seName?: string;
  /** the port's protocol and why */
  proto: PortProtocol;
  port: number;
  aliasFrom?: Service;
}

/** Where the sidecar sends the call by address, and the protocol of that port; undefined when meshlint cannot tell or the port is not Host-routed by nature. */
function destination(model: MeshModel, t: ProxyTarget): Dest | undefined {
  const ns = t.caller.ns;
  if (t.upstream) {
    const svcs = [...new Set(t.upstream.servers.map((s) => s.service))];
    if (svcs.length !== 1 || !svcs[0]) return undefined;
    const ports = [...new Set(t.upstream.servers.map((s) => s.port ?? 80))];
    if (ports.length !== 1) return undefined;
    return serviceDest(model, svcs[0], ports[0]);
  }
  const port = t.port ?? defaultPort(t.scheme);
  if (t.service) return serviceDest(model, t.service, port);
  if (t.res.clusterLocal || !ns) return undefined;
  const l = lookupHost(model, t.host, ns, undefined, 'dns');
  if (l.status !== 'found' || !l.serviceEntry) return undefined;
  const sp = serviceEntryPorts(l.serviceEntry.obj.root).find((p) => p.number === port);
  if (!sp) return undefined;
  return { seHosts: l.serviceEntry.hosts, seName: `${l.serviceEntry.ns}/${l.serviceEntry.obj.name}`, proto: sp.proto, port };
}

function serviceDest(model: MeshModel, s: Service, port: number): Dest | undefined {
  const c = serviceCall(model, s, port);
  return c && { svc: c.svc, proto: c.proto, port, aliasFrom: c.aliasFrom };
}

export default defineRule({
  id: 'host-header-passthrough',
  defaultSeverity: 'warning',
  description: 'nginx proxies to an in-mesh HTTP port with a Host header that is none of the service\'s names (or omits it), so the Istio sidecar sends the call to PassthroughCluster (or answers 400).',
  kinds: ['ConfigMap', 'Service', 'ServiceEntry', 'nginx'],
  check({ model, report }) {
    const facts = nginxFacts(model);
    for (const t of facts.targets) {
      if (t.directive.name === 'proxy_pass' && t.scheme.startsWith('grpc')) continue; // an nginx error: nginx-proxy-pass-grpc
      const mesh = callMesh(t);
      if (mesh === 'none' || mesh === 'ambient') continue; // no sidecar routes this call by Host
      const dest = destination(model, t);
      if (!dest) continue;
      const h = hostHeader(facts, t);
      if (h.unknown) continue;
      const fromNs = t.caller.ns;
      const uncertain = mesh === 'unknown';
      const why = t.caller.mesh === 'sidecar' && t.capture.captured === 'unknown' ? `If this nginx's sidecar sees the call (${t.capture.reason}): ` : uncertain ? 'If this nginx runs with an Istio sidecar: ' : '';
      const at = h.directive ? h.directive.d.args[1] : undefined;
      const file = h.directive ? h.directive.file : t.file;
      const where = { file, start: at ? at.start : t.directive.args[0].start, end: at ? at.end : t.directive.args[0].end };
      const target = dest.svc ? `Service ${dest.svc.ns}/${dest.svc.name}${dest.aliasFrom ? ` (through the ExternalName ${dest.aliasFrom.name})` : ''}` : `ServiceEntry ${dest.seName} (${t.host})`;
      const portNote = `Port ${dest.port} (${dest.proto.why}: ${dest.proto.istio})`;
      if (h.directive && h.value === '') {
        // nginx omits a header set to "": an HTTP/1.1 request without Host, which Envoy's connection manager rejects
        if (dest.proto.cls !== 'http' && dest.proto.cls !== 'sniffed') continue;
        if (t.directive.name === 'proxy_pass') {
          const v = effectiveDirective(facts, t, 'proxy_http_version');
          if (v.unknown || !v.value || v.value.d.args[0]?.value !== '1.1') continue; // HTTP/1.0 is nginx-upstream-http10's finding
        }
        report({
          ...where,
          severity: uncertain ? 'information' : undefined,
          message: `${why}nginx omits a header whose value is empty, so it sends the request to ${target} without a Host header. The sidecar (Envoy) answers a request without Host with 400 Bad Request (missing_host_header). Set Host to the service name or remove this line.`,
          fixes: [],
        });
        continue;
      }
      // only ports declared HTTP are routed by Host; sniffed ports get a listener and route of their own that answer any Host
      if (dest.proto.cls !== 'http') continue;
      let sent: string;
      if (PROXY_HOST.test(h.value)) sent = t.host;
      else if (CLIENT_HOST.test(h.value)) sent = h.value;
      else if (h.value.includes('$')) continue; // some other variable: cannot tell
      else sent = h.value;
      if (!sent.startsWith('$')) {
        if (dest.svc && validHost(model, dest.svc, fromNs, sent, dest.aliasFrom ? [dest.aliasFrom, ...aliasesOf(model, dest.svc)] : aliasesOf(model, dest.svc))) continue;
        if (dest.seHosts && dest.seHosts.some((p) => hostMatches(p.toLowerCase(), sent.toLowerCase().replace(/:\d+$/, '')))) continue;
      }
      const ext = ingressHosts(model, t);
      const what = sent.startsWith('$')
        ? `Host ${h.value}${ext.length ? ` (the client's host, e.g. ${ext[0]}${/:/.test(h.value) ? '; the sidecar ignores the port' : ''})` : ` (the client's host name${/:/.test(h.value) ? '; the sidecar ignores the port' : ''})`}`
        : h.directive
          ? `Host "${sent}"`
          : `Host "${sent}" (nginx sends the upstream block's name when Host is not set)`;
      const policy = model.meshConfig.outboundTrafficPolicy === 'REGISTRY_ONLY' ? 'BlackHoleCluster (502), because outboundTrafficPolicy is REGISTRY_ONLY' : 'PassthroughCluster';
      const names = dest.svc ? model.hostNames(dest.svc, fromNs) : dest.seHosts!;
      const fixNames = dest.svc ? [fromNs === dest.svc.ns ? dest.svc.name : `${dest.svc.name}.${dest.svc.ns}`, `${dest.svc.name}.${dest.svc.ns}.svc.cluster.local`] : dest.seHosts!.filter((x) => !x.includes('*')).slice(0, 1);
      const fixes = uncertain && !t.conf.exact ? [] : t.conf.exact && !why ? buildFixes(model, facts, t, h.directive, fixNames) : [];
      const related = [{ span: { file: t.file, start: t.directive.args[0].start, end: t.directive.args[0].end }, message: `${t.directive.name} to ${t.host}` }];
      const decl = dest.svc ?? undefined;
      if (decl) related.push({ span: { file: decl.obj.file, start: get(decl.obj.root, 'metadata', 'name')?.start ?? decl.obj.root.start, end: get(decl.obj.root, 'metadata', 'name')?.end ?? decl.obj.root.start }, message: `Service ${decl.ns}/${decl.name}` });
      report({
        ...where,
        severity: uncertain || why ? 'information' : undefined,
        message:
          `${why}nginx proxies to ${target} with ${what}. ` +
          `${portNote} is declared HTTP, so the sidecar routes it by Host; the Host matches none of the names (${names.join(', ')}), so Envoy sends the call to ${policy} and no mesh policy (mTLS, retries, outlier detection) applies. Set Host to the service name.`,
        related,
        fixes,
      });
    }
  },
});

function buildFixes(model: MeshModel, facts: ReturnType<typeof nginxFacts>, t: ProxyTarget, directive: Located | undefined, names: string[]): Fix[] {
  const fixes: Fix[] = [];
  const own = t.chain.length ? t.chain[t.chain.length - 1] : undefined;
  for (const [i, name] of names.entries()) {
    const edits: TextEdit[] = [];
    if (directive && (directive.d.args.length >= 2) && inBlock(own, directive)) {
      const a = directive.d.args[1];
      edits.push(replace(directive.file, a.start, a.end, name));
    } else {
      // adding a proxy_set_header here stops inheritance from outer levels: repeat the inherited ones
      const text = model.text(t.file);
      if (!text) continue;
      const eff = effectiveHeaders(facts, t);
      if (eff.levelIndex === eff.levels.length - 1) continue; // headers come from an include at this level
      const inherited = eff.headers
        .filter((h) => h.d.args[0]?.value.toLowerCase() !== 'host')
        .map((h) => `${headerDirective(t)} ${h.d.args.map((a) => a.raw).join(' ')};`);
      edits.push(insertLinesAfter(text, t.file, t.directive.end, [`${headerDirective(t)} Host ${name};`, ...inherited]));
    }
    fixes.push({ title: `Set Host to ${name}`, edits, preferred: i === 0 });
  }
  return fixes;
}

function inBlock(own: Located | undefined, d: Located): boolean {
  if (!own) return true;
  return own.file === d.file && d.d.start >= (own.d.blockStart ?? own.d.start) && d.d.end <= (own.d.blockEnd ?? own.d.end);
}
