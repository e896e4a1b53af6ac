/**
 * Hover content as Markdown, given the model, a file and an offset. Pure: the server only
 * converts offsets. Three kinds of hover:
 * - field docs for Kubernetes / Istio / Gateway API objects (from the YAML path under the cursor),
 * - nginx directive and variable docs,
 * - mesh hovers that answer "what will the mesh do here": a proxy_pass target's Service,
 *   membership and mTLS; what the sidecar matches for `proxy_set_header Host`; the workloads and
 *   ports a PeerAuthentication governs; the Service a DestinationRule host binds to.
 */
import { serviceCall, defaultPort } from '../model/protocol';
import { validHost } from '../rules/host-header-passthrough';
import type { MeshModel, Workload, Service, DestinationRule, PeerAuth } from '../model/model';
import { nginxFacts, hostHeader, ProxyTarget } from '../model/nginx';
import { fieldDoc, nginxDirectiveDoc, nginxVariableDoc } from '../../docs/hoverData';
import { objectAt, yamlPathAtFull, nginxAt, NginxHit, YamlHit } from './locate';
import { describeMtls, membershipOf, workloadPorts } from './coverage';
import type { K8sObject } from '../source/yaml';

export interface HoverResult {
  markdown: string;
  start: number;
  end: number;
}

const SEP = '\n\n---\n\n';
const MESH = '**meshlint**';

function code(s: string | number): string {
  const t = String(s);
  const ticks = t.includes('`') ? '``' : '`';
  return `${ticks}${t}${ticks}`;
}

function loc(file: string): string {
  return code(file);
}

/** Hover for `offset` in `file`; undefined when there is nothing to say. */
export function hover(model: MeshModel, file: string, offset: number): HoverResult | undefined {
  const ngx = nginxAt(model, file, offset);
  if (ngx) return nginxHover(model, ngx);
  const obj = objectAt(model.objects, file, offset);
  if (!obj) return undefined;
  // field docs for any field: lean trees lack some container fields, re-read from the file's full tree
  const hit = yamlPathAtFull(model, obj, offset);
  if (!hit) return undefined;
  return yamlHover(model, hit);
}

// ---------------------------------------------------------------- YAML

function yamlHover(model: MeshModel, hit: YamlHit): HoverResult | undefined {
  const { obj, path } = hit;
  const parts: string[] = [];
  const mesh = meshYamlHover(model, hit);
  const doc = path.length ? fieldDoc(obj.apiVersion, obj.kind, path) : undefined;
  if (doc) {
    const dotted = path.map((p) => (typeof p === 'number' ? '[]' : p)).join('.').replace(/\.\[\]/g, '[]');
    let md = `${code(dotted)}${doc.type ? ` · *${doc.type}*` : ''} · ${obj.kind} (${obj.group || 'core'})\n\n${doc.description}`;
    if (doc.enum?.length) md += `\n\nAllowed values: ${doc.enum.map(code).join(', ')}`;
    parts.push(md);
  }
  if (mesh) parts.push(mesh);
  if (!parts.length) return undefined;
  return { markdown: parts.join(SEP), start: hit.start, end: hit.end };
}

function meshYamlHover(model: MeshModel, hit: YamlHit): string | undefined {
  const { obj, path } = hit;
  const onName = (path.length === 2 && path[0] === 'metadata' && path[1] === 'name') || (path.length === 1 && path[0] === 'kind' && !hit.onKey);
  if (obj.kind === 'PeerAuthentication') {
    const pa = model.peerAuths.find((p) => p.obj === obj);
    if (pa && (onName || path[0] === 'spec')) return peerAuthHover(model, pa);
  }
  if (obj.kind === 'DestinationRule' && path.length === 2 && path[0] === 'spec' && path[1] === 'host') {
    const dr = model.destinationRules.find((d) => d.obj === obj);
    if (dr) return destinationRuleHover(model, dr);
  }
  if (onName) {
    const w = model.workloads.find((x) => x.obj === obj);
    if (w) return workloadHover(model, w);
    const s = model.services.find((x) => x.obj === obj);
    if (s) return serviceHover(model, s);
  }
  return undefined;
}

