import { defineRule, type Report } from './rule';
import type { Fix } from '../types';
import { get, isMap, isScalar, mapEntries, num, seq, strMap, YNode, YScalar } from '../source/ynode';
import { DestinationRule, MeshModel, Service, Workload, selects } from '../model/model';
import { insertLinesAfter, replace } from '../fixes/edits';
import { clientsUsing } from '../model/destination';

/** One `tls:` block of a DestinationRule with where it applies. */
interface TlsSetting {
  mode: string;
  modeNode: YScalar;
  tls: YNode;
  /** service port it is limited to (portLevelSettings) */
  port?: number;
  subset?: string;
  subsetLabels?: Record<string, string>;
}

function tlsSettings(dr: DestinationRule): TlsSetting[] {
  const out: TlsSetting[] = [];
  const fromPolicy = (tp: YNode | undefined, subset?: { name: string; labels: Record<string, string> }) => {
    const add = (tls: YNode | undefined, port?: number) => {
      const m = get(tls, 'mode');
      if (!tls || !isScalar(m) || typeof m.v !== 'string') return;
      out.push({ mode: m.v.toUpperCase(), modeNode: m, tls, port, subset: subset?.name, subsetLabels: subset?.labels });
    };
    add(get(tp, 'tls'));
    for (const pls of seq(tp, 'portLevelSettings')) {
      const port = num(pls, 'port', 'number');
      if (port !== undefined) add(get(pls, 'tls'), port);
    }
  };
  const spec = get(dr.obj.root, 'spec');
  fromPolicy(get(spec, 'trafficPolicy'));
  for (const s of seq(spec, 'subsets')) fromPolicy(get(s, 'trafficPolicy'), { name: String(get(s, 'name') && isScalar(get(s, 'name')) ? (get(s, 'name') as YScalar).v : ''), labels: strMap(s, 'labels') });
  return out;
}

