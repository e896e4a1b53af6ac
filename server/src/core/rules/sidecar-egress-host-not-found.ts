import { defineRule } from './rule';
import { sidecars, describeSidecar, selectorText, SidecarResource } from '../model/sidecar';
import { routing, visibleTo, hostMatches, fqdn, namespaceDefinesServices, installedElsewhere, mentionedInUnparsed, closeNames, closeNameFixes, serviceNamesIn, inUnit, ServiceEntry } from '../model/routing';
import { kustomizeRenames } from '../model/kustomize';
import { hostShape, MeshModel } from '../model/model';
import type { YScalar } from '../source/ynode';
import type { Severity } from '../types';

/** Does a ServiceEntry / VirtualService host (written in namespace ownerNs) name this egress dnsName? */
function hostNames(model: MeshModel, written: string, ownerNs: string, dns: string, sidecarNs: string): boolean {
  const forms = [written.toLowerCase(), fqdn(model, written, ownerNs).toLowerCase()];
  const wanted = [dns, fqdn(model, dns, sidecarNs).toLowerCase()];
  return forms.some((f) => wanted.some((w) => hostMatches(f, w)));
}

function list(names: string[]): string {
  return names.slice(0, 5).join(', ') + (names.length > 5 ? ', ...' : '');
}

interface Problem {
  severity?: Severity;
  what: string;
  candidates: string[];
  render: (c: string) => string;
}

/**
 * Why an egress host `nsPart/dns` (concrete dnsName) imports nothing, or undefined when it imports
 * something or the workspace cannot tell.
 */
function problem(model: MeshModel, sc: SidecarResource, nsPart: string, dns: string, written: string): Problem | undefined {
  const r = routing(model);
  // 1. a ServiceEntry or VirtualService of that namespace declares the host (Sidecar reference: either imports it)
  const seHere = r.serviceEntries.filter((se) => se.ns === nsPart && se.hosts.some((h) => hostNames(model, h, se.ns, dns, sc.ns)));
  if (seHere.some((se) => visibleTo(se.exportTo, se.ns, sc.ns))) return undefined;
  if (r.virtualServices.some((vs) => vs.ns === nsPart && vs.hosts.some((h) => hostNames(model, h, vs.ns, dns, sc.ns)))) return undefined;
  if (seHere.length) return undefined; // defined there but not exported to the Sidecar's namespace: another problem
  const prefix = written.slice(0, written.indexOf('/') + 1);
  // 2. a ServiceEntry of another namespace declares it: the egress host must name the ServiceEntry's namespace
  const seElsewhere: ServiceEntry | undefined = r.serviceEntries.find((se) => se.ns !== nsPart && visibleTo(se.exportTo, se.ns, sc.ns) && se.hosts.some((h) => !h.includes('*') && hostNames(model, h, se.ns, dns, sc.ns)));
  const h = hostShape(dns);
  const clusterLocal = h.shape === 'svc' || h.shape === 'short' || (h.shape === 'two' && model.knownNamespaces.has(h.ns!));
  const ns2 = h.shape === 'short' ? nsPart : h.ns;
  const svc = clusterLocal ? model.service(ns2!, h.name) : undefined;
  if (svc && svc.ns === nsPart) return undefined;
  if (!model.knownNamespaces.has(nsPart) || installedElsewhere(model, nsPart)) return undefined;
  if (seElsewhere) {
    return { what: `no ServiceEntry, Service or VirtualService of namespace ${nsPart} declares ${dns}: ServiceEntry ${seElsewhere.ns}/${seElsewhere.obj.name} declares it, in namespace ${seElsewhere.ns}, and an egress host imports only what is defined in the namespace it names`, candidates: [seElsewhere.ns], render: (c) => `${c}/${dns}` };
  }
  if (svc) {
    return { what: `Service ${svc.name} is in namespace ${svc.ns}, not ${nsPart}, and an egress host imports only services of the namespace it names`, candidates: [svc.ns], render: (c) => `${c}/${dns}` };
  }
  if (clusterLocal) {
    if (!/^[a-z0-9-]+$/.test(h.name) || kustomizeRenames(model)) return undefined;
    if (!model.knownNamespaces.has(ns2!) || installedElsewhere(model, ns2!) || !namespaceDefinesServices(model, ns2!, sc.obj.file) || mentionedInUnparsed(model, h.name)) return undefined;
    const names = serviceNamesIn(model, ns2!);
    return {
      what: `no Service ${h.name} exists in namespace ${ns2} (its Services in the workspace are ${list(names)}), and no ServiceEntry or VirtualService of namespace ${nsPart} declares ${dns}`,
      candidates: closeNames(h.name, names),
      render: (c) => `${prefix}${c}${dns.slice(h.name.length)}`,
    };
  }
  // 3. an external name: only a ServiceEntry defines it; judge only a namespace whose ServiceEntries this unit manages
  if (/\.svc(\.|$)/.test(dns)) return undefined; // another cluster domain
  const ses = r.serviceEntries.filter((se) => se.ns === nsPart && inUnit(model, sc.obj.file, se.obj.file));
  if (!ses.length || mentionedInUnparsed(model, dns)) return undefined;
  const hosts = [...new Set(ses.flatMap((se) => se.hosts.filter((x) => !x.includes('*')).map((x) => x.toLowerCase())))];
  return {
    severity: 'information',
    what: `no ServiceEntry of namespace ${nsPart} declares ${dns} (its ServiceEntries in the workspace declare ${list(hosts)}; one applied from outside the workspace may still do)`,
    candidates: closeNames(dns, hosts),
    render: (c) => `${prefix}${c}`,
  };
}

