import { defineRule } from './rule';
import type { Fix, Span } from '../types';
import type { K8sObject } from '../source/yaml';
import { MeshModel, Workload } from '../model/model';
import { get, pair } from '../source/ynode';
import { replace } from '../fixes/edits';
import { lineStartAt } from '../text';

function pairSpan(obj: K8sObject, base: (string | number)[], key: string): Span | undefined {
  const p = pair(get(obj.root, ...base), key);
  return p ? { file: obj.file, start: p.key.start, end: p.value ? p.value.end : p.key.end } : undefined;
}

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

function injection(w: Workload): { how: string; key: string; where: 'labels' | 'annotations' } | undefined {
  if (w.podLabels['sidecar.istio.io/inject'] === 'true') return { how: 'pod label sidecar.istio.io/inject: "true"', key: 'sidecar.istio.io/inject', where: 'labels' };
  if (w.podAnnotations['sidecar.istio.io/inject'] === 'true') return { how: 'pod annotation sidecar.istio.io/inject: "true"', key: 'sidecar.istio.io/inject', where: 'annotations' };
  if (w.podLabels['istio.io/rev']) return { how: `pod label istio.io/rev: ${w.podLabels['istio.io/rev']}`, key: 'istio.io/rev', where: 'labels' };
  return undefined;
}

const EFFECT = 'Istio injects the sidecar and the sidecar takes precedence over ztunnel for pods that have both, so the pod runs in sidecar mode, not ambient (ambient policies, waypoints and ztunnel telemetry do not apply to it). This is only meant as a transient step while migrating; finish it by removing the injection label and restarting the pods, or drop the ambient label.';

export default defineRule({
  id: 'sidecar-and-ambient',
  defaultSeverity: 'error',
  description: 'A workload or namespace is labelled both for sidecar injection and for ambient mode; the sidecar wins and the pods are not in ambient mode.',
  kinds: ['Namespace', 'Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Job', 'CronJob', 'Rollout'],
  check({ model, report }) {
    const nsBoth = new Set<string>();
    for (const [name, o] of model.namespaces) {
      const l = o.labels;
      if (l['istio.io/dataplane-mode'] !== 'ambient') continue;
      const inj = l['istio-injection'] === 'enabled' ? 'istio-injection' : l['istio.io/rev'] ? 'istio.io/rev' : undefined;
      if (!inj) continue;
      nsBoth.add(name);
      const at = pairSpan(o, ['metadata', 'labels'], 'istio.io/dataplane-mode');
      const injAt = pairSpan(o, ['metadata', 'labels'], inj);
      if (!at) continue;
      const fix = injAt && deleteLine(model, injAt, `Remove ${inj} from namespace ${name} (finish the move to ambient)`);
      report({
        file: at.file,
        start: at.start,
        end: at.end,
        message: `Namespace ${name} has both ${inj}: ${l[inj]} and istio.io/dataplane-mode: ambient. ${EFFECT}`,
        related: injAt ? [{ span: injAt, message: `sidecar injection: ${inj}: ${l[inj]}` }] : undefined,
        fixes: fix ? [fix] : [],
      });
    }
    for (const w of model.workloads) {
      const nl = model.namespaceLabels(w.ns) ?? {};
      if (w.podLabels['sidecar.istio.io/inject'] === 'false' || w.podAnnotations['sidecar.istio.io/inject'] === 'false') continue;
      if (w.podLabels['istio.io/dataplane-mode'] === 'none') continue;
      const base = w.templatePath.length ? [...w.templatePath, 'metadata'] : ['metadata'];
      const podAmbient = w.podLabels['istio.io/dataplane-mode'] === 'ambient';
      const nsAmbient = nl['istio.io/dataplane-mode'] === 'ambient';
      const inj = injection(w);
      const nsInj = nl['istio-injection'] === 'enabled' ? 'istio-injection: enabled' : nl['istio.io/rev'] ? `istio.io/rev: ${nl['istio.io/rev']}` : undefined;
      let message: string | undefined;
      let at: Span | undefined;
      if (inj && (podAmbient || nsAmbient)) {
        at = pairSpan(w.obj, [...base, inj.where], inj.key);
        message = `${w.kind} ${w.ns}/${w.name} asks for a sidecar (${inj.how}) and is enrolled in ambient (${podAmbient ? 'pod label' : `namespace ${w.ns} label`} istio.io/dataplane-mode: ambient). ${EFFECT}`;
      } else if (podAmbient && nsInj && !nsBoth.has(w.ns)) {
        at = pairSpan(w.obj, [...base, 'labels'], 'istio.io/dataplane-mode');
        message = `${w.kind} ${w.ns}/${w.name} is labelled istio.io/dataplane-mode: ambient, but namespace ${w.ns} has ${nsInj}, so it also gets a sidecar. ${EFFECT}`;
      }
      if (!message || !at) continue;
      report({ file: at.file, start: at.start, end: at.end, message });
    }
  },
});
