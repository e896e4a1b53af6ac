/**
 * Prometheus facts for the mesh model: who scrapes which workload port, and whether the scraper
 * is in the mesh. Sources:
 *  - prometheus.yml scrape jobs (a ConfigMap data key, or a standalone file): kubernetes_sd_configs
 *    (roles pod / endpoints / service, `namespaces.names`, keep/drop relabels on metadata the
 *    workspace can show) and static_configs targets `svc.ns.svc:port`;
 *  - `prometheus.io/scrape: "true"` annotations, scraped by a Prometheus workload whose config the
 *    workspace does not show;
 *  - ServiceMonitor / PodMonitor (monitoring.coreos.com), scraped by the Prometheus CRs that select them.
 * Everything it cannot evaluate (a relabel on metadata it does not know, a regex it cannot read)
 * makes that job's target set unknown: no targets rather than guessed ones.
 * Targets that a Service backs are also contributed to `model.extraCallers` (kind 'prometheus').
 */
import { parseDocument, isMap as yIsMap, isSeq as yIsSeq, isScalar as yIsScalar, isPair } from 'yaml';
import type { Node as YamlNode, Scalar } from 'yaml';
import type { K8sObject } from '../source/yaml';
import type { Span } from '../types';
import { YNode, YScalar, get, str, num, seq, strMap, mapEntries, isMap, isScalar, isSeq, yscalar, ymap, yseq, ypair } from '../source/ynode';
import { decodeYamlScalar } from '../source/nginx/embedded';
import { MeshModel, Service, Workload, MeshMode, Membership, Caller, selects } from './model';

export interface Relabel {
  sources: string[];
  action: string;
  regexText: string;
  regex?: RegExp;
  separator: string;
  targetLabel?: string;
  node: YNode;
  regexNode?: YScalar;
  sourceNodes: YScalar[];
}

export interface SdConfig {
  role: string;
  roleNode?: YScalar;
  /** undefined: all namespaces */
  namespaces?: string[];
}

export interface ScrapeJob {
  file: string;
  name: string;
  nameNode?: YScalar;
  node: YNode;
  /** text edits are safe (the offsets map exactly into the file) */
  exact: boolean;
  configMap?: K8sObject;
  /** the Prometheus server running this config */
  scraper: Scraper;
  sd: SdConfig[];
  relabels: Relabel[];
  staticTargets: { host: string; port?: number; node: YScalar }[];
  /** the job talks Istio mTLS itself (scheme https with Istio certificates) */
  istioTls: boolean;
}

export interface Scraper {
  workloads: Workload[];
  mesh: MeshMode;
  membership?: Membership;
  ns?: string;
  description: string;
  /** the Prometheus CR, for operator-managed servers */
  cr?: K8sObject;
}

export interface ScrapeTarget {
  workload: Workload;
  containerPort: number;
  service?: Service;
  servicePort?: number;
  scraper: Scraper;
  /** where the scrape is configured (job name, annotation, ServiceMonitor endpoint) */
  span: Span;
  description: string;
  job?: ScrapeJob;
}

export interface PrometheusFacts {
  jobs: ScrapeJob[];
  targets: ScrapeTarget[];
}

const cache = new WeakMap<MeshModel, PrometheusFacts>();

export function prometheusFacts(model: MeshModel): PrometheusFacts {
  let f = cache.get(model);
  if (!f) {
    f = build(model);
    cache.set(model, f);
  }
  return f;
}

// ---------- reading prometheus.yml ----------

/** Convert a `yaml` node of a decoded embedded text to a YNode with offsets in the file. */
function convert(node: unknown, toFile: (o: number) => number, budget: { n: number }): YNode | null {
  if (node == null || --budget.n < 0) return null;
  const r = (node as YamlNode).range ?? [0, 0, 0];
  const s = toFile(r[0]);
  const e = Math.max(s, toFile(r[1]));
  if (yIsScalar(node)) {
    let v = (node as Scalar).value as unknown;
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') v = String(v);
    return yscalar(v as YScalar['v'], s, e, 'plain');
  }
  if (yIsMap(node)) {
    const items = [];
    for (const p of node.items) {
      if (!isPair(p)) continue;
      const k = convert(p.key, toFile, budget);
      if (!k || k.t !== 's') continue;
      items.push(ypair(k, convert(p.value, toFile, budget)));
    }
    return ymap(items, s, e, !!node.flow);
  }
  if (yIsSeq(node)) {
    const items: YNode[] = [];
    for (const it of node.items) {
      const c = convert(it, toFile, budget);
      if (c) items.push(c);
    }
    return yseq(items, s, e, !!node.flow);
  }
  return null;
}