export default defineRule({
  id: 'sidecar-egress-host-not-found',
  defaultSeverity: 'warning',
  description: "A Sidecar resource's egress host `namespace/dnsName` (a concrete name) matches no Service, ServiceEntry or VirtualService of that namespace, where the workspace shows that namespace's Services: the host imports nothing.",
  kinds: ['Sidecar', 'Service', 'ServiceEntry', 'VirtualService'],
  check({ model, report }) {
    const root = model.meshConfig.rootNamespace;
    for (const sc of sidecars(model)) {
      if (!sc.egress) continue;
      const meshDefault = sc.ns === root && !sc.selector;
      for (const e of sc.egress) {
        for (const node of e.hosts as YScalar[]) {
          const written = String(node.v).trim();
          const i = written.indexOf('/');
          if (i < 0) continue; // not namespace/dnsName: the schema's business
          let nsPart = written.slice(0, i);
          const dns = written.slice(i + 1).toLowerCase().replace(/\.$/, '');
          if (nsPart === '*' || nsPart === '~' || !dns || dns.includes('*')) continue;
          if (nsPart === '.') {
            if (meshDefault) continue; // `.` is each workload's own namespace in the mesh-wide default
            nsPart = sc.ns;
          }
          const p = problem(model, sc, nsPart, dns, written);
          if (!p) continue;
          const scope = sc.selector ? `the workloads it selects (${selectorText(sc.selector)})` : meshDefault ? 'every namespace without its own Sidecar (mesh-wide default)' : `the workloads of namespace ${sc.ns}`;
          const cands = p.candidates.map(p.render);
          report({
            file: sc.obj.file,
            start: node.start,
            end: node.end,
            severity: p.severity,
            message: `Sidecar ${describeSidecar(sc)} imports ${written} in its egress hosts, but ${p.what}. The host imports nothing, so the proxies of ${scope} get no cluster, route or DestinationRule for it: calls to it follow the outbound traffic policy (PassthroughCluster without Istio's mTLS and routing under ALLOW_ANY, BlackHoleCluster under REGISTRY_ONLY)${cands.length ? `; did you mean ${cands.join(' or ')}?` : '.'}`,
            fixes: closeNameFixes(sc.obj.file, node, p.candidates, p.render, 'host '),
          });
        }
      }
    }
  },
});