export default defineRule({
  id: 'dr-tls-conflict',
  defaultSeverity: 'error',
  description: "A DestinationRule's client TLS mode contradicts the destination: DISABLE/SIMPLE/MUTUAL towards a STRICT workload, or ISTIO_MUTUAL towards workloads outside the mesh or whose PeerAuthentication says DISABLE.",
  kinds: ['DestinationRule', 'PeerAuthentication'],
  check({ model, report }) {
    for (const dr of model.destinationRules) {
      if (!dr.host || dr.host.includes('*')) continue;
      const res = model.resolveIstioHost(dr.host, dr.ns);
      const s = res.service;
      if (!s || s.externalName) continue;
      // Istio picks one DestinationRule per client (model/destination.ts): a rule no client uses sets nothing
      if (!clientsUsing(model, dr, s.ns).length) continue;
      const settings = tlsSettings(dr);
      if (!settings.length && !model.meshConfig.enableAutoMtls) {
        noTlsAutoOff(model, dr, s, report);
        continue;
      }
      for (const t of settings) {
        const ws = model.serviceWorkloads(s).filter((w) => !t.subsetLabels || selects(t.subsetLabels, w.podLabels) || Object.keys(t.subsetLabels).length === 0);
        if (!ws.length) continue;
        const ports = t.port !== undefined ? s.ports.filter((p) => p.port === t.port) : s.ports;
        const where = `${t.subset ? `subset ${t.subset}` : 'trafficPolicy'}${t.port !== undefined ? ` port ${t.port}` : ''}`;
        if (t.mode === 'DISABLE' || t.mode === 'SIMPLE' || t.mode === 'MUTUAL') {
          const strict: { w: Workload; cport: number; policy: string }[] = [];
          for (const w of ws) {
            const mode = model.membership(w).mode;
            if (mode !== 'sidecar' && mode !== 'unknown') continue; // ambient: ztunnel's HBONE carries mTLS; none: no policy enforced
            for (const p of ports) {
              const cport = model.containerPort(s, p, w);
              if (cport === undefined) continue;
              const eff = model.effectiveMtls(w, cport);
              if (eff.mode === 'STRICT' && eff.policy) strict.push({ w, cport, policy: `${eff.policy.ns}/${eff.policy.obj.name}` });
            }
          }
          if (!strict.length) continue;
          const uncertain = strict.every((x) => model.membership(x.w).mode === 'unknown');
          const first = strict[0];
          const what = t.mode === 'DISABLE' ? 'plaintext' : `its own TLS (${t.mode}) instead of Istio mTLS`;
          report({
            file: dr.obj.file,
            start: t.modeNode.start,
            end: t.modeNode.end,
            severity: uncertain ? 'warning' : undefined,
            message: `DestinationRule ${dr.ns}/${dr.obj.name} (${where}) makes clients send ${what} to ${s.name}, but ${first.w.kind} ${first.w.ns}/${first.w.name}${uncertain ? ' (if it runs in the mesh)' : ''} requires STRICT mTLS on port ${[...new Set(strict.map((x) => x.cport))].join(', ')} (PeerAuthentication ${first.policy}): the server sidecar rejects these connections (503 / connection reset). Without a DestinationRule, auto mTLS would have used Istio mTLS.`,
            related: [{ span: { file: first.w.obj.file, start: first.w.obj.root.start, end: first.w.obj.root.start }, message: `${first.w.kind} ${first.w.name}: ${model.membership(first.w).reason}` }],
            fixes: fix(dr, t, 'ISTIO_MUTUAL'),
          });
        } else if (t.mode === 'ISTIO_MUTUAL') {
          const modes = ws.map((w) => model.membership(w));
          if (modes.every((m) => m.mode === 'sidecar')) {
            // a sidecar whose PeerAuthentication says DISABLE accepts plaintext only
            const disabled: { w: Workload; cport: number; policy: string }[] = [];
            let allDisabled = true;
            for (const w of ws) {
              for (const p of ports) {
                const cport = model.containerPort(s, p, w);
                if (cport === undefined) continue;
                const eff = model.effectiveMtls(w, cport);
                if (eff.mode === 'DISABLE' && eff.policy) disabled.push({ w, cport, policy: `${eff.policy.ns}/${eff.policy.obj.name}` });
                else allDisabled = false;
              }
            }
            if (!disabled.length || !allDisabled) continue;
            const first = disabled[0];
            report({
              file: dr.obj.file,
              start: t.modeNode.start,
              end: t.modeNode.end,
              message: `DestinationRule ${dr.ns}/${dr.obj.name} (${where}) makes clients send Istio mTLS to ${s.name}, but PeerAuthentication ${first.policy} sets mTLS DISABLE on port ${[...new Set(disabled.map((x) => x.cport))].join(', ')} of ${first.w.kind} ${first.w.ns}/${first.w.name}: the server sidecar accepts plaintext only, so the connections fail (503 / connection reset).`,
              related: [{ span: { file: first.w.obj.file, start: first.w.obj.root.start, end: first.w.obj.root.start }, message: `${first.w.kind} ${first.w.name}: ${model.membership(first.w).reason}` }],
              fixes: fix(dr, t, 'DISABLE'),
            });
            continue;
          }
          if (!modes.every((m) => m.mode === 'none')) continue;
          report({
            file: dr.obj.file,
            start: t.modeNode.start,
            end: t.modeNode.end,
            message: `DestinationRule ${dr.ns}/${dr.obj.name} (${where}) makes mesh clients send Istio mTLS to ${s.name}, but its workloads are outside the mesh (${ws[0].kind} ${ws[0].name}: ${modes[0].reason}): nothing there terminates Istio mTLS, so the connections fail (503 / connection reset). Auto mTLS alone would have sent plaintext.`,
            related: [{ span: { file: ws[0].obj.file, start: ws[0].obj.root.start, end: ws[0].obj.root.start }, message: `${ws[0].kind} ${ws[0].name}: ${modes[0].reason}` }],
            fixes: fix(dr, t, 'DISABLE'),
          });
        }
      }
    }
  },
});

/**
 * A DestinationRule without TLS settings while auto mTLS is off: Istio's cluster builder only picks
 * ISTIO_MUTUAL for an unset TLS mode when enableAutoMtls is true, so these clients send plaintext.
 */