function parseConfig(text: string, toFile: (o: number) => number): YNode | undefined {
  try {
    const d = parseDocument(text, { uniqueKeys: false, strict: false });
    if (d.errors.length) return undefined;
    return convert(d.contents, toFile, { n: 200_000 }) ?? undefined;
  } catch {
    return undefined;
  }
}

function anchored(re: string): RegExp | undefined {
  try {
    // Prometheus regexes are RE2 and fully anchored
    return new RegExp(`^(?:${re})$`);
  } catch {
    return undefined;
  }
}

function readJobs(root: YNode, file: string, exact: boolean, scraper: Scraper, configMap?: K8sObject): ScrapeJob[] {
  const jobs: ScrapeJob[] = [];
  for (const j of seq(root, 'scrape_configs')) {
    const nameNode = get(j, 'job_name');
    const sd: SdConfig[] = seq(j, 'kubernetes_sd_configs').map((c) => {
      const rn = get(c, 'role');
      const names = seq(c, 'namespaces', 'names').map((n) => (isScalar(n) ? String(n.v) : '')).filter(Boolean);
      const own = str(c, 'namespaces', 'own_namespace') === 'true';
      const namespaces = names.length || own ? [...names, ...(own && scraper.ns ? [scraper.ns] : [])] : undefined;
      return { role: (str(c, 'role') ?? '').toLowerCase(), roleNode: isScalar(rn) ? rn : undefined, namespaces };
    });
    const relabels: Relabel[] = seq(j, 'relabel_configs').map((rc) => {
      const srcNodes = seq(rc, 'source_labels').filter(isScalar) as YScalar[];
      const regexText = str(rc, 'regex') ?? '(.*)';
      const rg = get(rc, 'regex');
      return {
        sources: srcNodes.map((n) => String(n.v)),
        action: (str(rc, 'action') ?? 'replace').toLowerCase(),
        regexText,
        regex: anchored(regexText),
        separator: str(rc, 'separator') ?? ';',
        targetLabel: str(rc, 'target_label'),
        node: rc,
        regexNode: isScalar(rg) ? rg : undefined,
        sourceNodes: srcNodes,
      };
    });
    const staticTargets: ScrapeJob['staticTargets'] = [];
    for (const sc of seq(j, 'static_configs')) {
      for (const t of seq(sc, 'targets')) {
        if (!isScalar(t) || typeof t.v !== 'string') continue;
        const m = /^([a-z0-9.-]+)(?::(\d+))?$/i.exec(t.v.trim());
        if (m) staticTargets.push({ host: m[1], port: m[2] ? Number(m[2]) : undefined, node: t });
      }
    }
    const scheme = str(j, 'scheme');
    const cert = str(j, 'tls_config', 'cert_file') ?? '';
    jobs.push({
      file,
      name: str(j, 'job_name') ?? '',
      nameNode: isScalar(nameNode) ? nameNode : undefined,
      node: j,
      exact,
      configMap,
      scraper,
      sd,
      relabels,
      staticTargets,
      istioTls: scheme === 'https' && /istio/.test(cert),
    });
  }
  return jobs;
}

const PROM_IMAGE = /(^|\/)prom(etheus)?\/prometheus(:|@|$)|(^|\/)prometheus\/prometheus(:|@|$)/;

function scraperOf(model: MeshModel, workloads: Workload[], ns: string | undefined, what: string): Scraper {
  if (!workloads.length) return { workloads, mesh: 'unknown', ns, description: what };
  const ms = workloads.map((w) => model.membership(w));
  const modes = new Set(ms.map((m) => m.mode));
  const mesh = modes.size === 1 ? [...modes][0] : 'unknown';
  const names = workloads.map((w) => `${w.kind} ${w.ns}/${w.name}`).join(', ');
  return { workloads, mesh, membership: mesh !== 'unknown' ? ms[0] : undefined, ns, description: `Prometheus ${names}${mesh === 'none' ? ` (outside the mesh: ${ms[0].reason})` : ''}` };
}

