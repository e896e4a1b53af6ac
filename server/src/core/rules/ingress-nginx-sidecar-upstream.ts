import { defineRule } from './rule';
import type { Fix, TextEdit } from '../types';
import type { K8sObject } from '../source/yaml';
import { MeshModel, Service, ServicePort, objSpan } from '../model/model';
import { get, seq, str, num, pair, isMap, isScalar } from '../source/ynode';
import { eolOf, indentAt, lineStartAt } from '../text';
import { portProtocol } from '../model/protocol';

const SERVICE_UPSTREAM = 'nginx.ingress.kubernetes.io/service-upstream';
const UPSTREAM_VHOST = 'nginx.ingress.kubernetes.io/upstream-vhost';

type Proto = 'http' | 'tcp' | 'auto';

/** http: routed by Host; tcp: opaque; auto: sniffed (its own listener and route: any Host). model/protocol.ts. */
function protoOf(p: ServicePort | undefined): Proto {
  if (!p) return 'auto';
  const c = portProtocol(p).cls;
  return c === 'http' ? 'http' : c === 'sniffed' ? 'auto' : 'tcp';
}

interface Backend {
  svc: Service;
  proto: Proto;
}

/** The Services (and the protocol of the port) an Ingress routes to: default backend and every rule path. */
function backends(model: MeshModel, ing: K8sObject): Backend[] {
  const out: Backend[] = [];
  const add = (b: unknown) => {
    if (!b) return;
    const name = str(b as never, 'service', 'name') ?? str(b as never, 'serviceName');
    const s = name ? model.service(ing.ns, name) : undefined;
    if (!s) return;
    const pnum = num(b as never, 'service', 'port', 'number') ?? num(b as never, 'servicePort');
    const pname = str(b as never, 'service', 'port', 'name') ?? (pnum === undefined ? str(b as never, 'servicePort') : undefined);
    const port = s.ports.find((p) => (pnum !== undefined ? p.port === pnum : p.name === pname));
    const proto = protoOf(port);
    if (!out.some((x) => x.svc === s && x.proto === proto)) out.push({ svc: s, proto });
  };
  add(get(ing.root, 'spec', 'defaultBackend'));
  add(get(ing.root, 'spec', 'backend'));
  for (const r of seq(ing.root, 'spec', 'rules')) for (const p of seq(r, 'http', 'paths')) add(get(p, 'backend'));
  return out;
}

/**
 * Minimal text edits setting annotations on an object: an existing key gets its value replaced, a
 * missing one is added as a line of the block `annotations:` map (created under `metadata:` when absent).
 * undefined when the layout is not block style (flow maps): no fix then.
 */
function setAnnotations(text: string, o: K8sObject, values: [string, string][]): TextEdit[] | undefined {
  const meta = get(o.root, 'metadata');
  if (!isMap(meta) || meta.flow || !meta.items.length) return undefined;
  const eol = eolOf(text);
  const edits: TextEdit[] = [];
  const ann = pair(meta, 'annotations');
  const missing: [string, string][] = [];
  for (const [k, v] of values) {
    const p = ann && isMap(ann.value) ? pair(ann.value, k) : undefined;
    if (p && isScalar(p.value)) {
      if (String(p.value.v) !== v) edits.push({ file: o.file, start: p.value.start, end: p.value.end, newText: JSON.stringify(v) });
    } else if (p) return undefined;
    else missing.push([k, v]);
  }
  if (!missing.length) return edits;
  const line = (ind: string, [k, v]: [string, string]) => `${ind}${k}: ${JSON.stringify(v)}${eol}`;
  if (ann && isMap(ann.value) && !ann.value.flow && ann.value.items.length) {
    const items = ann.value.items;
    const first = items[0].key;
    const last = items[items.length - 1];
    const ind = indentAt(text, first.start);
    if (text.slice(lineStartAt(text, first.start), first.start).trim() !== '') return undefined;
    // after the last annotation's line (comments above the first one stay with it)
    const nl = text.indexOf('\n', last.value ? last.value.end : last.key.end);
    if (nl < 0) edits.push({ file: o.file, start: text.length, end: text.length, newText: eol + missing.map((m) => line(ind, m)).join('').replace(new RegExp(eol + '$'), '') });
    else edits.push({ file: o.file, start: nl + 1, end: nl + 1, newText: missing.map((m) => line(ind, m)).join('') });
    return edits;
  }
  if (ann && ann.value !== null && !(isMap(ann.value) && ann.value.flow && !ann.value.items.length)) return undefined;
  const first = meta.items[0].key;
  const ind = indentAt(text, first.start);
  const at = lineStartAt(text, first.start);
  if (text.slice(at, first.start).trim() !== '') return undefined;
  if (ann) {
    // `annotations:` with no value, or `annotations: {}`: replace the whole pair
    const ls = lineStartAt(text, ann.key.start);
    let le = text.indexOf('\n', ann.value ? ann.value.end : ann.key.end);
    le = le < 0 ? text.length : le + 1;
    if (text.slice(ls, ann.key.start).trim() !== '') return undefined;
    edits.push({ file: o.file, start: ls, end: le, newText: `${ind}annotations:${eol}${missing.map((m) => line(ind + '  ', m)).join('')}` });
    return edits;
  }
  edits.push({ file: o.file, start: at, end: at, newText: `${ind}annotations:${eol}${missing.map((m) => line(ind + '  ', m)).join('')}` });
  return edits;
}

