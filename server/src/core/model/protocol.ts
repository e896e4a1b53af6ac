/**
 * The protocol Istio assigns to a Service port, and what that means for a call through the sidecar.
 *
 * Istio's Kubernetes controller converts every Service port with `ConvertProtocol`
 * (istio/istio pkg/config/kube/conversion.go):
 * - `protocol: UDP` is UDP (never HTTP, never sniffed; SCTP is not captured either);
 * - `appProtocol`, when set, replaces the port name; `kubernetes.io/h2c` is HTTP2, `kubernetes.io/ws`
 *   HTTP, `kubernetes.io/wss` HTTPS;
 * - a name starting `grpc-web` is gRPC-Web; otherwise the name is cut at its first `-` and the prefix is
 *   parsed case-insensitively by `protocol.Parse` (pkg/config/protocol/instance.go): tcp, udp, grpc,
 *   grpc-web, http, http_proxy, http2, https, tls, mongo, redis, mysql. Anything else (`h2c`, `web`,
 *   `thrift`, no name) is "unsupported", i.e. sniffed;
 * - an unsupported name on the well-known ports 25, 53, 3306 and 27017 is TCP.
 * `IsHTTP` is HTTP, HTTP2, HTTP_PROXY, gRPC and gRPC-Web; `IsTCP` is TCP, HTTPS, TLS, Mongo, Redis, MySQL.
 *
 * What the calling sidecar does with each (pilot/pkg/networking/core):
 * - HTTP ports share one outbound listener per port (`0.0.0.0_<port>`) whose route (RDS named by the port)
 *   holds a virtual host per service plus the catch-all (`buildSidecarOutboundHTTPRouteConfig` appends
 *   `buildCatchAllVirtualHost`): the Host header picks the service; an unknown Host goes to
 *   PassthroughCluster (ALLOW_ANY) or BlackHoleCluster (REGISTRY_ONLY). The port in Host is ignored
 *   (`IgnorePortInHostMatching`).
 * - Sniffed ports of a service with an address get a listener of their own (`<vip>_<port>`); its route is
 *   named `<host>:<port>` (`buildSidecarOutboundHTTPListenerOpts`: "For sniffed services, we have a unique
 *   listener and route just for that service") and `getVirtualHostsForSniffedServicePort` keeps that one
 *   service's virtual host with domains `*`, without a catch-all: any Host reaches the service.
 *   HTTP/1.0 is not among the ALPNs the sniffing chain matches unless PILOT_HTTP10 is set
 *   (`plaintextHTTPALPNs`), so it passes as opaque TCP instead of being answered 426.
 * - TCP-class ports are opaque streams: neither Host nor HTTP version matters.
 */
import type { MeshModel, Service, ServicePort } from './model';
import type { YNode } from '../source/ynode';
import { seq, str, num } from '../source/ynode';

/** http: routed by Host; tcp: opaque stream; sniffed: auto-detected on a per-service listener; udp: not intercepted as TCP. */
export type PortClass = 'http' | 'tcp' | 'sniffed' | 'udp';

export interface PortProtocol {
  cls: PortClass;
  /** Istio's protocol name (HTTP, HTTP2, GRPC, TCP, TLS, ...), or "unsupported" for sniffed ports */
  istio: string;
  /** HTTP/2 end to end (HTTP2, gRPC, gRPC-Web): what gRPC needs */
  h2: boolean;
  /** where the protocol comes from, for messages */
  why: string;
}

const PARSE: Record<string, string> = {
  tcp: 'TCP',
  udp: 'UDP',
  grpc: 'GRPC',
  'grpc-web': 'GRPC-Web',
  http: 'HTTP',
  http_proxy: 'HTTP_PROXY',
  http2: 'HTTP2',
  https: 'HTTPS',
  tls: 'TLS',
  mongo: 'Mongo',
  redis: 'Redis',
  mysql: 'MySQL',
};
const HTTP = new Set(['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-Web']);
const H2 = new Set(['HTTP2', 'GRPC', 'GRPC-Web']);
const WELL_KNOWN_TCP = new Set([25, 53, 3306, 27017]);

function classOf(istio: string): PortClass {
  if (istio === 'UDP') return 'udp';
  if (HTTP.has(istio)) return 'http';
  return 'tcp';
}