// ---------- evaluating targets ----------

function sanitize(k: string): string {
  return k.replace(/[^a-zA-Z0-9_]/g, '_');
}

type Meta = Map<string, string>;

function addMap(meta: Meta, prefix: string, m: Record<string, string>): void {
  for (const [k, v] of Object.entries(m)) {
    meta.set(`${prefix}_${sanitize(k)}`, v);
    meta.set(`${prefix}present_${sanitize(k)}`, 'true');
  }
}

/** Labels a meta-prefix can produce (anything else under these prefixes is absent: empty string). */
const KNOWN_PREFIXES = ['__meta_kubernetes_pod_label', '__meta_kubernetes_pod_annotation', '__meta_kubernetes_service_label', '__meta_kubernetes_service_annotation', '__meta_kubernetes_pod_labelpresent', '__meta_kubernetes_pod_annotationpresent', '__meta_kubernetes_service_labelpresent', '__meta_kubernetes_service_annotationpresent'];

/** keep/drop decision: true keep, false drop, undefined unknown. */
function passes(job: ScrapeJob, meta: Meta, knownKeys: Set<string>): boolean | undefined {
  for (const r of job.relabels) {
    if (r.action !== 'keep' && r.action !== 'drop') continue;
    if (!r.regex) return undefined;
    const vals: string[] = [];
    for (const s of r.sources) {
      if (meta.has(s)) vals.push(meta.get(s)!);
      else if (knownKeys.has(s) || KNOWN_PREFIXES.some((p) => s.startsWith(p + '_'))) vals.push('');
      else return undefined;
    }
    const hit = r.regex.test(vals.join(r.separator));
    if (r.action === 'keep' && !hit) return false;
    if (r.action === 'drop' && hit) return false;
  }
  return true;
}

/** the job rewrites the port from the prometheus.io/port annotation */
function annotationPort(job: ScrapeJob, kind: 'pod' | 'service'): boolean {
  return job.relabels.some((r) => r.targetLabel === '__address__' && r.sources.some((s) => s === `__meta_kubernetes_${kind}_annotation_prometheus_io_port`));
}

/** the job keeps targets on the POD prometheus.io/scrape annotation (the one metrics merging rewrites) */
function usesPodScrapeAnnotation(job: ScrapeJob): boolean {
  return job.relabels.some((r) => r.action === 'keep' && r.sources.some((s) => /^__meta_kubernetes_pod_annotation(present)?_prometheus_io_scrape$/.test(s)));
}

const POD_KEYS = new Set(['__meta_kubernetes_namespace', '__meta_kubernetes_pod_phase', '__meta_kubernetes_pod_ready', '__meta_kubernetes_pod_controller_kind', '__meta_kubernetes_pod_container_port_name', '__meta_kubernetes_pod_container_port_number', '__meta_kubernetes_pod_container_name', '__meta_kubernetes_pod_container_init']);
const SVC_KEYS = new Set(['__meta_kubernetes_namespace', '__meta_kubernetes_service_name', '__meta_kubernetes_service_port_name', '__meta_kubernetes_service_port_number', '__meta_kubernetes_service_port_protocol', '__meta_kubernetes_endpoint_port_name', '__meta_kubernetes_endpoint_port_protocol', '__meta_kubernetes_endpoints_name']);

function podMeta(w: Workload): Meta {
  // the steady state of a healthy pod
  const m: Meta = new Map([
    ['__meta_kubernetes_namespace', w.ns],
    ['__meta_kubernetes_pod_phase', 'Running'],
    ['__meta_kubernetes_pod_ready', 'true'],
    ['__meta_kubernetes_pod_controller_kind', w.kind === 'Deployment' ? 'ReplicaSet' : w.kind === 'CronJob' ? 'Job' : w.kind],
  ]);
  addMap(m, '__meta_kubernetes_pod_label', w.podLabels);
  addMap(m, '__meta_kubernetes_pod_annotation', w.podAnnotations);
  return m;
}