function noTlsAutoOff(model: MeshModel, dr: DestinationRule, s: Service, report: (r: Report) => void): void {
  if (!dr.hostNode) return;
  const strict: { w: Workload; cport: number; policy: string }[] = [];
  for (const w of model.serviceWorkloads(s)) {
    if (model.membership(w).mode !== 'sidecar') continue;
    for (const p of s.ports) {
      const cport = model.containerPort(s, p, w);
      if (cport === undefined) continue;
      const eff = model.effectiveMtls(w, cport);
      if (eff.mode === 'STRICT' && eff.policy) strict.push({ w, cport, policy: `${eff.policy.ns}/${eff.policy.obj.name}` });
    }
  }
  if (!strict.length) return;
  const first = strict[0];
  const mc = model.meshConfig.autoMtlsSpan;
  report({
    file: dr.obj.file,
    start: dr.hostNode.start,
    end: dr.hostNode.end,
    message: `DestinationRule ${dr.ns}/${dr.obj.name} sets no tls.mode and the mesh config disables auto mTLS (enableAutoMtls: false), so clients send plaintext to ${s.name}, but ${first.w.kind} ${first.w.ns}/${first.w.name} requires STRICT mTLS on port ${[...new Set(strict.map((x) => x.cport))].join(', ')} (PeerAuthentication ${first.policy}): the server sidecar rejects these connections (503 / connection reset).`,
    related: [
      { span: { file: first.w.obj.file, start: first.w.obj.root.start, end: first.w.obj.root.start }, message: `${first.w.kind} ${first.w.name}: ${model.membership(first.w).reason}` },
      ...(mc ? [{ span: mc, message: 'enableAutoMtls: false' }] : []),
    ],
    fixes: addIstioMutual(model, dr),
  });
}

/** Adds trafficPolicy.tls.mode ISTIO_MUTUAL in block style; none when the spec is written in flow style. */
function addIstioMutual(model: MeshModel, dr: DestinationRule): Fix[] {
  const text = model.text(dr.obj.file);
  const spec = get(dr.obj.root, 'spec');
  if (text === undefined || !isMap(spec) || !dr.hostNode) return [];
  const lineStart = (o: number) => text.lastIndexOf('\n', o - 1) + 1;
  const onOwnLine = (keyStart: number) => text.slice(lineStart(keyStart), keyStart).trim() === '';
  const pairs = mapEntries(spec);
  const hostPair = pairs.find((p) => p.key.v === 'host');
  const tpPair = pairs.find((p) => p.key.v === 'trafficPolicy');
  const title = 'Set trafficPolicy.tls.mode to ISTIO_MUTUAL';
  if (tpPair) {
    const v = tpPair.value;
    if (!isMap(v) || !v.items.length || !onOwnLine(v.items[0].key.start) || lineStart(v.items[0].key.start) === lineStart(tpPair.key.start)) return [];
    const ind = text.slice(lineStart(v.items[0].key.start), v.items[0].key.start);
    return [{ title, edits: [insertLinesAfter(text, dr.obj.file, tpPair.key.start, ['tls:', '  mode: ISTIO_MUTUAL'], ind)], preferred: true }];
  }
  if (!hostPair || !onOwnLine(hostPair.key.start) || text.slice(dr.hostNode.end, text.indexOf('\n', dr.hostNode.end) < 0 ? text.length : text.indexOf('\n', dr.hostNode.end)).trim() !== '') return [];
  const ind = text.slice(lineStart(hostPair.key.start), hostPair.key.start);
  return [{ title, edits: [insertLinesAfter(text, dr.obj.file, dr.hostNode.end, ['trafficPolicy:', '  tls:', '    mode: ISTIO_MUTUAL'], ind)], preferred: true }];
}

function fix(dr: DestinationRule, t: TlsSetting, mode: 'ISTIO_MUTUAL' | 'DISABLE'): Fix[] {
  // ISTIO_MUTUAL must not carry certificates of its own (Istio validation rejects it)
  if (mode === 'ISTIO_MUTUAL' && isMap(t.tls) && mapEntries(t.tls).some((p) => !['mode', 'sni'].includes(String(p.key.v)))) return [];
  return [{ title: mode === 'ISTIO_MUTUAL' ? 'Set tls.mode to ISTIO_MUTUAL' : 'Set tls.mode to DISABLE', edits: [replace(dr.obj.file, t.modeNode.start, t.modeNode.end, mode)], preferred: true }];
}

export type { Service, MeshModel };