function membershipLine(model: MeshModel, w: Workload): string {
  const m = model.membership(w);
  const label = m.mode === 'none' ? 'outside the mesh' : m.mode === 'unknown' ? 'mesh membership unknown' : `in the mesh (${m.mode})`;
  return `${w.kind} ${code(w.name)}: **${label}**, ${m.reason}`;
}

function portLines(model: MeshModel, w: Workload): string[] {
  const m = model.membership(w);
  if (m.mode === 'none') return ['no sidecar or ztunnel: it sends and accepts plaintext only; PeerAuthentication does not apply'];
  const ports = workloadPorts(model, w, model.servicesOf(w));
  if (!ports.length) {
    const e = model.effectiveMtls(w);
    return [`all ports: mTLS **${e.mode}** (${describeMtls(e)})`];
  }
  return ports.map((p) => {
    const e = model.effectiveMtls(w, p.port);
    return `port ${p.port}${p.via.length ? ` (${p.via.join(', ')})` : ''}: mTLS **${e.mode}** (${describeMtls(e)}${e.span ? `, ${loc(e.span.file)}` : ''})`;
  });
}

function workloadHover(model: MeshModel, w: Workload): string {
  const lines = [`${MESH} · ${membershipLine(model, w)}`];
  const svcs = model.servicesOf(w);
  if (svcs.length) lines.push(`- Services: ${svcs.map((s) => code(`${s.ns}/${s.name}`)).join(', ')}`);
  for (const l of portLines(model, w)) lines.push(`- ${l}`);
  for (const s of svcs) for (const c of model.callersOf(s)) if (c.mesh !== 'sidecar' && c.mesh !== 'ambient') lines.push(`- caller ${c.mesh === 'none' ? 'outside the mesh' : 'with unknown membership'}: ${c.description}`);
  return lines.join('\n');
}

function serviceHover(model: MeshModel, s: Service): string {
  const lines = [`${MESH} · Service ${code(`${s.ns}/${s.name}`)}`];
  const ws = model.serviceWorkloads(s);
  if (!ws.length) lines.push(`- selects no workload in the workspace${s.selector ? '' : ' (no selector)'}`);
  for (const w of ws) lines.push(`- ${membershipLine(model, w)}`);
  const drs = model.destinationRulesFor(s);
  lines.push(`- DestinationRule: ${drs.length ? drs.map((d) => `${code(`${d.ns}/${d.obj.name}`)}${d.tlsMode ? ` (tls ${d.tlsMode})` : ''}`).join(', ') : 'none'}`);
  const callers = model.callersOf(s);
  for (const c of callers) lines.push(`- called by ${c.description}${c.mesh === 'sidecar' || c.mesh === 'ambient' ? ` (${c.mesh})` : c.mesh === 'none' ? ' (outside the mesh)' : ''}`);
  lines.push(`- host names: ${model.hostNames(s).map(code).join(', ')}`);
  return lines.join('\n');
}

/** Workloads a PeerAuthentication could govern, by its scope. */
function peerAuthScope(model: MeshModel, pa: PeerAuth): { scope: string; workloads: Workload[] } {
  const hasSelector = !!pa.selector && Object.keys(pa.selector).length > 0;
  if (hasSelector) return { scope: `workloads in ${pa.ns} matching ${Object.entries(pa.selector!).map(([k, v]) => `${k}=${v}`).join(', ')}`, workloads: model.workloadsFor(pa.ns, pa.selector) };
  if (pa.ns === model.meshConfig.rootNamespace) return { scope: `mesh-wide (root namespace ${pa.ns})`, workloads: model.workloads };
  return { scope: `namespace-wide (${pa.ns})`, workloads: model.workloads.filter((w) => w.ns === pa.ns) };
}