export default defineRule({
  id: 'ingress-nginx-sidecar-upstream',
  defaultSeverity: 'warning',
  description: 'ingress-nginx runs with an Istio sidecar but the Ingress lacks service-upstream / upstream-vhost: the controller calls pod IPs with the client\'s Host, which its sidecar does not route as the Service (PassthroughCluster, no mTLS).',
  kinds: ['Ingress', 'Deployment', 'Namespace'],
  check({ model, report }) {
    for (const ing of model.kind('Ingress')) {
      const ctl = model.ingressController(ing);
      // only ingress-nginx load-balances to endpoint IPs this way; a controller outside the mesh, in ambient
      // (ztunnel does not route by Host) or of unknown membership is not this case
      if (ctl.mesh !== 'sidecar' || !ctl.workload || !/ingress-nginx/.test(ctl.name)) continue;
      const all = backends(model, ing);
      const meshed = all.filter((b) => {
        const m = model.serviceMesh(b.svc);
        return m === 'sidecar' || m === 'ambient';
      });
      if (!meshed.length) continue;
      const su = ing.annotations[SERVICE_UPSTREAM] === 'true';
      const vh = ing.annotations[UPSTREAM_VHOST]?.trim().toLowerCase().replace(/:\d+$/, '');
      const hostOk = (s: Service) => !!vh && model.hostNames(s, ing.ns).includes(vh);
      // the sidecar picks an HTTP port's route by Host (pod IP or ClusterIP alike), an opaque TCP port's by the
      // ClusterIP; a sniffed port has a listener per ClusterIP whose route answers any Host
      const broken = meshed.filter((b) => (b.proto === 'http' ? !hostOk(b.svc) : b.proto === 'tcp' ? !su : !su && !hostOk(b.svc)));
      if (!broken.length) continue;
      const names = [...new Set(broken.map((b) => b.svc.name))].join(', ');
      const why = broken.map((b) =>
        b.proto === 'http'
          ? `${b.svc.name}'s port is HTTP, so the sidecar routes it by Host, and ${vh ? `Host ${vh} is not a name of ${b.svc.name}` : "the client's Host (Host $host) is none of its names"}`
          : b.proto === 'tcp'
            ? `${b.svc.name}'s port is opaque TCP, so the sidecar routes it by ClusterIP, and ${su ? '' : 'without service-upstream '}the controller calls pod IPs (its endpoint list)`
            : `${b.svc.name}'s port has no declared protocol, and the controller calls a pod IP (its endpoint list) with the client's Host: the sidecar's listener for the ClusterIP never sees it`,
      );
      const strict = [...new Set(broken.map((b) => b.svc))].filter((s) => model.serviceWorkloads(s).some((w) => model.effectiveMtls(w).mode === 'STRICT'));
      const fixes: Fix[] = [];
      const text = model.text(ing.file);
      const single = new Set(all.map((b) => b.svc));
      if (text && single.size === 1) {
        const s = all[0].svc;
        const edits = setAnnotations(text, ing, [[SERVICE_UPSTREAM, 'true'], [UPSTREAM_VHOST, `${s.name}.${s.ns}.svc.cluster.local`]]);
        if (edits?.length) fixes.push({ title: `Add service-upstream and upstream-vhost: ${s.name}.${s.ns}.svc.cluster.local`, edits, preferred: true });
      }
      const at = objSpan(ing);
      report({
        file: at.file,
        start: at.start,
        end: at.end,
        message:
          `${ctl.name} runs with an Istio sidecar (${model.membership(ctl.workload).reason}) and load-balances to pod IPs with the client's Host unless told otherwise. ` +
          `For this Ingress's calls to ${names} its sidecar does not use the Service's route: ${why.join('; ')}. ` +
          `The call leaves through PassthroughCluster, in plaintext, without mTLS, retries or the Service's DestinationRule and VirtualService` +
          (strict.length ? `, and ${strict.map((s) => s.name).join(', ')} (STRICT mTLS) ${strict.length > 1 ? 'reject' : 'rejects'} it.` : '.') +
          ` The documented fix is the annotations ${SERVICE_UPSTREAM}: "true" (call the ClusterIP) and ${UPSTREAM_VHOST}: <service>.<namespace>.svc.cluster.local (send the Service's name as Host)` +
          (single.size > 1 ? '; upstream-vhost is one value per Ingress, so split this Ingress into one per Service.' : '.'),
        related: [{ span: objSpan(ctl.workload.obj), message: `${ctl.name} controller: ${model.membership(ctl.workload).reason}` }],
        fixes,
      });
    }
  },
});
