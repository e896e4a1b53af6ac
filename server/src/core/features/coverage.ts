/**
 * Mesh coverage: the data behind the mTLS coverage tree view (and `meshlint/coverage`).
 * Namespaces -> workloads (with their Services) -> membership, effective mTLS per port and the
 * callers that are outside the mesh. Pure data, JSON-serialisable.
 */
import type { MeshModel, Workload, Service, MeshMode, MtlsMode, Caller, EffectiveMtls } from '../model/model';
import { objSpan } from '../model/model';
import type { Span } from '../types';

export type CoverageMembership = 'sidecar' | 'ambient' | 'outside' | 'unknown';

export interface CoverageSummary {
  /** workloads with a sidecar or in ambient mode */
  inMesh: number;
  /** workloads explicitly outside the mesh */
  outside: number;
  /** workloads whose membership the workspace does not show */
  unknown: number;
  total: number;
  /** floor(100 * inMesh / total); 0 when there are no workloads */
  percent: number;
  /** "2 of 3 workloads in the mesh, 66%" */
  text: string;
}

export interface PortCoverage {
  /** container (workload) port: PeerAuthentication works on these */
  port: number;
  name?: string;
  /** Service ports that reach it, e.g. ["was-service:8080"] */
  via: string[];
  /** effective PeerAuthentication mode; null when the workload has no proxy (outside the mesh) */
  mode: MtlsMode | null;
  /** where the mode comes from: 'default' (Istio's PERMISSIVE), 'mesh', 'namespace', 'workload', 'port' */
  scope: EffectiveMtls['scope'] | 'no-proxy';
  /** "namespace policy blog-system/default" or "Istio default (no PeerAuthentication)" */
  source: string;
  policy?: { kind: 'PeerAuthentication'; name: string; namespace: string };
  /** the mode's location (the `mode:` value), when in the workspace */
  location?: Span;
}

export interface CallerCoverage {
  kind: Caller['kind'];
  description: string;
  mesh: CoverageMembership;
  service: string;
  port?: number;
  location: Span;
}

export interface ServiceCoverage {
  name: string;
  namespace: string;
  ports: { port: number; name?: string; targetPort?: number | string }[];
  location: Span;
}

export interface WorkloadCoverage {
  kind: string;
  name: string;
  namespace: string;
  membership: CoverageMembership;
  /** why: "namespace blog-system has istio-injection: enabled" */
  reason: string;
  /** the deciding label/annotation, when in the workspace */
  membershipLocation?: Span;
  location: Span;
  services: ServiceCoverage[];
  ports: PortCoverage[];
  /** the strictest / weakest modes over the ports (for one-line summaries) */
  mtls: { strict: number; permissive: number; disable: number };
  /** callers of this workload's Services that are outside the mesh or whose membership is unknown */
  callersOutside: CallerCoverage[];
  /** one line for the tree: "sidecar · STRICT" */
  description: string;
}

export interface NamespaceCoverage {
  name: string;
  summary: CoverageSummary;
  workloads: WorkloadCoverage[];
  /** the Namespace object, when in the workspace */
  location?: Span;
  /** Services in the namespace that select no workload of the workspace */
  servicesWithoutWorkloads: ServiceCoverage[];
}

export interface CoverageData {
  namespaces: NamespaceCoverage[];
  summary: CoverageSummary;
  meshConfig: { rootNamespace: string; enableAutoMtls: boolean };
}

export function membershipOf(mode: MeshMode): CoverageMembership {
  return mode === 'none' ? 'outside' : mode;
}

export function summarize(ws: { membership: CoverageMembership }[]): CoverageSummary {
  const total = ws.length;
  const inMesh = ws.filter((w) => w.membership === 'sidecar' || w.membership === 'ambient').length;
  const outside = ws.filter((w) => w.membership === 'outside').length;
  const unknown = total - inMesh - outside;
  const percent = total ? Math.floor((100 * inMesh) / total) : 0;
  const text = `${inMesh} of ${total} workload${total === 1 ? '' : 's'} in the mesh, ${percent}%${unknown ? ` (${unknown} unknown)` : ''}`;
  return { inMesh, outside, unknown, total, percent, text };
}

export function describeMtls(e: EffectiveMtls): string {
  const p = e.policy;
  switch (e.scope) {
    case 'default':
      return 'Istio default (no PeerAuthentication applies)';
    case 'mesh':
      return `mesh-wide policy ${p!.ns}/${p!.obj.name}`;
    case 'namespace':
      return `namespace policy ${p!.ns}/${p!.obj.name}`;
    case 'workload':
      return `workload policy ${p!.ns}/${p!.obj.name}`;
    case 'port':
      return `portLevelMtls of ${p!.ns}/${p!.obj.name}`;
  }
}

