/**
 * ServiceEntry facts beyond its hosts (routing.ts): ports with their protocol, addresses, and whether
 * the mesh allocates virtual IPs for entries without addresses.
 *
 * Istio's rule (ServiceEntry reference, `addresses`): when a ServiceEntry has no addresses, traffic is
 * identified by destination port alone, so a TCP port cannot be told apart from any other service on
 * that port. istioctl analyze (IST0134, `pkg/config/analysis/analyzers/serviceentry/protocoladdresses.go`)
 * reports each port whose protocol is unset or TCP (case-insensitive) on an entry without `addresses`
 * and without addresses allocated in its `status`, unless the mesh config's
 * `defaultConfig.proxyMetadata` sets ISTIO_META_DNS_CAPTURE "true" together with
 * ISTIO_META_DNS_AUTO_ALLOCATE "true" or PILOT_ENABLE_IP_AUTOALLOCATE "true".
 */
import type { K8sObject } from '../source/yaml';
import { YNode, YScalar, get, num, str, seq, strMap, toJS, isScalar } from '../source/ynode';
import type { MeshModel } from './model';
import type { Span } from '../types';

export interface ServiceEntryPort {
  number?: number;
  name?: string;
  /** as written; undefined when absent */
  protocol?: string;
  node: YNode;
  protocolNode?: YScalar;
  numberNode?: YScalar;
}

/** The ports of a ServiceEntry. */
export function serviceEntryPorts(o: K8sObject): ServiceEntryPort[] {
  return seq(o.root, 'spec', 'ports').map((p) => {
    const pn = get(p, 'protocol');
    const nn = get(p, 'number');
    return { number: num(p, 'number'), name: str(p, 'name'), protocol: str(p, 'protocol'), node: p, protocolNode: isScalar(pn) ? pn : undefined, numberNode: isScalar(nn) ? nn : undefined };
  });
}

/** spec.addresses or status.addresses (allocated by istiod) are present and non-empty. */
export function serviceEntryHasAddresses(o: K8sObject): boolean {
  return seq(o.root, 'spec', 'addresses').length > 0 || seq(o.root, 'status', 'addresses').length > 0;
}

/**
 * The mesh config turns on DNS proxying with automatic virtual IPs for ServiceEntries (the condition
 * istioctl's IST0134 check reads). `span`: where the mesh config says so.
 */
export function dnsAutoAllocation(model: MeshModel): { on: boolean; span?: Span } {
  const md = model.meshConfig.proxyMetadata;
  const on = md.ISTIO_META_DNS_CAPTURE === 'true' && (md.ISTIO_META_DNS_AUTO_ALLOCATE === 'true' || md.PILOT_ENABLE_IP_AUTOALLOCATE === 'true');
  return { on, span: on ? model.meshConfig.proxyMetadataSpan : undefined };
}

/** TCP (or protocol-less) ports of ServiceEntries that have no address, when the mesh allocates none. */
export function addresslessTcpPorts(model: MeshModel): { obj: K8sObject; port: ServiceEntryPort }[] {
  if (dnsAutoAllocation(model).on) return [];
  const out: { obj: K8sObject; port: ServiceEntryPort }[] = [];
  for (const o of model.kind('ServiceEntry')) {
    if (!o.group.startsWith('networking.istio.io') || serviceEntryHasAddresses(o)) continue;
    for (const port of serviceEntryPorts(o)) {
      if (port.protocol === undefined || port.protocol === '' || port.protocol.toUpperCase() === 'TCP') out.push({ obj: o, port });
    }
  }
  return out;
}

/** The namespaces a config's exportTo makes it visible in: '*' (everywhere, also the default) or a set ('.' = its own; '~' = none). */
export function exportScope(exportTo: string[] | undefined, ownNs: string): '*' | Set<string> {
  if (!exportTo || !exportTo.length || exportTo.includes('*')) return '*';
  const out = new Set<string>();
  for (const e of exportTo) if (e === '.') out.add(ownNs);
  else if (e !== '~') out.add(e);
  return out;
}

function scopesMeet(a: '*' | Set<string>, b: '*' | Set<string>): boolean {
  if (a === '*') return b === '*' || b.size > 0;
  if (b === '*') return a.size > 0;
  for (const n of a) if (b.has(n)) return true;
  return false;
}

