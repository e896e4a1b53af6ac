import { defineRule } from './rule';
import type { Fix, RelatedInfo } from '../types';
import type { Span } from '../types';
import { EffectiveMtls, MeshModel, Workload, describeObj } from '../model/model';
import { prometheusFacts, Scraper } from '../model/prometheus';
import { plaintextDeniedBy } from '../model/authz';
import { appendDocument, replace } from '../fixes/edits';
import { lineStartAt } from '../text';
import { selectorFor } from './port-level-mtls-without-selector';

/** A plaintext caller: an Ingress backend, an nginx proxy_pass, a Prometheus scrape. */
interface PlainCaller {
  span: Span;
  description: string;
  /** set for Prometheus scrapes */
  scraper?: Scraper;
}

interface Group {
  w: Workload;
  cport: number;
  eff: EffectiveMtls;
  callers: PlainCaller[];
}

export default defineRule({
  id: 'strict-mtls-plaintext-client',
  defaultSeverity: 'error',
  description: 'A workload enforces STRICT mTLS on a port that a caller outside the mesh reaches with plaintext (e.g. ingress-nginx), so those requests fail (502 / connection reset).',
  kinds: ['PeerAuthentication', 'Ingress', 'ConfigMap', 'Service', 'ServiceMonitor', 'PodMonitor', 'Prometheus'],
  check({ model, report }) {
    const groups = new Map<string, Group>();
    const add = (w: Workload, cport: number, c: PlainCaller) => {
      const eff = model.effectiveMtls(w, cport);
      if (eff.mode !== 'STRICT' || !eff.span) return;
      const key = `${eff.span.file}:${eff.span.start}|${w.ns}/${w.name}|${cport}`;
      const g = groups.get(key) ?? { w, cport, eff, callers: [] };
      if (!g.callers.some((x) => x.span.file === c.span.file && x.span.start === c.span.start && x.description === c.description)) g.callers.push(c);
      groups.set(key, g);
    };
    // Prometheus scrapes reach container ports directly (pod IPs); the model knows the exact port
    for (const t of prometheusFacts(model).targets) {
      if (t.scraper.mesh !== 'none') continue;
      if (model.membership(t.workload).mode === 'none') continue;
      add(t.workload, t.containerPort, { span: t.span, description: t.description, scraper: t.scraper });
    }
    for (const c of model.callers()) {
      if (c.mesh !== 'none' || c.kind === 'prometheus') continue;
      for (const w of model.serviceWorkloads(c.service)) {
        const m = model.membership(w).mode;
        if (m === 'none') continue; // plaintext to a workload outside the mesh is fine
        const ports = c.port !== undefined ? c.service.ports.filter((p) => p.port === c.port) : c.service.ports;
        for (const p of ports) {
          const cport = model.containerPort(c.service, p, w);
          if (cport === undefined) continue;
          add(w, cport, { span: c.span, description: c.description });
        }
      }
    }
    for (const g of groups.values()) {
      const { w, cport, eff } = g;
      const uncertain = model.membership(w).mode === 'unknown';
      // creation order of same-scope policies unknown and another one would not be STRICT: say so, at information level
      const orderUnknown = eff.uncertain;
      const where = eff.scope === 'port' ? `port-level setting of ${eff.policy!.obj.name}` : eff.scope === 'workload' ? `workload policy ${eff.policy!.obj.name}` : eff.scope === 'namespace' ? `namespace policy ${eff.policy!.ns}/${eff.policy!.obj.name}` : `mesh-wide policy ${eff.policy!.ns}/${eff.policy!.obj.name}`;
      const callers = [...new Set(g.callers.map((c) => c.description))].join('; ');
      const related: RelatedInfo[] = g.callers.map((c) => ({ span: c.span, message: `plaintext caller: ${c.description}` }));
      const scrape = g.callers.every((c) => c.scraper);
      const symptom = scrape ? `its scrapes fail (connection reset by peer)` : `clients see 502 / connection reset`;
      related.push({ span: { file: w.obj.file, start: w.obj.root.start, end: w.obj.root.start }, message: `${describeObj(w.obj)} (${model.membership(w).reason})` });
      report({
        file: eff.span!.file,
        start: eff.span!.start,
        end: eff.span!.end,
        severity: orderUnknown ? 'information' : uncertain ? 'warning' : undefined,
        message: `STRICT mTLS (${where}) on port ${cport} of ${w.kind} ${w.ns}/${w.name}${uncertain ? ' (if it runs in the mesh)' : ''}, but ${callers} sends plaintext there: ${model.membership(w).mode === 'ambient' ? 'ztunnel' : 'the sidecar'} rejects it and ${symptom}. Callers outside the mesh have no mTLS identity.${orderUnknown ? ` meshlint cannot tell which policy Istio applies: ${orderUnknown}.` : ''}`,
        related,
        fixes: fixes(model, g),
      });
    }
  },
});