function peerAuthHover(model: MeshModel, pa: PeerAuth): string {
  const { scope, workloads } = peerAuthScope(model, pa);
  const lines = [`${MESH} · PeerAuthentication ${code(`${pa.ns}/${pa.obj.name}`)}: ${scope}, mode ${pa.mode ? `**${pa.mode}**` : 'UNSET (inherits)'}`];
  if (!workloads.length) lines.push('- no workload in the workspace is in its scope');
  for (const w of workloads) {
    const m = model.membership(w);
    if (m.mode === 'none') {
      lines.push(`- ${w.kind} ${code(w.name)}: outside the mesh (${m.reason}); this policy does not apply`);
      continue;
    }
    const ports = workloadPorts(model, w, model.servicesOf(w));
    const entries = ports.length ? ports.map((p) => ({ port: p.port as number | undefined, e: model.effectiveMtls(w, p.port) })) : [{ port: undefined, e: model.effectiveMtls(w) }];
    const desc = entries.map(({ port, e }) => {
      const where = port === undefined ? 'all ports' : `port ${port}`;
      return e.policy === pa ? `${where} **${e.mode}**${e.scope === 'port' ? ' (portLevelMtls)' : ''}` : `${where} ${e.mode} (overridden by ${describeMtls(e)})`;
    });
    lines.push(`- ${w.kind} ${code(w.name)}${m.mode === 'unknown' ? ' (membership unknown)' : ` (${m.mode})`}: ${desc.join(', ')}`);
  }
  if (pa.portLevel.length && !(pa.selector && Object.keys(pa.selector).length)) {
    lines.push('- `portLevelMtls` is ignored: Istio applies it only on policies with a workload `selector`');
  }
  return lines.join('\n');
}

