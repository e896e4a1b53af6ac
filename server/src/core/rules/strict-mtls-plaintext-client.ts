import { defineRule } from './rule';
import type { Fix, RelatedInfo } from '../types';
import { Caller, EffectiveMtls, MeshModel, Workload, describeObj } from '../model/model';
import { appendDocument, replace } from '../fixes/edits';
import { selectorFor } from './port-level-mtls-without-selector';

interface Group {
  w: Workload;
  cport: number;
  eff: EffectiveMtls;
  callers: Caller[];
}

export default defineRule({
  id: 'strict-mtls-plaintext-client',
  defaultSeverity: 'error',
  description: 'A workload enforces STRICT mTLS on a port that a caller outside the mesh reaches with plaintext (e.g. ingress-nginx), so those requests fail (502 / connection reset).',
  kinds: ['PeerAuthentication', 'Ingress', 'ConfigMap', 'Service'],
  check({ model, report }) {
    const groups = new Map<string, Group>();
    for (const c of model.callers()) {
      if (c.mesh !== 'none') continue;
      for (const w of model.serviceWorkloads(c.service)) {
        const m = model.membership(w).mode;
        if (m === 'none') continue; // plaintext to a workload outside the mesh is fine
        const ports = c.port !== undefined ? c.service.ports.filter((p) => p.port === c.port) : c.service.ports;
        for (const p of ports) {
          const cport = model.containerPort(c.service, p, w);
          if (cport === undefined) continue;
          const eff = model.effectiveMtls(w, cport);
          if (eff.mode !== 'STRICT' || !eff.span) continue;
          const key = `${eff.span.file}:${eff.span.start}|${w.ns}/${w.name}|${cport}`;
          const g = groups.get(key) ?? { w, cport, eff, callers: [] };
          if (!g.callers.includes(c)) g.callers.push(c);
          groups.set(key, g);
        }
      }
    }
    for (const g of groups.values()) {
      const { w, cport, eff } = g;
      const uncertain = model.membership(w).mode === 'unknown';
      const where = eff.scope === 'port' ? `port-level setting of ${eff.policy!.obj.name}` : eff.scope === 'workload' ? `workload policy ${eff.policy!.obj.name}` : eff.scope === 'namespace' ? `namespace policy ${eff.policy!.ns}/${eff.policy!.obj.name}` : `mesh-wide policy ${eff.policy!.ns}/${eff.policy!.obj.name}`;
      const callers = g.callers.map((c) => c.description).join('; ');
      const related: RelatedInfo[] = g.callers.map((c) => ({ span: c.span, message: `plaintext caller: ${c.description}` }));
      related.push({ span: { file: w.obj.file, start: w.obj.root.start, end: w.obj.root.start }, message: `${describeObj(w.obj)} (${model.membership(w).reason})` });
      report({
        file: eff.span!.file,
        start: eff.span!.start,
        end: eff.span!.end,
        severity: uncertain ? 'warning' : undefined,
        message: `STRICT mTLS (${where}) on port ${cport} of ${w.kind} ${w.ns}/${w.name}${uncertain ? ' (if it runs in the mesh)' : ''}, but ${callers} sends plaintext there: the sidecar rejects it and clients see 502 / connection reset. Callers outside the mesh have no mTLS identity.`,
        related,
        fixes: fixes(model, g),
      });
    }
  },
});

function fixes(model: MeshModel, g: Group): Fix[] {
  const { w, cport, eff } = g;
  const out: Fix[] = [];
  const pa = eff.policy!;
  const text = model.text(pa.obj.file);
  if (!text) return out;
  if (eff.scope === 'namespace' || eff.scope === 'mesh') {
    const hasWorkloadPolicy = model.peerAuths.some((p) => p.ns === w.ns && p.selector && Object.keys(p.selector).length && Object.entries(p.selector).every(([k, v]) => w.podLabels[k] === v));
    if (!hasWorkloadPolicy) {
      const doc = {
        apiVersion: pa.obj.apiVersion,
        kind: 'PeerAuthentication',
        metadata: { name: `${w.name}-permissive-${cport}`, namespace: w.ns },
        spec: { selector: { matchLabels: selectorFor(w) }, mtls: { mode: 'STRICT' }, portLevelMtls: { [cport]: { mode: 'PERMISSIVE' } } },
      };
      out.push({ title: `Set PERMISSIVE for port ${cport} of ${w.name}`, edits: [appendDocument(text, pa.obj.file, doc)], preferred: true });
    }
    out.push({ title: eff.scope === 'namespace' ? 'Set namespace policy to PERMISSIVE' : 'Set mesh-wide policy to PERMISSIVE', edits: [replace(pa.obj.file, eff.span!.start, eff.span!.end, 'PERMISSIVE')] });
  } else if (eff.scope === 'workload') {
    out.push({ title: `Set ${pa.obj.name} to PERMISSIVE`, edits: [replace(pa.obj.file, eff.span!.start, eff.span!.end, 'PERMISSIVE')], preferred: true });
  } else {
    out.push({ title: `Set PERMISSIVE for port ${cport} of ${w.name}`, edits: [replace(pa.obj.file, eff.span!.start, eff.span!.end, 'PERMISSIVE')], preferred: true });
  }
  return out;
}
