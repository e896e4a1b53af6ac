/**
 * Istio Gateway servers and which Gateways configure the same gateway proxies.
 *
 * Istio merges every Gateway whose selector matches a gateway pod into one configuration for that pod
 * (istio/istio `pilot/pkg/model/gateway.go` mergeGateways): servers on the same port merge only when
 * both are plaintext HTTP-family; a TLS server whose host (with the same bind) is already served on
 * the port is skipped ("duplicate host names"), and a server whose protocol cannot merge with the
 * port's first server is skipped too. istioctl analyze reports two Gateways with the same selector (or
 * selectors matching a common pod) that declare the same host, with the same bind, on the same port
 * number (IST0145, `pkg/config/analysis/analyzers/gateway/conflictinggateway.go`).
 */
import { YNode, YScalar, get, num, str, seq, isScalar } from '../source/ynode';
import { MeshModel, selects } from './model';
import { IstioGateway, routing, sameUnit, installedGatewayLabels } from './routing';

export interface GatewayServer {
  gw: IstioGateway;
  index: number;
  port?: number;
  protocol?: string;
  bind: string;
  tls: boolean;
  hosts: { host: string; node: YScalar }[];
  node: YNode;
}

/** Protocols whose plaintext servers Istio merges on one port (protocol.Instance IsHTTP). */
const HTTP_FAMILY = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB']);

export function gatewayServers(gw: IstioGateway): GatewayServer[] {
  return seq(gw.obj.root, 'spec', 'servers').map((s, index) => ({
    gw,
    index,
    port: num(s, 'port', 'number'),
    protocol: str(s, 'port', 'protocol'),
    bind: str(s, 'bind') ?? '',
    tls: get(s, 'tls') !== undefined,
    hosts: seq(s, 'hosts').filter(isScalar).filter((h) => h.v !== null && h.v !== '').map((h) => ({ host: String(h.v), node: h })),
    node: s,
  }));
}

/** Both servers are plaintext HTTP-family: Istio merges them into one route table instead of dropping one. */
export function serversMerge(a: GatewayServer, b: GatewayServer): boolean {
  return !a.tls && !b.tls && HTTP_FAMILY.has((a.protocol ?? '').toUpperCase()) && HTTP_FAMILY.has((b.protocol ?? '').toUpperCase());
}

function sameSelector(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/**
 * Do two Gateways configure a common gateway proxy? The same selector does (wherever the gateway is
 * installed); different selectors do when a workload in the workspace, or a gateway an IstioOperator
 * in the workspace installs, carries both. Gateways without a selector are not compared.
 */
export function shareGatewayWorkload(model: MeshModel, a: IstioGateway, b: IstioGateway): boolean {
  if (!Object.keys(a.selector).length || !Object.keys(b.selector).length) return false;
  if (sameSelector(a.selector, b.selector)) return true;
  if (model.workloads.some((w) => selects(a.selector, w.podLabels) && selects(b.selector, w.podLabels))) return true;
  return installedGatewayLabels(model).some((l) => selects(a.selector, l) && selects(b.selector, l));
}

export interface DuplicateServer {
  server: GatewayServer;
  /** the other Gateways' servers with a common host (same port, same bind), and those hosts */
  others: { server: GatewayServer; hosts: string[] }[];
  /** the first of this server's hosts that another server repeats (range of the finding) */
  hostNode: YScalar;
}

const cache = new WeakMap<MeshModel, DuplicateServer[]>();

/** Servers of Istio Gateways that repeat a host another Gateway of the same proxies serves on the same port. */
export function duplicateGatewayServers(model: MeshModel): DuplicateServer[] {
  let out = cache.get(model);
  if (out) return out;
  out = [];
  const shared = new Map<string, boolean>();
  const share = (a: IstioGateway, b: IstioGateway) => {
    const k = JSON.stringify([a.selector, b.selector]);
    let v = shared.get(k);
    if (v === undefined) shared.set(k, (v = shareGatewayWorkload(model, a, b)));
    return v;
  };
  const all = routing(model).gateways.flatMap(gatewayServers).filter((s) => s.port !== undefined && s.port > 0);
  const byPortHost = new Map<string, GatewayServer[]>();
  for (const s of all) {
    for (const h of new Set(s.hosts.map((x) => x.host))) {
      const k = `${s.port}\u0000${s.bind}\u0000${h}`;
      const l = byPortHost.get(k) ?? [];
      l.push(s);
      byPortHost.set(k, l);
    }
  }
  for (const s of all) {
    const others = new Map<GatewayServer, string[]>();
    let first: YScalar | undefined;
    for (const h of s.hosts) {
      for (const o of byPortHost.get(`${s.port}\u0000${s.bind}\u0000${h.host}`) ?? []) {
        if (o.gw === s.gw || (o.gw.ns === s.gw.ns && o.gw.name === s.gw.name)) continue; // one Gateway (or the same ns/name written twice)
        if (!sameUnit(model, s.gw.obj.file, o.gw.obj.file) || !share(s.gw, o.gw)) continue;
        const l = others.get(o) ?? [];
        if (!l.includes(h.host)) l.push(h.host);
        others.set(o, l);
        first ??= h.node;
      }
    }
    if (others.size && first) out.push({ server: s, others: [...others].map(([server, hosts]) => ({ server, hosts })), hostNode: first });
  }
  cache.set(model, out);
  return out;
}