function serviceCoverage(s: Service): ServiceCoverage {
  return { name: s.name, namespace: s.ns, ports: s.ports.map((p) => ({ port: p.port, name: p.name, targetPort: p.targetPort })), location: objSpan(s.obj) };
}

/** Container ports of a workload together with the Service ports that reach them. */
export function workloadPorts(model: MeshModel, w: Workload, services: Service[]): { port: number; name?: string; via: string[] }[] {
  const ports = new Map<number, { port: number; name?: string; via: string[] }>();
  for (const c of w.containers) for (const cp of c.ports) if (!ports.has(cp.containerPort)) ports.set(cp.containerPort, { port: cp.containerPort, name: cp.name, via: [] });
  for (const s of services) {
    for (const sp of s.ports) {
      if (sp.protocol && sp.protocol.toUpperCase() === 'UDP') continue;
      const cp = model.containerPort(s, sp, w);
      if (cp === undefined) continue;
      let e = ports.get(cp);
      if (!e) ports.set(cp, (e = { port: cp, via: [] }));
      e.via.push(`${s.name}:${sp.port}`);
    }
  }
  return [...ports.values()].sort((a, b) => a.port - b.port);
}

export function workloadCoverage(model: MeshModel, w: Workload): WorkloadCoverage {
  const m = model.membership(w);
  const membership = membershipOf(m.mode);
  const services = model.servicesOf(w);
  const proxied = membership !== 'outside';
  const ports: PortCoverage[] = workloadPorts(model, w, services).map((p) => {
    if (!proxied) return { ...p, mode: null, scope: 'no-proxy', source: 'no sidecar or ztunnel: plaintext only, PeerAuthentication does not apply' };
    const e = model.effectiveMtls(w, p.port);
    return {
      ...p,
      mode: e.mode,
      scope: e.scope,
      source: describeMtls(e),
      policy: e.policy ? { kind: 'PeerAuthentication', name: e.policy.obj.name, namespace: e.policy.ns } : undefined,
      location: e.span ?? (e.policy ? objSpan(e.policy.obj) : undefined),
    };
  });
  const mtls = { strict: 0, permissive: 0, disable: 0 };
  for (const p of ports) {
    if (p.mode === 'STRICT') mtls.strict++;
    else if (p.mode === 'PERMISSIVE') mtls.permissive++;
    else if (p.mode === 'DISABLE') mtls.disable++;
  }
  const callersOutside: CallerCoverage[] = [];
  for (const s of services) {
    for (const c of model.callersOf(s)) {
      if (c.mesh === 'sidecar' || c.mesh === 'ambient') continue;
      callersOutside.push({ kind: c.kind, description: c.description, mesh: membershipOf(c.mesh), service: s.name, port: c.port, location: c.span });
    }
  }
  let modeText: string;
  if (!proxied) modeText = 'plaintext';
  else if (ports.length === 0) modeText = model.effectiveMtls(w).mode;
  else {
    const modes = [...new Set(ports.map((p) => p.mode))];
    modeText = modes.length === 1 ? String(modes[0]) : 'mixed (' + ports.map((p) => `${p.port} ${p.mode}`).join(', ') + ')';
  }
  return {
    kind: w.kind,
    name: w.name,
    namespace: w.ns,
    membership,
    reason: m.reason,
    membershipLocation: m.span,
    location: objSpan(w.obj),
    services: services.map(serviceCoverage),
    ports,
    mtls,
    callersOutside,
    description: `${membership} · ${modeText}`,
  };
}

export interface CoverageOptions {
  /** only this namespace (the summary is then the namespace's) */
  namespace?: string;
}

export function coverage(model: MeshModel, opts: CoverageOptions = {}): CoverageData {
  const byNs = new Map<string, WorkloadCoverage[]>();
  for (const w of model.workloads) {
    if (opts.namespace !== undefined && w.ns !== opts.namespace) continue;
    let list = byNs.get(w.ns);
    if (!list) byNs.set(w.ns, (list = []));
    list.push(workloadCoverage(model, w));
  }
  const selected = new Set<Service>();
  for (const w of model.workloads) for (const s of model.servicesOf(w)) selected.add(s);
  const namespaces: NamespaceCoverage[] = [...byNs.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, workloads]) => {
      workloads.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : 1));
      const nsObj = model.namespaces.get(name);
      return {
        name,
        summary: summarize(workloads),
        workloads,
        location: nsObj ? objSpan(nsObj) : undefined,
        servicesWithoutWorkloads: model.services.filter((s) => s.ns === name && !selected.has(s)).map(serviceCoverage),
      };
    });
  return {
    namespaces,
    summary: summarize(namespaces.flatMap((n) => n.workloads)),
    meshConfig: { rootNamespace: model.meshConfig.rootNamespace, enableAutoMtls: model.meshConfig.enableAutoMtls },
  };
}