function destinationRuleHover(model: MeshModel, dr: DestinationRule): string {
  const res = model.resolveIstioHost(dr.host, dr.ns);
  const lines: string[] = [];
  if (dr.host.startsWith('*')) {
    const svcs = model.services.filter((s) => model.destinationRulesFor(s).includes(dr));
    lines.push(`${MESH} · host ${code(dr.host)} is a wildcard: it binds ${svcs.length ? svcs.map((s) => code(`${s.ns}/${s.name}`)).join(', ') : 'no Service in the workspace'}`);
    return lines.join('\n');
  }
  const s = res.service;
  if (!s) {
    if (!res.clusterLocal) lines.push(`${MESH} · host ${code(dr.host)} is not a cluster-local Service name; it applies to a ServiceEntry host or to nothing`);
    else if (!res.nsKnown) lines.push(`${MESH} · host ${code(dr.host)} points into namespace ${code(res.ns ?? '?')}, which the workspace does not show: unknown`);
    else lines.push(`${MESH} · host ${code(dr.host)} matches **no Service** in namespace ${code(res.ns ?? dr.ns)} in the workspace: this DestinationRule applies to nothing`);
    return lines.join('\n');
  }
  lines.push(`${MESH} · host ${code(dr.host)} binds to Service **${s.ns}/${s.name}** (${loc(s.obj.file)})`);
  if (dr.host.split('.').length === 1) lines.push(`- a short host is resolved in the DestinationRule's namespace (${dr.ns}), not the client's`);
  for (const w of model.serviceWorkloads(s)) lines.push(`- ${membershipLine(model, w)}`);
  lines.push(
    `- client TLS: ${dr.tlsMode ? `**${dr.tlsMode}**` : model.meshConfig.enableAutoMtls ? 'not set: auto mTLS picks ISTIO_MUTUAL for sidecar/ambient servers and plaintext otherwise' : 'not set and auto mTLS is off: clients send plaintext'}`,
  );
  const others = model.destinationRulesFor(s).filter((d) => d !== dr);
  if (others.length) lines.push(`- also targeted by ${others.map((d) => code(`${d.ns}/${d.obj.name}`)).join(', ')}: only one DestinationRule per host takes effect for a client`);
  if (dr.subsets.length) lines.push(`- subsets: ${dr.subsets.map((x) => `${code(x.name)}${Object.keys(x.labels).length ? '' : ' (no labels: all pods)'}`).join(', ')}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- nginx

function directiveDoc(hit: NginxHit): string | undefined {
  const ctx = hit.chain.map((d) => d.name);
  const doc = nginxDirectiveDoc(hit.directive.name, ctx);
  if (!doc) return undefined;
  const mod = doc.module;
  const page = mod.startsWith('ngx_') ? `https://nginx.org/en/docs/${mod.startsWith('ngx_stream_') ? 'stream' : mod.startsWith('ngx_mail_') ? 'mail' : mod.startsWith('ngx_http_') ? 'http' : ''}/${mod}.html#${doc.name}`.replace('/docs//', '/docs/') : undefined;
  let md = `**${doc.name}** · ${mod}\n\n`;
  md += doc.syntax.map((s) => `Syntax: **${doc.name}** ${s};`).join('  \n');
  if (doc.default) md += `  \nDefault: ${code(`${doc.name} ${doc.default};`)}`;
  md += `  \nContext: ${doc.contexts.join(', ')}`;
  md += `\n\n${doc.description}`;
  if (page) md += `\n\n[nginx reference](${page})`;
  return md;
}

function nginxHover(model: MeshModel, hit: NginxHit): HoverResult | undefined {
  const d = hit.directive;
  const range = hit.part === 'name' ? { start: d.nameStart, end: d.nameEnd } : { start: hit.arg!.start, end: hit.arg!.end };
  const parts: string[] = [];
  const mesh = nginxMeshHover(model, hit);
  if (mesh) parts.push(mesh);
  let varDoc: string | undefined;
  if (hit.variable) {
    const v = nginxVariableDoc(hit.variable.name, hit.chain.map((x) => x.name));
    if (v) {
      varDoc = `${code('$' + hit.variable.name)} · ${v.module}\n\n${v.description}`;
      range.start = hit.variable.start;
      range.end = hit.variable.end;
      parts.push(varDoc);
    }
  }
  if (!varDoc) {
    const doc = directiveDoc(hit);
    if (doc) parts.push(doc);
  }
  if (!parts.length) return undefined;
  return { markdown: parts.join(SEP), ...range };
}

function nginxMeshHover(model: MeshModel, hit: NginxHit): string | undefined {
  const d = hit.directive;
  if (d.name === 'proxy_pass') {
    const targets = nginxFacts(model).targets.filter((t) => t.directive === d);
    return targets.length ? proxyPassHover(model, targets) : undefined;
  }
  if (d.name === 'proxy_set_header' && d.args[0]?.value.toLowerCase() === 'host') return hostHeaderHover(model, hit);
  const parent = hit.chain[hit.chain.length - 1];
  if (d.name === 'server' && parent?.name === 'upstream' && hit.part === 'arg' && hit.argIndex === 0) {
    const m = /^([^:/]+)/.exec(d.args[0].value);
    if (!m) return undefined;
    const res = model.resolveHost(m[1], hit.conf.ns);
    if (!res.service) return `${MESH} · ${code(m[1])}: ${unresolved(model, m[1], res)}`;
    return [`${MESH} · ${code(m[1])} resolves to Service **${res.service.ns}/${res.service.name}**`, ...model.serviceWorkloads(res.service).map((w) => `- ${membershipLine(model, w)}`)].join('\n');
  }
  return undefined;
}

function callerLine(t: ProxyTarget): string {
  const c = t.caller;
  if (!c.workloads.length) return `this nginx runs in ${c.ns ? `namespace ${c.ns}, ` : ''}no workload of the workspace mounts it: caller membership unknown`;
  return `caller: nginx in ${c.workloads.map((w) => `${w.kind} ${code(w.name)}`).join(', ')} (${c.mesh === 'none' ? 'outside the mesh' : c.mesh})`;
}

function serviceTargetLines(model: MeshModel, s: Service, port: number | undefined, fromNs: string | undefined): string[] {
  const lines: string[] = [];
  lines.push(`- Service ${code(`${s.ns}/${s.name}`)} is defined in ${loc(s.obj.file)}`);
  const ws = model.serviceWorkloads(s);
  if (!ws.length) lines.push(`- selects no workload in the workspace: mesh membership unknown`);
  const sp = port === undefined ? (s.ports.length === 1 ? s.ports[0] : undefined) : s.ports.find((p) => p.port === port);
  if (port !== undefined && !sp) lines.push(`- ⚠ the Service has no port ${port} (ports: ${s.ports.map((p) => p.port).join(', ') || 'none'})`);
  for (const w of ws) {
    lines.push(`- ${membershipLine(model, w)}`);
    const m = model.membership(w);
    if (m.mode === 'none') continue;
    const cp = sp ? model.containerPort(s, sp, w) : undefined;
    const e = model.effectiveMtls(w, cp);
    lines.push(`- ${sp ? `port ${sp.port}${cp !== undefined ? ` → container port ${cp}` : ''}` : 'all ports'}: mTLS **${e.mode}** (${describeMtls(e)}${e.span ? `, ${loc(e.span.file)}` : ''})`);
  }
  const drs = model.destinationRulesFor(s);
  if (drs.length) lines.push(`- DestinationRule ${drs.map((d) => `${code(`${d.ns}/${d.obj.name}`)}${d.tlsMode ? ` (tls ${d.tlsMode})` : ''}`).join(', ')}`);
  else lines.push(`- no DestinationRule${model.meshConfig.enableAutoMtls ? ': auto mTLS still upgrades sidecar-to-sidecar calls' : ' and auto mTLS is off: the client sends plaintext'}`);
  lines.push(`- host names the sidecar matches${fromNs && fromNs !== s.ns ? ` from ${fromNs}` : ''}: ${model.hostNames(s, fromNs).map(code).join(', ')}`);
  return lines;
}

function proxyPassHover(model: MeshModel, targets: ProxyTarget[]): string {
  const out: string[] = [];
  for (const t of targets.slice(0, 3)) {
    const port = t.port ?? (t.scheme === 'https' || t.scheme === 'grpcs' ? 443 : 80);
    const lines: string[] = [];
    if (t.upstream) {
      lines.push(`${MESH} · ${code('proxy_pass')} → upstream ${code(t.upstream.name)}`);
      for (const s of t.upstream.servers) {
        if (s.service) {
          lines.push(`- server ${code(s.host)} →`);
          lines.push(...serviceTargetLines(model, s.service, s.port ?? 80, t.caller.ns).map((l) => '  ' + l));
        } else lines.push(`- server ${code(s.host)}: ${unresolved(model, s.host, s.res)}`);
      }
    } else if (t.service) {
      const s = t.service;
      lines.push(`${MESH} · ${code('proxy_pass')} → ${code(t.host)} resolves to Service **${s.name}** in namespace **${s.ns}**`);
      lines.push(...serviceTargetLines(model, s, port, t.caller.ns));
      const h = hostHeader(nginxFacts(model), t);
      if (!h.unknown) {
        const verdict = hostVerdict(model, t, s, h.value, port);
        lines.push(`- Host header sent: ${code(h.value)}${h.directive ? '' : ' (nginx default)'}: ${verdict.text}`);
      }
    } else {
      lines.push(`${MESH} · ${code('proxy_pass')} → ${code(t.host)}: ${unresolved(model, t.host, t.res)}`);
    }
    lines.push(`- ${callerLine(t)}`);
    out.push(lines.join('\n'));
  }
  return out.join('\n\n');
}

function unresolved(model: MeshModel, host: string, res: ProxyTarget['res']): string {
  if (!res.clusterLocal) {
    const policy = model.meshConfig.outboundTrafficPolicy === 'REGISTRY_ONLY' ? 'BlackHoleCluster (blocked, outboundTrafficPolicy REGISTRY_ONLY)' : 'PassthroughCluster (outboundTrafficPolicy ALLOW_ANY)';
    return `not a cluster-local Service name; from a sidecar it leaves the mesh through ${policy} unless a ServiceEntry declares it`;
  }
  if (!res.nsKnown) return `a Service in namespace ${code(res.ns ?? '?')}, which the workspace does not show: unknown`;
  return `**no Service** ${code(host.split('.')[0])} in namespace ${code(res.ns ?? '?')} in the workspace`;
}

const CLIENT_HOST = /^\$\{?(host|http_host|server_name)\}?(:\S*)?$/i;

function hostVerdict(model: MeshModel, t: ProxyTarget, s: Service, value: string, port: number): { ok: boolean | undefined; text: string } {
  const call = serviceCall(model, s, port);
  if (call && call.proto.cls === 'sniffed') return { ok: true, text: `port ${port} declares no protocol (sniffed): its listener and route serve only ${call.svc.name} and answer any Host` };
  if (call && call.proto.cls !== 'http') return { ok: true, text: `port ${port} is ${call.proto.istio} (${call.proto.why}), not HTTP: the sidecar does not route it by Host` };
  const names = model.hostNames(call?.svc ?? s, t.caller.ns);
  let sent = value;
  if (/^\$\{?proxy_host\}?(:\S*)?$/i.test(value)) sent = t.host;
  else if (CLIENT_HOST.test(value)) return { ok: false, text: `✗ the client's Host (e.g. the external domain; the port is ignored), which matches none of the service's names: the sidecar sends the call to PassthroughCluster and no mesh policy applies` };
  else if (value.includes('$')) return { ok: undefined, text: 'a variable meshlint cannot evaluate' };
  const bare = sent.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  if (validHost(model, call?.svc ?? s, t.caller.ns, sent, call?.aliasFrom ? [call.aliasFrom] : [])) return { ok: true, text: `✓ matches ${code(bare)}: the sidecar routes it to ${(call?.svc ?? s).name}` };
  return { ok: false, text: `✗ ${code(sent)} matches none of the service's names (${names.map(code).join(', ')}): PassthroughCluster, no mesh policy` };
}

function hostHeaderHover(model: MeshModel, hit: NginxHit): string {
  const facts = nginxFacts(model);
  const d = hit.directive;
  const value = d.args[1]?.value ?? '';
  const users = facts.targets.filter((t) => hostHeader(facts, t).directive?.d === d);
  if (!users.length) return `${MESH} · no \`proxy_pass\` in the workspace sends this Host header (a level below sets its own proxy_set_header, or there is no proxy_pass here)`;
  const lines = [`${MESH} · the sidecar routes HTTP by the Host header`];
  for (const t of users.slice(0, 4)) {
    const services = t.upstream ? [...new Set(t.upstream.servers.map((x) => x.service).filter((x): x is Service => !!x))] : t.service ? [t.service] : [];
    if (!services.length) {
      lines.push(`- for ${code(`proxy_pass ${t.directive.args[0].value}`)}: the target is not a Service of the workspace`);
      continue;
    }
    for (const s of services) {
      const v = hostVerdict(model, t, s, value, t.upstream ? (t.upstream.servers.find((x) => x.service === s)?.port ?? 80) : (t.port ?? defaultPort(t.scheme)));
      lines.push(`- for ${code(`proxy_pass ${t.directive.args[0].value}`)} (Service ${code(`${s.ns}/${s.name}`)}): it matches ${model.hostNames(s, t.caller.ns).map(code).join(', ')} (with or without ${code(':port')})`);
      lines.push(`- current value ${code(value)}: ${v.text}`);
    }
    if (t.caller.mesh === 'none') lines.push('- this nginx runs outside the mesh: no sidecar routes its calls');
    else if (t.caller.mesh === 'ambient') lines.push('- ambient mode: ztunnel forwards by destination address, not Host (a waypoint would route by Host)');
  }
  return lines.join('\n');
}

export type { K8sObject };
