import { defineRule } from './rule';
import { nginxFacts, hostHeader, effectiveHeaders, ProxyTarget, Located } from '../model/nginx';
import { MeshModel, Service } from '../model/model';
import type { Fix, TextEdit } from '../types';
import { insertLinesAfter, replace } from '../fixes/edits';
import { get, seq, str } from '../source/ynode';

/** Variables whose value is the client's Host, not the upstream's. */
const CLIENT_HOST_VARS = new Set(['$host', '$http_host', '$server_name', '${host}', '${http_host}', '${server_name}']);

export function validHost(model: MeshModel, s: Service, fromNs: string | undefined, value: string): boolean {
  const v = value.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  return model.hostNames(s, fromNs).includes(v);
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

export default defineRule({
  id: 'host-header-passthrough',
  defaultSeverity: 'warning',
  description: 'nginx proxies to an in-cluster service with a Host header that is none of the service\'s names, so the Istio sidecar sends it to PassthroughCluster.',
  kinds: ['ConfigMap', 'Service', 'nginx'],
  check({ model, report }) {
    const facts = nginxFacts(model);
    for (const t of facts.targets) {
      if (t.caller.mesh === 'none' || t.caller.mesh === 'ambient') continue; // no sidecar routes this call by Host
      const services = t.upstream ? [...new Set(t.upstream.servers.map((s) => s.service))] : [t.service];
      if (services.length !== 1 || !services[0]) continue;
      const svc = services[0];
      const h = hostHeader(facts, t);
      if (h.unknown) continue;
      let sent: string;
      if (h.value === '$proxy_host' || h.value === '${proxy_host}') sent = t.host;
      else if (CLIENT_HOST_VARS.has(h.value.toLowerCase())) sent = h.value;
      else if (h.value.includes('$')) continue; // some other variable: cannot tell
      else sent = h.value;
      if (!sent.startsWith('$') && validHost(model, svc, t.caller.ns, sent)) continue;
      const fromNs = t.caller.ns;
      const short = fromNs === svc.ns ? svc.name : `${svc.name}.${svc.ns}`;
      const fqdn = `${svc.name}.${svc.ns}.svc.cluster.local`;
      const ext = ingressHosts(model, t);
      const what = sent.startsWith('$')
        ? `Host ${sent}${ext.length ? ` (the client's host, e.g. ${ext[0]})` : " (the client's host name)"}`
        : h.directive
          ? `Host "${sent}"`
          : `Host "${sent}" (nginx sends the upstream block's name when Host is not set)`;
      const policy = model.meshConfig.outboundTrafficPolicy === 'REGISTRY_ONLY' ? 'BlackHoleCluster (502), because outboundTrafficPolicy is REGISTRY_ONLY' : 'PassthroughCluster';
      const uncertain = t.caller.mesh === 'unknown';
      const at = h.directive ? h.directive.d.args[1] : undefined;
      const file = h.directive ? h.directive.file : t.file;
      const fixes = uncertain && !t.conf.exact ? [] : t.conf.exact ? buildFixes(model, facts, t, h.directive, [short, fqdn]) : [];
      report({
        file,
        start: at ? at.start : t.directive.args[0].start,
        end: at ? at.end : t.directive.args[0].end,
        severity: uncertain ? 'information' : undefined,
        message:
          `${uncertain ? 'If this nginx runs with an Istio sidecar: ' : ''}nginx proxies to Service ${svc.ns}/${svc.name} with ${what}. ` +
          `The sidecar routes HTTP by Host; it matches none of ${svc.name}'s names (${model.hostNames(svc, fromNs).join(', ')}), so Envoy sends the call to ${policy} and no mesh policy (mTLS, retries, outlier detection) applies. Set Host to the service name.`,
        related: [
          { span: { file: t.file, start: t.directive.args[0].start, end: t.directive.args[0].end }, message: `proxy_pass to ${svc.name}` },
          { span: { file: svc.obj.file, start: get(svc.obj.root, 'metadata', 'name')?.start ?? svc.obj.root.start, end: get(svc.obj.root, 'metadata', 'name')?.end ?? svc.obj.root.start }, message: `Service ${svc.ns}/${svc.name}` },
        ],
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
        .map((h) => `proxy_set_header ${h.d.args.map((a) => a.raw).join(' ')};`);
      edits.push(insertLinesAfter(text, t.file, t.directive.end, [`proxy_set_header Host ${name};`, ...inherited]));
    }
    fixes.push({ title: `Set Host to ${name}`, edits, preferred: i === 0 });
  }
  return fixes;
}

function inBlock(own: Located | undefined, d: Located): boolean {
  if (!own) return true;
  return own.file === d.file && d.d.start >= (own.d.blockStart ?? own.d.start) && d.d.end <= (own.d.blockEnd ?? own.d.end);
}