function svcMeta(s: Service): Meta {
  const m: Meta = new Map([
    ['__meta_kubernetes_namespace', s.ns],
    ['__meta_kubernetes_service_name', s.name],
    ['__meta_kubernetes_endpoints_name', s.name],
  ]);
  addMap(m, '__meta_kubernetes_service_label', s.obj.labels);
  addMap(m, '__meta_kubernetes_service_annotation', s.obj.annotations);
  return m;
}

/**
 * Istio's metrics merging (`pkg/kube/inject` `applyPrometheusMerge`): at injection, a sidecar pod's
 * `prometheus.io/*` POD annotations are rewritten to the agent's plaintext port 15020
 * (`/stats/prometheus`), unless `prometheus.io/scrape: "false"`, the pod annotation
 * `prometheus.istio.io/merge-metrics` says otherwise, or meshConfig `enablePrometheusMerge: false`.
 * Service annotations are never rewritten.
 */
function mergedBySidecar(model: MeshModel, w: Workload): boolean {
  if (model.membership(w).mode !== 'sidecar') return false;
  if ((w.podAnnotations['prometheus.io/scrape'] ?? '').toLowerCase() === 'false') return false;
  const anno = w.podAnnotations['prometheus.istio.io/merge-metrics']?.toLowerCase();
  if (anno === 'true' || anno === 'false') return anno === 'true';
  return model.meshConfig.enablePrometheusMerge;
}

function jobTargets(model: MeshModel, job: ScrapeJob): ScrapeTarget[] {
  const out: ScrapeTarget[] = [];
  if (job.istioTls) return out;
  const span: Span = job.nameNode ? { file: job.file, start: job.nameNode.start, end: job.nameNode.end } : { file: job.file, start: job.node.start, end: job.node.start };
  const description = `Prometheus scrape job ${job.name} (${job.scraper.description})`;
  const viaAnnotation = usesPodScrapeAnnotation(job);
  // the address comes from the pod's prometheus.io/port only (merging rewrote it to 15020)
  const podPortOnly = annotationPort(job, 'pod') && !annotationPort(job, 'service');
  const nsOk = (ns: string, sd: SdConfig) => !sd.namespaces || sd.namespaces.includes(ns);
  for (const sd of job.sd) {
    if (sd.role === 'pod') {
      for (const w of model.workloads) {
        if (!nsOk(w.ns, sd)) continue;
        if ((viaAnnotation || podPortOnly) && mergedBySidecar(model, w)) continue;
        const base = podMeta(w);
        const annPort = annotationPort(job, 'pod') ? Number(w.podAnnotations['prometheus.io/port']) || undefined : undefined;
        const ports = new Set<number>();
        for (const c of w.containers) {
          for (const p of c.ports) {
            const m = new Map(base);
            m.set('__meta_kubernetes_pod_container_name', c.name);
            m.set('__meta_kubernetes_pod_container_port_name', p.name ?? '');
            m.set('__meta_kubernetes_pod_container_port_number', String(p.containerPort));
            m.set('__meta_kubernetes_pod_container_init', 'false');
            if (passes(job, m, POD_KEYS) === true) ports.add(annPort ?? p.containerPort);
          }
        }
        for (const port of ports) out.push({ workload: w, containerPort: port, scraper: job.scraper, span, description, job });
      }
    } else if (sd.role === 'endpoints' || sd.role === 'endpointslice' || sd.role === 'service') {
      for (const s of model.services) {
        if (!nsOk(s.ns, sd)) continue;
        for (const p of s.ports) {
          const sm = svcMeta(s);
          sm.set('__meta_kubernetes_service_port_name', p.name ?? '');
          sm.set('__meta_kubernetes_service_port_number', String(p.port));
          sm.set('__meta_kubernetes_service_port_protocol', p.protocol ?? 'TCP');
          sm.set('__meta_kubernetes_endpoint_port_name', p.name ?? '');
          sm.set('__meta_kubernetes_endpoint_port_protocol', p.protocol ?? 'TCP');
          for (const w of model.serviceWorkloads(s)) {
            if ((viaAnnotation || podPortOnly) && mergedBySidecar(model, w)) continue;
            const m = new Map([...sm, ...(sd.role === 'service' ? [] : podMeta(w))]);
            const keys = new Set([...SVC_KEYS, ...(sd.role === 'service' ? [] : POD_KEYS)]);
            if (passes(job, m, keys) !== true) continue;
            let cport = model.containerPort(s, p, w);
            const ann = sd.role === 'service' ? s.obj.annotations['prometheus.io/port'] : s.obj.annotations['prometheus.io/port'] ?? w.podAnnotations['prometheus.io/port'];
            if (ann && (annotationPort(job, 'service') || annotationPort(job, 'pod'))) {
              const a = Number(ann);
              if (!a) continue;
              // the annotation names a service port for role service, a pod port for endpoints
              const sp = sd.role === 'service' ? s.ports.find((x) => x.port === a) : undefined;
              cport = sp ? model.containerPort(s, sp, w) : a;
            }
            if (cport === undefined) continue;
            out.push({ workload: w, containerPort: cport, service: s, servicePort: p.port, scraper: job.scraper, span, description, job });
          }
        }
      }
    }
  }
  for (const t of job.staticTargets) {
    const res = model.resolveHost(t.host, job.scraper.ns);
    const s = res.service;
    if (!s || t.port === undefined) continue;
    const p = s.ports.find((x) => x.port === t.port);
    if (!p) continue;
    for (const w of model.serviceWorkloads(s)) {
      const cport = model.containerPort(s, p, w);
      if (cport === undefined) continue;
      out.push({ workload: w, containerPort: cport, service: s, servicePort: p.port, scraper: job.scraper, span: { file: job.file, start: t.node.start, end: t.node.end }, description: `Prometheus scrape job ${job.name} target ${t.host}:${t.port} (${job.scraper.description})`, job });
    }
  }
  return out;
}

