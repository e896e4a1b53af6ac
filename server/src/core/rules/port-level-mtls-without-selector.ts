import { defineRule } from './rule';
import type { Fix } from '../types';
import type { MeshModel, PeerAuth, Workload } from '../model/model';
import { prometheusFacts } from '../model/prometheus';
import { appendDocument, replace } from '../fixes/edits';
import { lineStartAt } from '../text';

export default defineRule({
  id: 'port-level-mtls-without-selector',
  defaultSeverity: 'error',
  description: 'PeerAuthentication has portLevelMtls but no workload selector: Istio validation rejects the object, so none of it (port settings nor mode) takes effect.',
  kinds: ['PeerAuthentication'],
  check({ model, report }) {
    for (const pa of model.peerAuths) {
      if (!pa.portLevelPair || !pa.portLevel.length) continue;
      if (pa.selector && Object.keys(pa.selector).length) continue;
      const scope = pa.ns === model.meshConfig.rootNamespace ? 'mesh-wide' : `namespace-wide (${pa.ns})`;
      // which workload owns each port key (keys are the ports workloads receive on)
      const owners = new Map<Workload, PeerAuth['portLevel']>();
      let ambiguous = false;
      for (const pl of pa.portLevel) {
        // the workloads that receive on this port: a declared container port or a Service targetPort
        const ws = model.workloadsIn(pa.ns).filter((w) => (w.containers.some((c) => c.ports.some((p) => p.containerPort === pl.port)) || model.servicesOf(w).some((s) => s.ports.some((sp) => model.containerPort(s, sp, w) === pl.port))));
        if (ws.length !== 1) {
          ambiguous = true;
          break;
        }
        const l = owners.get(ws[0]) ?? [];
        l.push(pl);
        owners.set(ws[0], l);
      }
      const fixes: Fix[] = [];
      const text = model.text(pa.obj.file);
      if (!ambiguous && owners.size >= 1 && text) {
        const del = lineStartAt(text, pa.portLevelPair.key.start);
        const end = pa.portLevelPair.value ? pa.portLevelPair.value.end : pa.portLevelPair.key.end;
        const endLine = text.indexOf('\n', end);
        const docs = [...owners].map(([w, pls]) => ({
          apiVersion: pa.obj.apiVersion,
          kind: 'PeerAuthentication',
          metadata: { name: `${w.name}-ports`, namespace: pa.ns },
          spec: {
            selector: { matchLabels: selectorFor(w) },
            ...(pa.mode ? { mtls: { mode: pa.mode } } : {}),
            portLevelMtls: Object.fromEntries(pls.map((p) => [p.port, { mode: p.mode ?? 'UNSET' }])),
          },
        }));
        const names = [...owners.keys()].map((w) => w.name).join(', ');
        const delEnd = endLine < 0 ? text.length : endLine + 1;
        const edits = [replace(pa.obj.file, del, delEnd, '')];
        let appended = '';
        for (const d of docs) appended += appendDocument(text + appended, pa.obj.file, d).newText;
        edits.push({ file: pa.obj.file, start: text.length, end: text.length, newText: appended });
        // the fix makes the policy valid: its STRICT then applies to plaintext callers on the other ports
        const plain = pa.mode === 'STRICT' ? plaintextCallersOf(model, pa, owners) : [];
        const then = plain.length ? ` (then its STRICT mode applies and rejects plaintext from ${plain.slice(0, 2).join('; ')}${plain.length > 2 ? '; ...' : ''})` : '';
        fixes.push({ title: `Move port settings into a policy with a selector for ${names}${then}`, edits, preferred: true, ...(plain.length ? { reveals: ['strict-mtls-plaintext-client'] } : {}) });
      }
      report({
        file: pa.obj.file,
        start: pa.portLevelPair.key.start,
        end: pa.portLevelPair.key.end,
        message: `PeerAuthentication ${pa.ns}/${pa.obj.name} is ${scope} (no selector) but sets portLevelMtls for port${pa.portLevel.length > 1 ? 's' : ''} ${pa.portLevel.map((p) => p.port).join(', ')}. Istio's validation rejects it ("portLevelMtls requires selector"; "mesh/namespace peer authentication cannot have port level mTLS"): kubectl apply / the GitOps sync fails and the object never exists, so neither its port settings nor its mode${pa.mode ? ` ${pa.mode}` : ''} take effect. Port settings belong in a policy with a workload selector, keyed by the port the workload receives on.`,
        fixes,
      });
    }
  },
});

/** Callers outside the mesh that reach, in plaintext, a workload the policy would govern, on a port it leaves STRICT. */
function plaintextCallersOf(model: MeshModel, pa: PeerAuth, owners: Map<Workload, PeerAuth['portLevel']>): string[] {
  const out = new Set<string>();
  const scope = (w: Workload) => (pa.ns === model.meshConfig.rootNamespace || w.ns === pa.ns) && model.membership(w).mode !== 'none';
  const exempt = (w: Workload, port: number) => (owners.get(w) ?? []).some((p) => p.port === port && p.mode !== 'STRICT');
  for (const c of model.callers()) {
    if (c.mesh !== 'none' || c.kind === 'prometheus') continue;
    for (const w of model.serviceWorkloads(c.service)) {
      if (!scope(w)) continue;
      for (const sp of c.port !== undefined ? c.service.ports.filter((p) => p.port === c.port) : c.service.ports) {
        const cp = model.containerPort(c.service, sp, w);
        if (cp !== undefined && !exempt(w, cp)) out.add(c.description);
      }
    }
  }
  for (const t of prometheusFacts(model).targets) if (t.scraper.mesh === 'none' && scope(t.workload) && !exempt(t.workload, t.containerPort)) out.add(t.description);
  return [...out];
}

export function selectorFor(w: Workload): Record<string, string> {
  const l = w.podLabels;
  for (const k of ['app', 'app.kubernetes.io/name', 'name', 'k8s-app']) if (l[k]) return { [k]: l[k] };
  return { ...l };
}
