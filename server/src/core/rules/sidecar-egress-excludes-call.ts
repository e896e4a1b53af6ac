import { defineRule } from './rule';
import { get } from '../source/ynode';
import { nginxFacts, callMesh, ProxyTarget } from '../model/nginx';
import { sidecarFor, egressHostImports, sidecars, SidecarResource, describeSidecar } from '../model/sidecar';
import { routing, inUnit } from '../model/routing';
import { istioFqdn } from '../model/destination';
import type { Service, Workload, MeshModel } from '../model/model';
import type { Span } from '../types';

/** The outbound traffic policy of a proxy configured by this Sidecar: its own, else the namespace-wide or mesh-wide default Sidecar's, else the mesh config's. */
function outboundPolicy(model: MeshModel, sc: SidecarResource, scope: 'workload' | 'namespace' | 'mesh'): { mode: string; from: string } {
  if (sc.outboundPolicy) return { mode: sc.outboundPolicy, from: `Sidecar ${describeSidecar(sc)}` };
  const all = sidecars(model);
  const fallbacks = [
    ...(scope === 'workload' ? all.filter((x) => x.ns === sc.ns && !x.selector) : []),
    ...(scope !== 'mesh' ? all.filter((x) => x.ns === model.meshConfig.rootNamespace && !x.selector) : []),
  ];
  for (const f of fallbacks) if (f.outboundPolicy) return { mode: f.outboundPolicy, from: `Sidecar ${describeSidecar(f)}` };
  return { mode: model.meshConfig.outboundTrafficPolicy, from: 'the mesh config' };
}

/** The Service could come into the Sidecar's scope another way meshlint does not follow: a VirtualService routing to it, or a ServiceEntry for the same host. */
function otherImportPath(model: MeshModel, s: Service): boolean {
  const fq = `${s.name}.${s.ns}.svc.cluster.local`;
  const r = routing(model);
  if (r.serviceEntries.some((se) => se.hosts.some((h) => h.toLowerCase() === fq))) return true;
  return r.virtualServices.some((vs) => vs.destinations.some((d) => istioFqdn(d.host, vs.ns) === fq));
}

export default defineRule({
  id: 'sidecar-egress-excludes-call',
  defaultSeverity: 'warning',
  description: "A Sidecar resource's egress hosts do not import a Service that a workload it configures calls (nginx proxy_pass): the call goes to PassthroughCluster without Istio's mTLS and routing (ALLOW_ANY, warning) or fails with 502 from BlackHoleCluster (REGISTRY_ONLY, error).",
  kinds: ['Sidecar', 'ConfigMap'],
  check({ model, report }) {
    if (!sidecars(model).some((sc) => sc.egress)) return;
    const found = new Map<string, { sc: SidecarResource; scope: 'workload' | 'namespace' | 'mesh'; s: Service; calls: { t: ProxyTarget; w: Workload }[] }>();
    for (const t of nginxFacts(model).targets) {
      if (callMesh(t) !== 'sidecar') continue;
      const services = t.upstream ? t.upstream.servers.map((x) => x.service) : [t.service];
      if (!services.length || services.some((s) => !s)) continue; // an upstream server outside the registry: unknown
      for (const w of t.caller.workloads) {
        const applied = sidecarFor(model, w);
        if (!applied || applied === 'ambiguous') continue;
        const sc = applied.sidecar;
        if (!sc.egress || !sc.egress.length || sc.egress.some((e) => e.special || !e.hosts.length)) continue;
        if (!inUnit(model, w.obj.file, sc.obj.file)) continue;
        for (const s of services as Service[]) {
          const sidecarNs = applied.scope === 'mesh' ? undefined : sc.ns;
          const res = sc.egress.flatMap((e) => e.hosts.map((h) => egressHostImports(String(h.v), sidecarNs, s)));
          if (res.includes(true) || res.includes('unknown')) continue;
          if (otherImportPath(model, s)) continue;
          const key = `${sc.obj.file}#${sc.ns}/${sc.obj.name}|${s.ns}/${s.name}`;
          const e = found.get(key) ?? { sc, scope: applied.scope, s, calls: [] };
          if (!e.calls.some((c) => c.t === t)) e.calls.push({ t, w });
          found.set(key, e);
        }
      }
    }
    for (const { sc, scope, s, calls } of found.values()) {
      const hostsNode = get(sc.egress![0].node, 'hosts') ?? sc.egress![0].node;
      const hosts = sc.egress!.flatMap((e) => e.hosts.map((h) => String(h.v)));
      const pol = outboundPolicy(model, sc, scope);
      const blackhole = pol.mode === 'REGISTRY_ONLY';
      const fq = `${s.name}.${s.ns}.svc.cluster.local`;
      const callers = [...new Set(calls.map((c) => `${c.w.kind} ${c.w.name}`))];
      const first = calls[0].t;
      const effect = blackhole
        ? `The proxy has no cluster for it and the outbound traffic policy is REGISTRY_ONLY (${pol.from}), so the call goes to BlackHoleCluster: 502 for HTTP, a closed connection otherwise.`
        : `The proxy has no cluster for it, so under ALLOW_ANY (${pol.from}) the call goes to PassthroughCluster: straight to the Service address as plain TCP, without Istio's mTLS origination, VirtualService and DestinationRule settings, retries or telemetry (a STRICT destination refuses it); it breaks as soon as the policy becomes REGISTRY_ONLY.`;
      const related: { span: Span; message: string }[] = calls.slice(0, 3).map((c) => ({ span: { file: c.t.hostFile ?? c.t.file, start: c.t.hostStart, end: c.t.hostEnd }, message: `nginx in ${c.w.kind} ${c.w.name} calls ${s.ns}/${s.name} here` }));
      report({
        file: sc.obj.file,
        start: hostsNode.start,
        end: hostsNode.end,
        severity: blackhole ? 'error' : undefined,
        message: `Sidecar ${describeSidecar(sc)} (${scope === 'workload' ? 'selecting' : scope === 'namespace' ? `namespace default of ${sc.ns}, for` : 'mesh-wide default, for'} ${callers.join(', ')}) imports only ${hosts.join(', ')} in its egress hosts, none of which matches Service ${s.ns}/${s.name} (${fq}), yet nginx in ${callers.join(', ')} calls it (proxy_pass ${first.scheme}://${first.upstream ? first.upstream.name : first.host}${first.port ? ':' + first.port : ''}). ${effect} Add ${s.ns}/${fq} (or ${s.ns}/*) to the egress hosts.`,
        related,
      });
    }
  },
});
