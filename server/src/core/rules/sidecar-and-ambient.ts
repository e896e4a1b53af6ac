import { defineRule } from './rule';
import type { Fix, Span } from '../types';
import type { MeshModel } from '../model/model';
import { namespaceEnrolment } from '../model/membership';
import { replace } from '../fixes/edits';
import { lineStartAt } from '../text';
import { sidecars, describeSidecar } from '../model/sidecar';

/** Delete the whole line of a `key: value` label (only when it stands alone on its line). */
function deleteLine(model: MeshModel, s: Span, title: string): Fix | undefined {
  const text = model.text(s.file);
  if (!text) return undefined;
  const ls = lineStartAt(text, s.start);
  if (text.slice(ls, s.start).trim() !== '') return undefined;
  let le = text.indexOf('\n', s.end);
  if (le < 0) le = text.length;
  if (!/^\s*(#.*)?$/.test(text.slice(s.end, le))) return undefined;
  return { title, edits: [replace(s.file, ls, le < text.length ? le + 1 : le, '')] };
}

const EFFECT = 'Istio injects the sidecar and the sidecar takes precedence over ztunnel for pods that have both, so the pod runs in sidecar mode, not ambient (ambient policies, waypoints and ztunnel telemetry do not apply to it). This is only meant as a transient step while migrating; finish it by removing the injection label and restarting the pods, or drop the ambient label.';

export default defineRule({
  id: 'sidecar-and-ambient',
  defaultSeverity: 'error',
  description: 'A workload or namespace is labelled both for sidecar injection and for ambient mode; the sidecar wins and the pods are not in ambient mode.',
  kinds: ['Namespace', 'Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Job', 'CronJob', 'Rollout'],
  check({ model, report }) {
    for (const [name, o] of model.namespaces) {
      const e = namespaceEnrolment(o);
      if (!e.ambient || !e.injection) continue;
      const inj = e.injection.key;
      const l = o.labels;
      const at = e.ambient.span;
      const injAt = e.injection.span;
      if (!at) continue;
      // the namespace's Sidecar resources configure sidecars only: once the pods are ambient they apply to nothing
      const scs = sidecars(model).filter((sc) => sc.ns === name).map(describeSidecar);
      const then = scs.length ? ` (then Sidecar ${scs.slice(0, 3).join(', ')}${scs.length > 3 ? ', ...' : ''} no longer applies to its ambient pods)` : '';
      const removal = injAt && deleteLine(model, injAt, `Remove ${inj} from namespace ${name} (finish the move to ambient)${then}`);
      const fix = removal && scs.length ? { ...removal, reveals: ['sidecar-resource-ambient'] } : removal;
      report({
        file: at.file,
        start: at.start,
        end: at.end,
        message: `Namespace ${name} has both ${inj}: ${l[inj]} and istio.io/dataplane-mode: ambient. ${EFFECT}`,
        related: injAt ? [{ span: injAt, message: `sidecar injection: ${inj}: ${l[inj]}` }] : undefined,
        fixes: fix ? [fix] : [],
      });
    }
    // workloads: the model's membership says sidecar, and ambient enrolment selects the pod too
    for (const w of model.workloads) {
      const m = model.membership(w);
      const amb = m.mode === 'sidecar' ? m.alsoAmbient : undefined;
      if (!amb || !m.on) continue;
      if (m.on === 'namespace' && amb.on === 'namespace') continue; // the namespace finding covers it
      const at = m.on === 'pod' ? m.span : amb.span;
      if (!at) continue;
      const message =
        m.on === 'pod'
          ? `${w.kind} ${w.ns}/${w.name} asks for a sidecar (${m.reason}) and is enrolled in ambient (${amb.reason}). ${EFFECT}`
          : `${w.kind} ${w.ns}/${w.name} is labelled istio.io/dataplane-mode: ambient, but ${m.reason}, so it also gets a sidecar. ${EFFECT}`;
      report({ file: at.file, start: at.start, end: at.end, message, related: m.on === 'pod' ? undefined : m.span ? [{ span: m.span, message: `sidecar injection: ${m.reason}` }] : undefined });
    }
  },
});
