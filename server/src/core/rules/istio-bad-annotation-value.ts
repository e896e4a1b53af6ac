import { isIPv6 } from 'node:net';
import { parseDocument, isMap as yIsMap } from 'yaml';
import { defineRule } from './rule';
import type { Fix, Severity } from '../types';
import type { K8sObject } from '../source/yaml';
import { get, isMap, isScalar, type YMap, type YScalar } from '../source/ynode';
import { replace } from '../fixes/edits';
import { scalarText } from './schema-rules';
import { TEMPLATE } from './istio-deprecated-annotation';
import { istioAnnotationFacts, type ValueType } from '../../docs/istioAnnotations';

const EXPECTED: Record<ValueType, string> = {
  uint32: 'a whole number (unsigned 32-bit integer)',
  port: 'a port number (0-65535)',
  ports: 'a comma-separated list of ports',
  portsOrStar: '`*` or a comma-separated list of ports',
  cidrs: 'a comma-separated list of CIDR ranges (such as 10.0.0.0/8)',
  cidrsOrStar: '`*` or a comma-separated list of CIDR ranges (such as 10.0.0.0/8)',
  goBool: 'a boolean (true or false)',
  interceptionMode: 'one of REDIRECT, TPROXY, NONE',
  proxyConfig: 'a YAML or JSON mapping of ProxyConfig fields',
  quantity: 'a Kubernetes quantity (such as 100m, 0.5, 128Mi)',
  injectBool: '"true" or "false"',
};

const GO_BOOL = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);
/** what any Istio release reads as a decision (earlier ones: y/yes/true/on, else no; recent ones: true/false) */
const INJECT_WORDS = new Set(['y', 'yes', 'true', 'on', 'n', 'no', 'false', 'off']);
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

function isPort(s: string): boolean {
  const t = s.trim();
  return /^\d+$/.test(t) && Number(t) <= 65535;
}

