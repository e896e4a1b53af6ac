/**
 * Does a workload's sidecar see an outbound call at all? istio-init / istio-cni install iptables rules
 * from pod annotations (istio/istio tools/istio-iptables, annotation names in
 * istio.io/api annotation/annotations.yaml):
 * - `traffic.sidecar.istio.io/excludeOutboundPorts`: destination ports that bypass the sidecar;
 * - `traffic.sidecar.istio.io/excludeOutboundIPRanges`: destination CIDRs that bypass it;
 * - `traffic.sidecar.istio.io/includeOutboundIPRanges`: only these CIDRs are redirected (default `*`;
 *   an empty value redirects none);
 * - `traffic.sidecar.istio.io/includeOutboundPorts`: ports redirected whatever the destination address.
 * A call the sidecar does not see leaves the pod as the application sent it: plaintext, no Host routing.
 * A Service's ClusterIP is known offline only when the manifest pins `spec.clusterIP`; otherwise an
 * address-based rule gives "unknown".
 */
import type { Workload } from './model';

export type Capture = { captured: true } | { captured: false; reason: string } | { captured: 'unknown'; reason: string };

const list = (v: string | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  if (b.some((x) => x > 255)) return undefined;
  return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
}

/** true / false for an IPv4 address against a CIDR (or `*`); undefined when either cannot be read. */
function inCidr(ip: string, cidr: string): boolean | undefined {
  if (cidr === '*') return true;
  const [net, bits] = cidr.split('/');
  const a = ipv4(ip);
  const n = ipv4(net);
  const len = bits === undefined ? 32 : Number(bits);
  if (a === undefined || n === undefined || !(len >= 0 && len <= 32)) return undefined;
  if (len === 0) return true;
  const mask = (0xffffffff << (32 - len)) >>> 0;
  return (a & mask) >>> 0 === (n & mask) >>> 0;
}

const matchesAll = (cidr: string) => cidr === '*' || cidr === '0.0.0.0/0';

/** Whether the sidecar of `w` intercepts a call to `port` at address `ip` (a pinned ClusterIP, when known). */
export function outboundCapture(w: Workload, port: number | undefined, ip?: string): Capture {
  const a = w.podAnnotations;
  const where = `${w.kind} ${w.name}`;
  const inclPorts = list(a['traffic.sidecar.istio.io/includeOutboundPorts']);
  if (port !== undefined && inclPorts?.includes(String(port))) return { captured: true };
  const exclPorts = list(a['traffic.sidecar.istio.io/excludeOutboundPorts']);
  if (port !== undefined && exclPorts?.includes(String(port))) return { captured: false, reason: `${where} excludes port ${port} from its sidecar (traffic.sidecar.istio.io/excludeOutboundPorts)` };
  const excl = list(a['traffic.sidecar.istio.io/excludeOutboundIPRanges']) ?? [];
  if (excl.some(matchesAll)) return { captured: false, reason: `${where} excludes every address from its sidecar (traffic.sidecar.istio.io/excludeOutboundIPRanges: ${a['traffic.sidecar.istio.io/excludeOutboundIPRanges']})` };
  if (excl.length) {
    const hit = ip ? excl.map((c) => inCidr(ip, c)) : [undefined];
    if (hit.includes(true)) return { captured: false, reason: `${where} excludes ${ip} from its sidecar (traffic.sidecar.istio.io/excludeOutboundIPRanges)` };
    if (hit.includes(undefined)) return { captured: 'unknown', reason: `${where} excludes address ranges from its sidecar (traffic.sidecar.istio.io/excludeOutboundIPRanges) and the Service's address is not in the workspace` };
  }
  const incl = list(a['traffic.sidecar.istio.io/includeOutboundIPRanges']);
  if (incl !== undefined && !incl.some(matchesAll)) {
    if (!incl.length) return { captured: false, reason: `${where} redirects no outbound traffic to its sidecar (traffic.sidecar.istio.io/includeOutboundIPRanges is empty)` };
    const hit = ip ? incl.map((c) => inCidr(ip, c)) : [undefined];
    if (hit.includes(true)) return { captured: true };
    if (hit.includes(undefined)) return { captured: 'unknown', reason: `${where} redirects only some address ranges to its sidecar (traffic.sidecar.istio.io/includeOutboundIPRanges) and the Service's address is not in the workspace` };
    return { captured: false, reason: `${where} does not redirect ${ip} to its sidecar (traffic.sidecar.istio.io/includeOutboundIPRanges)` };
  }
  return { captured: true };
}

/** The capture of a call made by every one of `ws` (all must agree, else unknown). */
export function outboundCaptureAll(ws: readonly Workload[], port: number | undefined, ip?: string): Capture {
  let out: Capture = { captured: true };
  for (const w of ws) {
    const c = outboundCapture(w, port, ip);
    if (c.captured === true) {
      if (out.captured === false) return { captured: 'unknown', reason: out.reason + ', not every workload running this config does' };
      continue;
    }
    if (c.captured === 'unknown') return c;
    if (out.captured === true && ws.indexOf(w) > 0) return { captured: 'unknown', reason: c.reason + ', not every workload running this config does' };
    out = c;
  }
  return out;
}