// ---------- Prometheus Operator ----------

function labelSelectorMatches(sel: YNode | undefined, labels: Record<string, string>): boolean | undefined {
  if (!sel) return undefined;
  if (!isMap(sel)) return undefined;
  if (get(sel, 'matchExpressions')) return undefined;
  const ml = strMap(sel, 'matchLabels');
  return Object.keys(ml).length === 0 ? true : selects(ml, labels);
}

function operatorScrapers(model: MeshModel): { cr: K8sObject; scraper: Scraper }[] {
  const out: { cr: K8sObject; scraper: Scraper }[] = [];
  for (const cr of model.kind('Prometheus')) {
    if (cr.group !== 'monitoring.coreos.com') continue;
    const labels = strMap(cr.root, 'spec', 'podMetadata', 'labels');
    const annotations = strMap(cr.root, 'spec', 'podMetadata', 'annotations');
    // a stand-in workload for the operator's StatefulSet, to ask the model about mesh membership
    const w: Workload = { obj: cr, kind: 'Prometheus', name: cr.name, ns: cr.ns, podLabels: labels, podAnnotations: annotations, templatePath: ['spec', 'podMetadata', '__none__'], containers: [], serviceAccount: 'default', configMaps: [] };
    const m = model.membership(w);
    out.push({ cr, scraper: { workloads: [], mesh: m.mode, membership: m, ns: cr.ns, cr, description: `Prometheus ${cr.ns}/${cr.name}${m.mode === 'none' ? ` (outside the mesh: ${m.reason})` : ''}` } });
  }
  return out;
}

