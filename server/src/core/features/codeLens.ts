/**
 * Code lenses above each Service and workload: mesh membership, effective mTLS per port, and how many
 * callers reach it from inside and outside the mesh (the lens opens the references). Pure.
 */
import type { MeshModel, Service, Workload, MeshMode } from '../model/model';
import { nameNode } from '../model/model';
import { nginxFacts } from '../model/nginx';
import { prometheusFacts } from '../model/prometheus';
import { links } from './navigate';

export interface MeshLens {
  file: string;
  /** where the lens sits (the object's first line) and where references are asked from (its name) */
  start: number;
  nameOffset: number;
  title: string;
  /** number of references into the object (0: the lens shows no command) */
  references: number;
}

const MODE: Record<MeshMode, string> = { sidecar: 'sidecar', ambient: 'ambient', none: 'outside the mesh', unknown: 'mesh membership unknown' };

function mtlsSummary(model: MeshModel, ws: readonly Workload[], ports: { port: number; container?: number }[]): string {
  const parts = new Map<string, number[]>();
  for (const w of ws) {
    if (model.membership(w).mode === 'none') continue;
    for (const p of ports.length ? ports : [{ port: 0 }]) {
      const m = model.effectiveMtls(w, p.container);
      const list = parts.get(m.mode) ?? [];
      if (p.port && !list.includes(p.port)) list.push(p.port);
      parts.set(m.mode, list);
    }
  }
  if (!parts.size) return '';
  return [...parts].map(([mode, ps]) => `mTLS ${mode}${ps.length ? ` on ${ps.join(', ')}` : ''}`).join(', ');
}

function callerSummary(model: MeshModel, s: Service): string {
  const cs = model.callersOf(s);
  if (!cs.length) return 'no callers in the workspace';
  const outside = cs.filter((c) => c.mesh === 'none').length;
  const unknown = cs.filter((c) => c.mesh === 'unknown').length;
  const inside = cs.length - outside - unknown;
  const bits = [`${inside} in the mesh`];
  if (outside) bits.push(`${outside} outside`);
  if (unknown) bits.push(`${unknown} unknown`);
  return `${cs.length} caller${cs.length === 1 ? '' : 's'} (${bits.join(', ')})`;
}

export function codeLenses(model: MeshModel, file: string): MeshLens[] {
  nginxFacts(model);
  prometheusFacts(model);
  const out: MeshLens[] = [];
  const refCount = new Map<unknown, number>();
  for (const l of links(model)) if (l.target) refCount.set(l.target, (refCount.get(l.target) ?? 0) + 1);
  for (const s of model.services) {
    if (s.obj.file !== file) continue;
    const ws = model.serviceWorkloads(s);
    const mesh = s.externalName ? `ExternalName ${s.externalName}` : ws.length ? MODE[model.serviceMesh(s)] : s.selector ? 'selects no workload in the workspace' : 'no selector';
    const ports = s.ports.map((p) => ({ port: p.port, container: ws[0] ? model.containerPort(s, p, ws[0]) : undefined }));
    const mtls = mtlsSummary(model, ws, ports);
    out.push({ file, start: s.obj.root.start, nameOffset: nameNode(s.obj)?.start ?? s.obj.root.start, title: [mesh, mtls, callerSummary(model, s)].filter(Boolean).join(' · '), references: refCount.get(s.obj) ?? 0 });
  }
  for (const w of model.workloads) {
    if (w.obj.file !== file) continue;
    const m = model.membership(w);
    const ports = w.containers.flatMap((c) => c.ports.map((p) => ({ port: p.containerPort, container: p.containerPort })));
    const mtls = mtlsSummary(model, [w], ports);
    const svcs = model.servicesOf(w).map((s) => s.name);
    out.push({
      file,
      start: w.obj.root.start,
      nameOffset: nameNode(w.obj)?.start ?? w.obj.root.start,
      title: [`${MODE[m.mode]} (${m.reason})`, mtls, svcs.length ? `behind ${svcs.join(', ')}` : 'behind no Service'].filter(Boolean).join(' · '),
      references: refCount.get(w.obj) ?? 0,
    });
  }
  return out.sort((a, b) => a.start - b.start);
}
