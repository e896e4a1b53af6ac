import { defineRule } from './rule';
import type { Fix } from '../types';
import type { K8sObject } from '../source/yaml';
import { get, isMap, isScalar, type YMap } from '../source/ynode';
import { replace } from '../fixes/edits';
import { closeNames } from '../model/routing';
import { clearCandidate } from '../model/schema';
import { scalarText } from './schema-rules';
import { notAmbientForWaypoint, USE_WAYPOINT } from '../model/waypoint';

interface LabelFact {
  name: string;
  resources: string[];
  deprecated?: boolean;
  values?: string[];
}
let facts: Map<string, LabelFact> | undefined;
function labelFacts(): Map<string, LabelFact> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (facts ??= new Map((require('../../docs/istio-labels.json') as { labels: LabelFact[] }).labels.map((l) => [l.name, l])));
}

/** Labels in Istio's domain (`istio.io/...`, `*.istio.io/...`) and the `istio-injection` namespace label. */
function istioLabel(key: string): boolean {
  if (key === 'istio-injection') return true;
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const prefix = key.slice(0, slash);
  return prefix === 'istio.io' || prefix.endsWith('.istio.io');
}

const CLUSTER_SCOPED = new Set(['Namespace', 'GatewayClass']);
const OWN_KINDS = new Set(['Namespace', 'Pod', 'Service', 'ServiceEntry', 'WorkloadEntry', 'Gateway', 'GatewayClass']);
const TEMPLATE: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'metadata'],
  StatefulSet: ['spec', 'template', 'metadata'],
  DaemonSet: ['spec', 'template', 'metadata'],
  ReplicaSet: ['spec', 'template', 'metadata'],
  Job: ['spec', 'template', 'metadata'],
  Rollout: ['spec', 'template', 'metadata'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
};

export default defineRule({
  id: 'istio-bad-label',
  defaultSeverity: 'warning',
  description: 'An Istio label with a value Istio does not act on (`istio-injection: true`, `sidecar.istio.io/inject: yes`, `istio.io/dataplane-mode: sidecar`), a misspelt Istio label name, or a deprecated one (information), per Istio\'s label list.',
  kinds: [...OWN_KINDS, ...Object.keys(TEMPLATE)],
  check({ model, report }) {
    for (const obj of model.objects) {
      // an Istio Gateway is not the Gateway API Gateway the waypoint labels go on
      if (obj.kind === 'Gateway' && obj.group !== 'gateway.networking.k8s.io') continue;
      const own = get(obj.root, 'metadata');
      if (OWN_KINDS.has(obj.kind) && isMap(own)) check(obj, own, `${obj.kind} ${CLUSTER_SCOPED.has(obj.kind) ? obj.name : `${obj.ns}/${obj.name}`}`);
      const tpath = TEMPLATE[obj.kind];
      const tmeta = tpath && get(obj.root, ...tpath);
      if (isMap(tmeta)) check(obj, tmeta, `the pod template of ${obj.kind} ${obj.ns}/${obj.name}`);
    }

    function check(obj: K8sObject, meta: YMap, where: string): void {
      const labels = get(meta, 'labels');
      if (!isMap(labels)) return;
      const known = labelFacts();
      for (const it of labels.items) {
        const key = String(it.key.v);
        if (!istioLabel(key)) continue;
        const fact = known.get(key);
        if (!fact) {
          // only a clear misspelling of a known label: Istio's own installers set further labels of their own
          const close = closeNames(key, [...known.keys()].filter((n) => !labels.items.some((x) => x.key.v === n)));
          const to = clearCandidate(key, close);
          if (!to) continue;
          // the waypoint label on a workload outside ambient mode does nothing once spelt right: say so
          const w = to === USE_WAYPOINT && !(it.value && isScalar(it.value) && String(it.value.v) === 'none') ? model.workloads.find((x) => x.obj === obj) : undefined;
          const then = w && notAmbientForWaypoint(model, w) ? ' (then it has no effect: the workload is not in ambient mode)' : '';
          report({
            file: obj.file,
            start: it.key.start,
            end: it.key.end,
            message: `${where}: unknown Istio label ${key}: Istio's label list has no such name, so Istio ignores it. Did you mean ${to}?`,
            fixes: [{ title: `Rename to ${to}${then}`, edits: [replace(obj.file, it.key.start, it.key.end, scalarText(it.key, to))], preferred: true, ...(then ? { reveals: ['ambient-waypoint-not-ambient'] } : {}) }],
          });
          continue;
        }
        if (fact.deprecated) {
          report({ file: obj.file, start: it.key.start, end: it.key.end, severity: 'information', message: `${where}: the label ${key} is deprecated in Istio's label list and may stop working in a future Istio release.` });
        }
        const v = it.value;
        if (!fact.values || !v || !isScalar(v) || v.v === null) continue;
        const value = String(v.v);
        if (fact.values.includes(value)) continue;
        const lower = fact.values.filter((x) => x === value.toLowerCase());
        const to = lower.length === 1 ? lower[0] : undefined;
        const fixes: Fix[] = to ? [{ title: `Change ${value} to ${to}`, edits: [replace(obj.file, v.start, v.end, v.style === 'plain' ? JSON.stringify(to) : scalarText(v, to))], preferred: true }] : [];
        report({
          file: obj.file,
          start: v.start,
          end: v.end,
          message: `${where}: the label ${key} is "${value}", but Istio acts only on ${fact.values.map((x) => `"${x}"`).join(' or ')}${effect(key)}.`,
          fixes,
        });
      }
    }
  },
});

function effect(key: string): string {
  if (key === 'istio-injection') return ': the injection webhook selects namespaces labelled istio-injection=enabled, so pods here get no sidecar unless another label asks';
  if (key === 'sidecar.istio.io/inject') return ': any other value is as if the label were not set (the namespace decides)';
  if (key === 'istio.io/dataplane-mode') return ': other values are treated as "none", so the workloads are not in ambient mode';
  return ', so this value has no effect';
}