function monitorTargets(model: MeshModel): ScrapeTarget[] {
  const out: ScrapeTarget[] = [];
  const scrapers = operatorScrapers(model);
  if (!scrapers.length) return out;
  for (const mon of [...model.kind('ServiceMonitor'), ...model.kind('PodMonitor')]) {
    if (mon.group !== 'monitoring.coreos.com') continue;
    const isPod = mon.kind === 'PodMonitor';
    const selectedBy = scrapers.filter(({ cr }) => {
      const sel = get(cr.root, 'spec', isPod ? 'podMonitorSelector' : 'serviceMonitorSelector');
      const nsSel = get(cr.root, 'spec', isPod ? 'podMonitorNamespaceSelector' : 'serviceMonitorNamespaceSelector');
      if (labelSelectorMatches(sel, mon.labels) !== true) return false; // nil selects none
      if (!nsSel) return mon.ns === cr.ns;
      const nsLabels = model.namespaceLabels(mon.ns);
      const r = labelSelectorMatches(nsSel, nsLabels ?? {});
      return r === true && (nsLabels !== undefined || Object.keys(strMap(nsSel, 'matchLabels')).length === 0);
    });
    for (const { scraper } of selectedBy) {
      const spec = get(mon.root, 'spec');
      if (get(spec, 'selector', 'matchExpressions')) continue;
      const sel = strMap(spec, 'selector', 'matchLabels');
      const any = str(spec, 'namespaceSelector', 'any') === 'true';
      const names = seq(spec, 'namespaceSelector', 'matchNames').map((n) => (isScalar(n) ? String(n.v) : '')).filter(Boolean);
      const nsOk = (ns: string) => any || (names.length ? names.includes(ns) : ns === mon.ns);
      const endpoints = seq(spec, isPod ? 'podMetricsEndpoints' : 'endpoints');
      const desc = `${mon.kind} ${mon.ns}/${mon.name} (${scraper.description})`;
      for (const ep of endpoints) {
        if (str(ep, 'scheme') === 'https' && /istio/.test(str(ep, 'tlsConfig', 'certFile') ?? '')) continue;
        const portName = str(ep, 'port');
        const targetPort = get(ep, 'targetPort') ?? get(ep, 'portNumber');
        const epNode = get(ep, 'port') ?? ep;
        const span: Span = { file: mon.file, start: epNode.start, end: epNode.end };
        if (isPod) {
          for (const w of model.workloads) {
            if (!nsOk(w.ns) || !Object.keys(sel).length || !selects(sel, w.podLabels)) continue;
            let cport: number | undefined;
            if (portName) {
              for (const c of w.containers) for (const p of c.ports) if (p.name === portName) cport = p.containerPort;
            } else if (isScalar(targetPort) && typeof targetPort.v === 'number') cport = targetPort.v;
            if (cport !== undefined) out.push({ workload: w, containerPort: cport, scraper, span, description: desc });
          }
        } else {
          for (const s of model.services) {
            if (!nsOk(s.ns) || !Object.keys(sel).length || !selects(sel, s.obj.labels)) continue;
            const p = portName ? s.ports.find((x) => x.name === portName) : undefined;
            for (const w of model.serviceWorkloads(s)) {
              let cport: number | undefined;
              if (p) cport = model.containerPort(s, p, w);
              else if (isScalar(targetPort)) {
                const tv = targetPort.v;
                if (typeof tv === 'number') cport = tv;
                else if (typeof tv === 'string') for (const c of w.containers) for (const cp of c.ports) if (cp.name === tv) cport = cp.containerPort;
              }
              if (cport !== undefined) out.push({ workload: w, containerPort: cport, service: s, servicePort: p?.port, scraper, span, description: desc });
            }
          }
        }
      }
    }
  }
  return out;
}

// ---------- annotations with a Prometheus whose config is not in the workspace ----------

function annotationTargets(model: MeshModel, scrapers: Scraper[]): ScrapeTarget[] {
  const out: ScrapeTarget[] = [];
  if (!scrapers.length) return out;
  const scraper = scrapers[0];
  const scrapeOn = (a: Record<string, string>) => a['prometheus.io/scrape'] === 'true';
  for (const w of model.workloads) {
    if (!scrapeOn(w.podAnnotations) || mergedBySidecar(model, w)) continue;
    const port = Number(w.podAnnotations['prometheus.io/port']) || undefined;
    const ports = port ? [port] : w.containers.flatMap((c) => c.ports.map((p) => p.containerPort));
    const ann = annotationNode(w, 'prometheus.io/scrape');
    for (const cp of new Set(ports)) out.push({ workload: w, containerPort: cp, scraper, span: ann ?? { file: w.obj.file, start: w.obj.root.start, end: w.obj.root.start }, description: `Prometheus (annotation prometheus.io/scrape on ${w.kind} ${w.name}; ${scraper.description})` });
  }
  for (const s of model.services) {
    if (!scrapeOn(s.obj.annotations)) continue;
    const port = Number(s.obj.annotations['prometheus.io/port']) || undefined;
    const sps = port ? s.ports.filter((p) => p.port === port) : s.ports;
    const ap = mapEntries(s.obj.root, 'metadata', 'annotations').find((p) => String(p.key.v) === 'prometheus.io/scrape');
    const span: Span = ap ? { file: s.obj.file, start: ap.key.start, end: ap.value ? ap.value.end : ap.key.end } : { file: s.obj.file, start: s.obj.root.start, end: s.obj.root.start };
    for (const p of sps) {
      // metrics merging rewrites pod annotations only: a scrape keyed on the Service's still reaches the app port
      for (const w of model.serviceWorkloads(s)) {
        const cport = model.containerPort(s, p, w);
        if (cport !== undefined) out.push({ workload: w, containerPort: cport, service: s, servicePort: p.port, scraper, span, description: `Prometheus (annotation prometheus.io/scrape on Service ${s.name}; ${scraper.description})` });
      }
    }
  }
  return out;
}

