import { defineRule } from './rule';
import type { Fix } from '../types';
import type { PeerAuth, Workload } from '../model/model';
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
        const ws = model.workloads.filter((w) => w.ns === pa.ns && (w.containers.some((c) => c.ports.some((p) => p.containerPort === pl.port)) || model.servicesOf(w).some((s) => s.ports.some((sp) => model.containerPort(s, sp, w) === pl.port))));
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
        fixes.push({ title: `Move port settings into a policy with a selector for ${names}`, edits, preferred: true });
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

export function selectorFor(w: Workload): Record<string, string> {
  const l = w.podLabels;
  for (const k of ['app', 'app.kubernetes.io/name', 'name', 'k8s-app']) if (l[k]) return { [k]: l[k] };
  return { ...l };
}