/** The protocol Istio gives a port that has a number, a name, a transport protocol and an appProtocol. */
export function istioProtocol(port: number, name: string | undefined, transport: string | undefined, appProtocol: string | undefined): PortProtocol {
  const t = (transport ?? 'TCP').toUpperCase();
  if (t === 'UDP' || t === 'SCTP') return { cls: 'udp', istio: t, h2: false, why: `protocol: ${t}` };
  let n = name ?? '';
  let why = name ? `port name "${name}"` : 'no port name';
  if (appProtocol !== undefined) {
    why = `appProtocol "${appProtocol}"`;
    n = appProtocol;
    const k8s: Record<string, string> = { 'kubernetes.io/h2c': 'HTTP2', 'kubernetes.io/ws': 'HTTP', 'kubernetes.io/wss': 'HTTPS' };
    if (k8s[n]) return { cls: classOf(k8s[n]), istio: k8s[n], h2: H2.has(k8s[n]), why };
  }
  let istio: string | undefined;
  if (n.toLowerCase().startsWith('grpc-web')) istio = 'GRPC-Web';
  else {
    const i = n.indexOf('-');
    istio = PARSE[(i >= 0 ? n.slice(0, i) : n).toLowerCase()];
  }
  if (!istio && WELL_KNOWN_TCP.has(port)) return { cls: 'tcp', istio: 'TCP', h2: false, why: `${why} on well-known port ${port}` };
  if (!istio) return { cls: 'sniffed', istio: 'unsupported', h2: false, why: `${why} declares no protocol` };
  return { cls: classOf(istio), istio, h2: H2.has(istio), why };
}

export function portProtocol(p: ServicePort): PortProtocol {
  return istioProtocol(p.port, p.name, p.protocol, p.appProtocol);
}

/** The default port of a proxy_pass / grpc_pass URL scheme. */
export function defaultPort(scheme: string): number {
  return scheme === 'https' || scheme === 'grpcs' ? 443 : 80;
}

/** The Service port a call to `port` (the URL's port, or the scheme's default) reaches; undefined when the Service does not expose it. */
export function servicePortFor(ports: readonly ServicePort[], port: number): ServicePort | undefined {
  return ports.find((p) => p.port === port && (p.protocol ?? 'TCP').toUpperCase() === 'TCP');
}

/**
 * ServiceEntry ports (networking.istio.io ServiceEntry `spec.ports`: number, protocol, name). The
 * `protocol` field is parsed like a port name prefix (protocol.Parse); an empty one is sniffed.
 */
export function serviceEntryPorts(root: YNode | undefined): { number: number; proto: PortProtocol }[] {
  const out: { number: number; proto: PortProtocol }[] = [];
  for (const p of seq(root, 'spec', 'ports')) {
    const n = num(p, 'number');
    if (n === undefined) continue;
    const pr = str(p, 'protocol');
    const proto = istioProtocol(n, pr, pr && pr.toUpperCase() === 'UDP' ? 'UDP' : 'TCP', undefined);
    out.push({ number: n, proto: pr ? { ...proto, why: `ServiceEntry port protocol ${pr}` } : proto });
  }
  return out;
}

export interface ServiceCall {
  /** the Service the sidecar serves the call as (the target of an ExternalName alias) */
  svc: Service;
  sp: ServicePort;
  proto: PortProtocol;
  port: number;
  /** the ExternalName Service the caller named, when it aliases `svc` */
  aliasFrom?: Service;
}

/**
 * A call to Service `s` on `port`, as the sidecar serves it. An ExternalName whose externalName is an
 * in-cluster Service is an alias of that Service (Istio 1.21+, ENABLE_EXTERNAL_NAME_ALIAS); an ExternalName
 * to any other name is not a mesh service (undefined). undefined too when the Service does not expose the port.
 */
export function serviceCall(model: MeshModel, s: Service, port: number): ServiceCall | undefined {
  let svc = s;
  let aliasFrom: Service | undefined;
  if (s.type === 'ExternalName' || s.externalName) {
    const target = s.externalName ? model.resolveHost(s.externalName, s.ns).service : undefined;
    if (!target || target.externalName) return undefined;
    svc = target;
    aliasFrom = s;
  }
  const sp = servicePortFor(svc.ports, port);
  if (!sp) return undefined;
  return { svc, sp, proto: portProtocol(sp), port, aliasFrom };
}