function fixes(model: MeshModel, g: Group): Fix[] {
  const { w, cport, eff } = g;
  const out: Fix[] = [];
  // PERMISSIVE lets the plaintext through to authorization: say when an AuthorizationPolicy then denies it
  const denied = plaintextDeniedBy(model, w);
  const then = (f: Fix): Fix => (denied ? { ...f, title: `${f.title} (then AuthorizationPolicy ${denied.policy.obj.name} denies these plaintext callers)`, reveals: ['authz-plaintext-denied'] } : f);
  const scrape = g.callers.every((c) => c.scraper);
  for (const c of g.callers) {
    const f = c.scraper && removeOptOut(model, c.scraper);
    if (f && !out.some((x) => x.title === f.title)) out.push(f);
  }
  const permissiveTitle = scrape ? 'Set PERMISSIVE for the scraped port' : `Set PERMISSIVE for port ${cport} of ${w.name}`;
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
      out.push(then({ title: permissiveTitle, edits: [appendDocument(text, pa.obj.file, doc)], preferred: !scrape }));
    }
    out.push(then({ title: eff.scope === 'namespace' ? 'Set namespace policy to PERMISSIVE' : 'Set mesh-wide policy to PERMISSIVE', edits: [replace(pa.obj.file, eff.span!.start, eff.span!.end, 'PERMISSIVE')] }));
  } else if (eff.scope === 'workload') {
    out.push(then({ title: `Set ${pa.obj.name} to PERMISSIVE`, edits: [replace(pa.obj.file, eff.span!.start, eff.span!.end, 'PERMISSIVE')], preferred: true }));
  } else {
    out.push(then({ title: permissiveTitle, edits: [replace(pa.obj.file, eff.span!.start, eff.span!.end, 'PERMISSIVE')], preferred: !scrape }));
  }
  if (!out.some((f) => f.preferred) && out.length) out[0].preferred = true;
  return out;
}

/**
 * "Remove istio.io/dataplane-mode: none" from the Prometheus pod template, offered only when the
 * namespace enrols its pods in ambient (then ztunnel gives the scrapes mTLS). Deletes the whole
 * label line, so the YAML stays valid.
 */
function removeOptOut(model: MeshModel, sc: Scraper): Fix | undefined {
  const m = sc.membership;
  if (!m || m.key !== 'istio.io/dataplane-mode' || m.on !== 'pod' || !m.span || sc.workloads.length !== 1) return undefined;
  const w = sc.workloads[0];
  if (model.namespaceLabels(w.ns)?.['istio.io/dataplane-mode'] !== 'ambient') return undefined;
  const text = model.text(m.span.file);
  if (!text) return undefined;
  const ls = lineStartAt(text, m.span.start);
  if (text.slice(ls, m.span.start).trim() !== '') return undefined;
  let le = text.indexOf('\n', m.span.end);
  if (le < 0) le = text.length;
  if (!/^\s*(#.*)?$/.test(text.slice(m.span.end, le).replace(/\r$/, ''))) return undefined;
  const end = le < text.length ? le + 1 : le;
  return { title: 'Remove istio.io/dataplane-mode: none', edits: [replace(m.span.file, ls, end, '')] };
}
