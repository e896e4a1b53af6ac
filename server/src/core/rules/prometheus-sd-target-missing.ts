import { defineRule } from './rule';
import type { Fix, TextEdit } from '../types';
import type { MeshModel } from '../model/model';
import { prometheusFacts, ScrapeJob, Relabel, SdConfig } from '../model/prometheus';
import { replace } from '../fixes/edits';
import { isMap } from '../source/ynode';

const NS = '__meta_kubernetes_namespace';
const SVC = '__meta_kubernetes_service_name';
/** namespaces whose Services the cluster always has and repositories never declare */
const SYSTEM_NS = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

export default defineRule({
  id: 'prometheus-sd-target-missing',
  defaultSeverity: 'warning',
  description: 'A Prometheus scrape job (role endpoints/service) keeps a Service name that no Service in its namespaces has, so the job has no targets.',
  kinds: ['ConfigMap'],
  check({ model, report }) {
    for (const job of prometheusFacts(model).jobs) {
      for (const sd of job.sd) {
        if (sd.role !== 'endpoints' && sd.role !== 'endpointslice' && sd.role !== 'service') continue;
        const keeps = job.relabels.filter((r) => r.action === 'keep' && r.sources.length > 0 && r.sources.every((s) => s === NS || s === SVC));
        const svcKeeps = keeps.filter((r) => r.sources.includes(SVC));
        if (!svcKeeps.length || keeps.some((r) => !r.regex)) continue;
        const namespaces = jobNamespaces(sd, keeps);
        if (!namespaces || !namespaces.length) continue;
        // every namespace must be one whose Services the workspace shows
        if (!namespaces.every((ns) => !SYSTEM_NS.has(ns) && (model.servicesIn(ns).length > 0 || model.workloadsIn(ns).length > 0))) continue;
        const inNs = namespaces.flatMap((ns) => model.servicesIn(ns));
        const kept = inNs.filter((s) => keeps.every((r) => r.regex!.test(r.sources.map((x) => (x === NS ? s.ns : s.name)).join(r.separator))));
        if (kept.length) continue;
        if (namespaces.includes('default') && svcKeeps.some((r) => r.regex!.test('kubernetes') || r.regex!.test('default;kubernetes'))) continue;
        const r = svcKeeps[0];
        const at = r.regexNode ?? r.sourceNodes[0];
        const names = inNs.map((s) => s.name);
        report({
          file: job.file,
          start: at.start,
          end: at.end,
          message: `Scrape job ${job.name} (role: ${sd.role}) keeps Service name ${JSON.stringify(r.regexText)}, but no Service in namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.join(', ')} matches${names.length ? ` (the workspace has ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''})` : ''}: the job discovers no targets and scrapes nothing. A chart may not create the metrics Service (e.g. Argo CD's *-metrics Services are off by default).`,
          fixes: fixes(model, job, sd, namespaces),
        });
      }
    }
  },
});

function literalNames(r: Relabel): string[] | undefined {
  const t = r.regexText.replace(/^\^?\(?/, '').replace(/\)?\$?$/, '');
  return /^[a-z0-9-]+(\|[a-z0-9-]+)*$/.test(t) ? t.split('|') : undefined;
}

function jobNamespaces(sd: SdConfig, keeps: Relabel[]): string[] | undefined {
  if (sd.namespaces) return sd.namespaces;
  const nsKeep = keeps.find((r) => r.sources.length === 1 && r.sources[0] === NS);
  return nsKeep ? literalNames(nsKeep) : undefined;
}

/**
 * "Scrape pods instead (role: pod)": role pod, keep on the pods' app.kubernetes.io/name of the
 * namespace's workloads that expose a container port named `metrics`, port name metadata renamed.
 */
function fixes(model: MeshModel, job: ScrapeJob, sd: SdConfig, namespaces: string[]): Fix[] {
  if (!job.exact || !sd.roleNode || job.sd.length !== 1) return [];
  const apps = new Set<string>();
  // the pods the new job scrapes, in plaintext from a scraper outside the mesh: STRICT there resets them
  const strict: string[] = [];
  for (const w of model.workloads) {
    if (!namespaces.includes(w.ns)) continue;
    const name = w.podLabels['app.kubernetes.io/name'];
    const ports = w.containers.flatMap((c) => c.ports.filter((p) => p.name === 'metrics'));
    if (name && /^[a-z0-9-]+$/.test(name) && ports.length) {
      apps.add(name);
      if (job.scraper.mesh === 'none' && model.membership(w).mode !== 'none') for (const p of ports) if (model.effectiveMtls(w, p.containerPort).mode === 'STRICT') strict.push(`${w.name} port ${p.containerPort}`);
    }
  }
  if (!apps.size) return [];
  const edits: TextEdit[] = [replace(job.file, sd.roleNode.start, sd.roleNode.end, 'pod')];
  for (const r of job.relabels) {
    r.sourceNodes.forEach((n) => {
      const v = String(n.v);
      if (n.end - n.start !== v.length) return;
      if (v === SVC) edits.push(replace(job.file, n.start, n.end, '__meta_kubernetes_pod_label_app_kubernetes_io_name'));
      else if (v === '__meta_kubernetes_endpoint_port_name' || v === '__meta_kubernetes_service_port_name') edits.push(replace(job.file, n.start, n.end, '__meta_kubernetes_pod_container_port_name'));
    });
    if (r.action === 'keep' && r.sources.includes(SVC)) {
      if (r.sources.length !== 1 || !r.regexNode) return [];
      edits.push(replace(job.file, r.regexNode.start, r.regexNode.end, [...apps].sort().join('|')));
    }
  }
  if (!job.relabels.some((r) => r.sources.some((x) => /_port_name$/.test(x)))) {
    // keep only the metrics port: without it every container port of those pods becomes a target
    const r = job.relabels.find((x) => x.action === 'keep' && x.sources.includes(SVC))!;
    const text = model.text(job.file)!;
    const ls = text.lastIndexOf('\n', r.node.start - 1) + 1;
    const dashIndent = text.slice(ls, r.node.start).replace(/[^ ]/g, ' ');
    const itemIndent = dashIndent.length >= 2 ? dashIndent.slice(0, -2) : '';
    const last = isMap(r.node) ? r.node.items[r.node.items.length - 1] : undefined;
    const endAt = last ? (last.value ?? last.key).end : r.node.end;
    let le = text.indexOf('\n', endAt);
    if (le < 0) le = text.length;
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    edits.push({ file: job.file, start: le, end: le, newText: `${eol}${itemIndent}- source_labels: [__meta_kubernetes_pod_container_port_name]${eol}${dashIndent}action: keep${eol}${dashIndent}regex: metrics` });
  }
  if (strict.length) return [{ title: `Scrape pods instead (role: pod) (then STRICT mTLS rejects these plaintext scrapes: ${strict.slice(0, 3).join(', ')}${strict.length > 3 ? ', ...' : ''})`, edits, reveals: ['strict-mtls-plaintext-client'] }];
  return [{ title: 'Scrape pods instead (role: pod)', edits, preferred: true }];
}