/** Go's netip.ParsePrefix: an address, "/", and a prefix length without leading zeros; no zones, no spaces. */
function isPrefix(s: string): boolean {
  const m = /^([^/\s]+)\/(0|[1-9]\d{0,2})$/.exec(s);
  if (!m) return false;
  const bits = Number(m[2]);
  const parts = m[1].split('.');
  if (parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return bits <= 32;
  return !m[1].includes('%') && isIPv6(m[1]) && bits <= 128;
}

/** Why the value is not of the type (undefined when it is), and the value meant when that is clear. */
function problem(type: ValueType, v: string): { why: string; meant?: string } | undefined {
  switch (type) {
    case 'uint32':
      return /^\d+$/.test(v) && Number(v) <= 4294967295 ? undefined : { why: 'Istio parses it as an unsigned decimal integer' };
    case 'port':
      return isPort(v) ? undefined : { why: 'Istio parses it as a port number' };
    case 'ports':
    case 'portsOrStar': {
      if (type === 'portsOrStar' && v === '*') return undefined;
      const t = v.trim();
      if (t === '') return undefined;
      const bad = t.split(',').filter((p) => !isPort(p));
      if (!bad.length) return undefined;
      return { why: bad.some((p) => p.trim() === '') ? 'it has an empty item (a trailing or doubled comma)' : `${bad.map((p) => `"${p.trim()}"`).join(', ')} ${bad.length > 1 ? 'are not port numbers' : 'is not a port number'}${type === 'portsOrStar' && bad.some((p) => p.trim() === '*') ? ' (`*` must stand alone)' : ''}` };
    }
    case 'cidrs':
    case 'cidrsOrStar': {
      if (type === 'cidrsOrStar' && v === '*') return undefined;
      if (v === '') return undefined;
      const items = v.split(',');
      const bad = items.filter((c) => !isPrefix(c));
      if (!bad.length) return undefined;
      if (bad.every((c) => c !== c.trim() && isPrefix(c.trim()))) {
        return { why: 'it has spaces around its items, and Istio splits the list on commas without trimming them', meant: items.map((c) => c.trim()).join(',') };
      }
      return { why: `${bad.map((c) => `"${c}"`).join(', ')} ${bad.length > 1 ? 'are not CIDR ranges' : 'is not a CIDR range'}${bad.some((c) => c.trim() === '') ? ' (an empty item: a trailing or doubled comma)' : bad.some((c) => /^[\d.]+$/.test(c.trim()) || (isIPv6(c.trim()))) ? ' (an address needs its prefix length, such as /32)' : ''}` };
    }
    case 'goBool':
      return GO_BOOL.has(v) ? undefined : { why: "Istio parses it with Go's strconv.ParseBool (1, t, true, 0, f, false and their capitalised forms)" };
    case 'interceptionMode': {
      if (v === 'REDIRECT' || v === 'TPROXY' || v === 'NONE') return undefined;
      const up = v.trim().toUpperCase();
      return { why: 'Istio compares it exactly (upper case)', meant: up === 'REDIRECT' || up === 'TPROXY' || up === 'NONE' ? up : undefined };
    }
    case 'proxyConfig': {
      if (v.trim() === '') return undefined;
      const doc = parseDocument(v, { uniqueKeys: true });
      if (doc.errors.length) return { why: `it does not parse: ${doc.errors[0].message.split('\n')[0]}` };
      const c = doc.contents;
      if (c === null || yIsMap(c)) return undefined;
      return { why: `it is a ${Array.isArray(doc.toJS()) ? 'list' : 'single value'}, which cannot be read as ProxyConfig` };
    }
    case 'quantity':
      return QUANTITY.test(v.trim()) ? undefined : { why: 'Kubernetes cannot parse it as a resource quantity' };
    case 'injectBool':
      return v === '' || INJECT_WORDS.has(v.toLowerCase()) ? undefined : { why: 'it is not a yes/no value' };
  }
}

export default defineRule({
  id: 'istio-bad-annotation-value',
  defaultSeverity: 'error',
  description: "An Istio pod annotation whose value has the wrong type (a port list, CIDR list, integer, boolean, quantity, interception mode or ProxyConfig that does not parse): the sidecar injector fails and the pod is not created (IST0125).",
  kinds: ['Pod', ...Object.keys(TEMPLATE)],
  check({ model, report }) {
    const byObj = new Map(model.workloads.map((w) => [w.obj, w]));
    for (const obj of model.objects) {
      if (obj.group !== '' && obj.group !== 'apps' && obj.group !== 'batch' && obj.group !== 'argoproj.io') continue;
      const meta = obj.kind === 'Pod' ? get(obj.root, 'metadata') : TEMPLATE[obj.kind] && get(obj.root, ...TEMPLATE[obj.kind]);
      if (!isMap(meta)) continue;
      check(obj, meta, obj.kind === 'Pod' ? `Pod ${obj.ns}/${obj.name}` : `the pod template of ${obj.kind} ${obj.ns}/${obj.name}`);
    }

    function check(obj: K8sObject, meta: YMap, where: string): void {
      const ann = get(meta, 'annotations');
      if (!isMap(ann)) return;
      const labels = get(meta, 'labels');
      const w = byObj.get(obj);
      const mode = w ? model.membership(w).mode : 'unknown';
      for (const it of ann.items) {
        const key = String(it.key.v);
        const fact = istioAnnotationFacts().values.get(key);
        if (!fact || !isScalar(it.value)) continue;
        const node: YScalar = it.value;
        // unquoted numbers and booleans are k8s-wrong-type's; template placeholders are not values yet
        if (typeof node.v !== 'string' || /\{\{|\$\{|\$\(/.test(node.v)) continue;
        // the sidecar.istio.io/inject label, when present, decides instead of the annotation
        if (fact.type === 'injectBool' && isMap(labels) && labels.items.some((l) => l.key.v === 'sidecar.istio.io/inject')) continue;
        const p = problem(fact.type, node.v);
        if (!p) continue;
        let severity: Severity;
        let effect: string;
        if (fact.by === 'inject') {
          severity = 'warning';
          effect = 'Earlier Istio releases read any value other than y, yes, true or on as "do not inject"; recent ones accept only true and false and fall back to the namespace\'s injection policy, so whether the pod gets a sidecar depends on the release.';
        } else {
          const how = fact.by === 'validation' ? "the injector validates it before injecting (istioctl analyze: IST0125 InvalidAnnotation)" : "the injector writes it into the istio-proxy container's resources, and the rendered sidecar does not parse";
          if (mode === 'sidecar') {
            severity = 'error';
            effect = `This pod gets a sidecar, and ${how}: injection fails and the webhook denies the pod, so it is not created${obj.kind === 'Pod' ? '' : ` (${obj.kind} ${obj.name} gets no pods)`}.`;
          } else {
            severity = 'warning';
            effect = `If the pod gets a sidecar, ${how}: injection fails and the webhook denies the pod${mode === 'unknown' ? '' : `; today it gets none (${model.membership(w!).reason}), so the annotation has no effect`}.`;
          }
        }
        const fixes: Fix[] = p.meant !== undefined && node.style !== 'literal' && node.style !== 'folded' ? [{ title: `Change to ${p.meant}`, edits: [replace(obj.file, node.start, node.end, scalarText(node, p.meant))], preferred: true }] : [];
        report({
          file: obj.file,
          start: node.start,
          end: node.end,
          severity,
          message: `${where}: the value of annotation ${key} must be ${EXPECTED[fact.type]}; "${node.v.length > 60 ? node.v.slice(0, 60) + '...' : node.v}" is not: ${p.why}. ${effect}`,
          fixes,
        });
      }
    }
  },
});