export interface ServiceEntryClash {
  obj: K8sObject;
  /** the host as written (lower-cased for the comparison), and its node in spec.hosts */
  host: string;
  hostNode: YScalar;
  /** port numbers both entries declare for the host */
  ports: { number: number; protocol: string; otherProtocol: string }[];
  other: K8sObject;
  /** 'protocol': a common port with different protocols (Kiali KIA1212); 'duplicate': the same protocols (KIA1211) */
  kind: 'protocol' | 'duplicate';
  /** Istio merges the two into one service (same namespace, resolution, labels, workloadSelector, exportTo) */
  mergeable: boolean;
}

function seFacts(o: K8sObject) {
  const spec = get(o.root, 'spec');
  const exp = seq(spec, 'exportTo').map((n) => (isScalar(n) ? String(n.v) : '')).filter(Boolean);
  return {
    spec,
    hosts: seq(spec, 'hosts').filter((n): n is YScalar => isScalar(n) && n.v !== null && String(n.v) !== ''),
    ports: serviceEntryPorts(o),
    resolution: (str(spec, 'resolution') ?? 'NONE').toUpperCase(),
    exportTo: exp.length ? exp : undefined,
    selector: JSON.stringify(Object.entries(strMap(spec, 'workloadSelector', 'labels')).sort()),
    labels: JSON.stringify(Object.entries(o.labels).sort()),
  };
}

/**
 * ServiceEntries that declare the same host and port (Kiali `serviceentries.MultiMatchChecker`: KIA1211, or
 * KIA1212 when the protocols differ), as Istio sees them: two different objects of one deployable unit whose
 * exportTo scopes share a namespace (so some proxy imports both). Entries whose specs are identical are
 * left out: Istio ignores the later one, which changes nothing (`pilot/pkg/model/sidecar.go`
 * `appendSidecarServices`: "ignored as it has the same ports").
 */
export function serviceEntryClashes(model: MeshModel, together: (a: string, b: string) => boolean): ServiceEntryClash[] {
  const ses = model.kind('ServiceEntry').filter((o) => o.group.startsWith('networking.istio.io'));
  const facts = new Map(ses.map((o) => [o, seFacts(o)]));
  const byHost = new Map<string, K8sObject[]>();
  for (const o of ses) {
    for (const h of new Set(facts.get(o)!.hosts.map((n) => String(n.v).toLowerCase()))) {
      const l = byHost.get(h);
      if (l) l.push(o);
      else byHost.set(h, [o]);
    }
  }
  const out: ServiceEntryClash[] = [];
  for (const [host, group] of byHost) {
    if (group.length < 2) continue;
    for (const o of group) {
      const f = facts.get(o)!;
      const hostNode = f.hosts.find((n) => String(n.v).toLowerCase() === host)!;
      for (const other of group) {
        if (other === o || (other.ns === o.ns && other.name === o.name) || !together(o.file, other.file)) continue;
        const g = facts.get(other)!;
        if (!scopesMeet(exportScope(f.exportTo, o.ns), exportScope(g.exportTo, other.ns))) continue;
        if (JSON.stringify(toJS(f.spec)) === JSON.stringify(toJS(g.spec))) continue;
        const ports: ServiceEntryClash['ports'] = [];
        for (const p of f.ports) {
          if (p.number === undefined) continue;
          const q = g.ports.find((x) => x.number === p.number);
          if (q) ports.push({ number: p.number, protocol: (p.protocol ?? '').toUpperCase(), otherProtocol: (q.protocol ?? '').toUpperCase() });
        }
        if (!ports.length) continue;
        const mergeable = o.ns === other.ns && f.resolution === g.resolution && f.selector === g.selector && f.labels === g.labels && JSON.stringify([...(f.exportTo ?? [])].sort()) === JSON.stringify([...(g.exportTo ?? [])].sort());
        out.push({ obj: o, host, hostNode, ports, other, kind: ports.some((p) => p.protocol !== p.otherProtocol) ? 'protocol' : 'duplicate', mergeable });
      }
    }
  }
  return out;
}