function annotationNode(w: Workload, key: string): Span | undefined {
  const base = w.templatePath.length ? get(w.obj.root, ...w.templatePath, 'metadata', 'annotations') : get(w.obj.root, 'metadata', 'annotations');
  const p = mapEntries(base).find((x) => String(x.key.v) === key);
  return p ? { file: w.obj.file, start: p.key.start, end: p.value ? p.value.end : p.key.end } : undefined;
}

// ---------- build ----------

const CONFIG_KEY = /(^|[-_.])prometheus[^/]*\.ya?ml$/i;

function build(model: MeshModel): PrometheusFacts {
  const jobs: ScrapeJob[] = [];
  const promWorkloads = model.workloads.filter((w) => w.containers.some((c) => c.image && PROM_IMAGE.test(c.image)));
  const configured = new Set<Workload>();
  for (const cm of model.kind('ConfigMap')) {
    if (cm.group !== '') continue;
    const text = model.text(cm.file);
    if (!text) continue;
    for (const p of mapEntries(cm.root, 'data')) {
      const v = p.value;
      const key = String(p.key.v);
      if (!isScalar(v) || typeof v.v !== 'string' || !/(^|\n)scrape_configs:/.test(v.v)) continue;
      if (!CONFIG_KEY.test(key) && !/\.ya?ml$/i.test(key)) continue;
      const dec = decodeYamlScalar(text, v.start, v.end);
      if (!dec) continue;
      const root = parseConfig(dec.text, dec.toFile);
      if (!root) continue;
      const ws = model.workloadsIn(cm.ns).filter((w) => w.configMaps.includes(cm.name));
      for (const w of ws) configured.add(w);
      const scraper = scraperOf(model, ws, cm.ns, `ConfigMap ${cm.ns}/${cm.name}`);
      jobs.push(...readJobs(root, cm.file, dec.exact, scraper, cm));
    }
  }
  for (const file of model.files) {
    if (!/\.ya?ml$/i.test(file) || !/prometheus/i.test(file.slice(file.lastIndexOf('/') + 1))) continue;
    const text = model.text(file)!;
    if (!/^scrape_configs:/m.test(text) || /^kind:/m.test(text)) continue;
    const root = parseConfig(text, (o) => o);
    if (!root) continue;
    // a standalone file runs in the Prometheus server of the workspace when there is exactly one
    const unconfigured = promWorkloads.filter((w) => !configured.has(w));
    const ws = unconfigured.length === 1 ? unconfigured : [];
    for (const w of ws) configured.add(w);
    jobs.push(...readJobs(root, file, true, scraperOf(model, ws, ws[0]?.ns, file), undefined));
  }
  const targets: ScrapeTarget[] = [];
  for (const j of jobs) targets.push(...jobTargets(model, j));
  targets.push(...monitorTargets(model));
  const blind = promWorkloads.filter((w) => !configured.has(w)).map((w) => scraperOf(model, [w], w.ns, `${w.kind} ${w.name}`));
  targets.push(...annotationTargets(model, blind));

  const seen = new Set<string>();
  for (const t of targets) {
    if (!t.service) continue;
    const k = `${t.service.ns}/${t.service.name}|${t.servicePort}|${t.span.file}:${t.span.start}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const c: Caller = { kind: 'prometheus', span: t.span, service: t.service, port: t.servicePort, from: t.scraper.workloads, mesh: t.scraper.mesh, description: t.description };
    model.extraCallers.push(c);
  }
  return { jobs, targets };
}

export { isSeq, num };
