import { defineRule } from './rule';
import type { Fix } from '../types';
import type { K8sObject } from '../source/yaml';
import { get, isMap, type YMap } from '../source/ynode';
import { replace } from '../fixes/edits';
import { closeNames } from '../model/routing';
import { clearCandidate } from '../model/schema';
import { scalarText } from './istio-unknown-field';
import { istioAnnotationFacts } from '../../docs/istioAnnotations';

/** Annotations in Istio's domain: a prefix of `istio.io` or `*.istio.io` (and the Kubernetes one Istio documents). */
function istioAnnotation(key: string): boolean {
  if (key === 'kubernetes.io/ingress.class') return true;
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const prefix = key.slice(0, slash);
  return prefix === 'istio.io' || prefix.endsWith('.istio.io');
}

/** The kinds istioctl's annotation analyzer reads, and the workloads whose pod templates become Pods. */
const OWN_KINDS = new Set(['Namespace', 'Service', 'Pod', 'Deployment']);
export const TEMPLATE: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'metadata'],
  StatefulSet: ['spec', 'template', 'metadata'],
  DaemonSet: ['spec', 'template', 'metadata'],
  ReplicaSet: ['spec', 'template', 'metadata'],
  Job: ['spec', 'template', 'metadata'],
  Rollout: ['spec', 'template', 'metadata'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
};

const DEPRECATION_HINT: Record<string, string> = {
  'sidecar.istio.io/inject': ' in favour of the `sidecar.istio.io/inject` label (set the label on the pod template instead)',
};

export default defineRule({
  id: 'istio-deprecated-annotation',
  defaultSeverity: 'warning',
  description: 'An Istio annotation (`*.istio.io/...`) that Istio does not know (a typo: it has no effect; IST0108), or one Istio deprecated, e.g. the `sidecar.istio.io/inject` annotation (information; IST0135).',
  kinds: [...OWN_KINDS, ...Object.keys(TEMPLATE)],
  check({ model, report }) {
    for (const obj of model.objects) {
      if (obj.group !== '' && obj.group !== 'apps' && obj.group !== 'batch' && obj.group !== 'argoproj.io') continue;
      const places: { meta: YMap; where: string; kind: string }[] = [];
      const own = get(obj.root, 'metadata');
      if (OWN_KINDS.has(obj.kind) && isMap(own)) places.push({ meta: own, where: `${obj.kind} ${obj.ns}/${obj.name}`, kind: obj.kind });
      const tpath = TEMPLATE[obj.kind];
      const tmeta = tpath && get(obj.root, ...tpath);
      if (isMap(tmeta)) places.push({ meta: tmeta, where: `the pod template of ${obj.kind} ${obj.ns}/${obj.name}`, kind: 'Pod' });
      for (const p of places) check(obj, p.meta, p.where, p.kind);
    }

    function check(obj: K8sObject, meta: YMap, where: string, kind: string): void {
      const ann = get(meta, 'annotations');
      if (!isMap(ann)) return;
      const labels = get(meta, 'labels');
      const { current, removed } = istioAnnotationFacts();
      for (const it of ann.items) {
        const key = String(it.key.v);
        if (!istioAnnotation(key)) continue;
        const fact = current.get(key);
        if (fact?.deprecated) {
          // istioctl stays quiet when the replacement label is there too (kept for compatibility)
          if (key === 'sidecar.istio.io/inject' && isMap(labels) && labels.items.some((l) => l.key.v === key)) continue;
          report({
            file: obj.file,
            start: it.key.start,
            end: it.key.end,
            severity: 'information',
            message: `${where}: the annotation ${key} is deprecated${DEPRECATION_HINT[key] ?? ''} and may stop working in a future Istio release (Istio's annotation list marks it deprecated).`,
          });
          continue;
        }
        if (fact) continue;
        if (removed.has(key)) {
          report({
            file: obj.file,
            start: it.key.start,
            end: it.key.end,
            severity: 'information',
            message: `${where}: the annotation ${key} is no longer in Istio's annotation list (earlier releases documented it): current Istio releases may ignore it.`,
          });
          continue;
        }
        // suggest names that apply where the annotation is (istio-misplaced-annotation reports the others); on a
        // workload's own metadata, where none does, pod annotations (meant for the pod template)
        const applies = (n: string, k: string) => current.get(n)!.resources.some((r) => r === k || r === 'Any');
        const workload = kind !== 'Pod' && !!TEMPLATE[kind];
        const names = [...current.keys()].filter((n) => !ann.items.some((x) => x.key.v === n) && (applies(n, kind) || (workload && applies(n, 'Pod'))));
        const close = closeNames(key, names);
        const to = clearCandidate(key, close);
        const then = to && !applies(to, kind) ? ` (then move it to ${[...TEMPLATE[kind], 'annotations'].join('.')})` : '';
        const fixes: Fix[] = to ? [{ title: `Rename to ${to}${then}`, edits: [replace(obj.file, it.key.start, it.key.end, scalarText(it.key, to))], preferred: true, ...(then ? { reveals: ['istio-misplaced-annotation'] } : {}) }] : [];
        report({
          file: obj.file,
          start: it.key.start,
          end: it.key.end,
          message: `${where}: unknown Istio annotation ${key}: Istio's annotation list has no such name, so Istio ignores it.${close.length ? ` Did you mean ${(to ? [to] : close).join(' or ')}?` : ''}`,
          fixes,
        });
      }
    }
  },
});
