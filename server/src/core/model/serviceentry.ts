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
import { YNode, YScalar, get, num, str, seq, isScalar } from '../source/ynode';
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
