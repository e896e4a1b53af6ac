/**
 * Schema facts: an Istio object checked against the generated schema of its own apiVersion
 * (server/src/docs/istio-schema.json, from @kubernetes-models/istio). Unknown group, version or
 * kind: no facts. Parts of the schema that are free-form (`x`), and maps whose keys are arbitrary
 * (labels, headers, portLevelMtls ports), are not checked key by key. Results are cached per parsed
 * object, so an edit re-checks only the edited file's objects.
 */
import type { K8sObject } from '../source/yaml';
import { isMap, isScalar, isSeq, type YNode, type YScalar } from '../source/ynode';
import { istioSchema, istioSchemaRelease, k8sSchema, k8sSchemaSource, K8S_SCHEMA_GROUPS, SCHEMA_GROUPS, type SchemaNode } from '../../docs/istioSchema';
import { closeNames, editDistance } from './routing';

export interface UnknownField {
  kind: 'unknown-field';
  key: YScalar;
  value: YNode | null;
  /** dotted path of the key, e.g. `spec.trafficPolicy.tsl` */
  path: string;
  /** close names among the known fields that the map does not set yet */
  candidates: string[];
  /** the known fields at this place and their schemas */
  known: Record<string, SchemaNode>;
}
export interface BadEnum {
  kind: 'bad-enum';
  node: YScalar;
  path: string;
  value: string;
  allowed: string[];
}
export interface WrongType {
  kind: 'wrong-type';
  node: YNode;
  /** the key whose value it is (absent for list items) */
  key?: YScalar;
  schema: SchemaNode;
  path: string;
  expected: string;
  actual: string;
}
export type SchemaIssue = UnknownField | BadEnum | WrongType;

const cache = new WeakMap<K8sObject, SchemaIssue[]>();

/** Schema problems of one object; [] when its apiVersion/kind is not in the schema data. */
export function schemaIssues(obj: K8sObject): SchemaIssue[] {
  let out = cache.get(obj);
  if (out) return out;
  out = [];
  const schema = SCHEMA_GROUPS.has(obj.group) ? istioSchema(obj.apiVersion, obj.kind) : K8S_SCHEMA_GROUPS.has(obj.group) ? k8sSchema(obj.apiVersion, obj.kind) : undefined;
  if (schema) walk(obj.root, schema, [], out);
  cache.set(obj, out);
  return out;
}

/** YAML 1.1 words that Kubernetes' YAML reader takes as booleans (plain style). */
const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
/** YAML 1.1 numbers the `yaml` package (YAML 1.2) reads as strings: 0x/0o/0b, underscores, sexagesimal, `.inf`. */
const YAML11_NUM = /^[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;

type Actual = 'string' | 'number' | 'boolean' | 'object' | 'list' | 'null';

/** What Kubernetes reads a scalar as; several answers when YAML 1.1 and 1.2 differ. */
const T_NULL: readonly Actual[] = ['null'];
const T_STRING: readonly Actual[] = ['string'];
const T_NUMBER: readonly Actual[] = ['number'];
const T_BOOLEAN: readonly Actual[] = ['boolean'];
const T_STRING_BOOLEAN: readonly Actual[] = ['string', 'boolean'];
const T_STRING_NUMBER: readonly Actual[] = ['string', 'number'];
const T_OBJECT: readonly Actual[] = ['object'];
const T_LIST: readonly Actual[] = ['list'];

function scalarTypes(s: YScalar): readonly Actual[] {
  if (s.v === null) return T_NULL;
  if (s.style !== 'plain') return T_STRING;
  if (typeof s.v === 'number') return T_NUMBER;
  if (typeof s.v === 'boolean') return T_BOOLEAN;
  const text = String(s.v);
  // cheap guards first: this runs for every plain scalar of every document
  if (text.length <= 5 && YAML11_BOOL.test(text)) return T_STRING_BOOLEAN;
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (YAML11_NUM.test(text)) return T_STRING_NUMBER;
  }
  return T_STRING;
}

function describe(n: SchemaNode): string {
  if (n === 's') return 'a string';
  if (n === 'n') return 'a number';
  if (n === 'b') return 'a boolean';
  if (n === 'x') return 'anything';
  if (n.e) return 'a string';
  if (n.a) return 'a list';
  if (n.p || n.m) return 'a mapping';
  if (n.u) return n.u.map(describe).join(' or ');
  return 'anything';
}

/** Does the schema take any reading of the node? (A loop, not `some` with a closure: this runs for every node of every document.) */
function acceptsAny(n: SchemaNode, actual: readonly Actual[]): boolean {
  for (let i = 0; i < actual.length; i++) if (accepts(n, actual[i])) return true;
  return false;
}

function accepts(n: SchemaNode, t: Actual): boolean {
  if (t === 'null' || n === 'x') return true;
  if (n === 's') return t === 'string';
  if (n === 'n') return t === 'number';
  if (n === 'b') return t === 'boolean';
  if (n.u) return n.u.some((m) => accepts(m, t));
  if (n.e) return t === 'string' || t === 'number' || t === 'boolean'; // a scalar: checked against the values
  if (n.a) return t === 'list';
  return t === 'object';
}

/** The dotted path of a segment stack (keys, and list indexes as numbers): built only when an issue is reported. */
function pathOf(segs: (string | number)[]): string {
  let p = '';
  for (const s of segs) p = typeof s === 'number' ? `${p}[${s}]` : p ? `${p}.${s}` : s;
  return p;
}

/**
 * The one candidate a misspelling clearly means (for a quick fix): the only close name, or one
 * much closer (at most 2 edits, fewer than the next) than the others; a case-only difference wins.
 */
export function clearCandidate(name: string, candidates: string[]): string | undefined {
  const same = candidates.filter((c) => c.toLowerCase() === name.toLowerCase());
  if (same.length) return same.length === 1 ? same[0] : undefined;
  if (candidates.length === 1) return candidates[0];
  const d = candidates.map((c) => editDistance(name.toLowerCase(), c.toLowerCase())).sort((a, b) => a - b);
  if (d[0] > 2 || d[0] === d[1]) return undefined;
  return candidates.find((c) => editDistance(name.toLowerCase(), c.toLowerCase()) === d[0]);
}

/** Problems of a YAML subtree against a schema node (e.g. a renamed field's value against the new name's schema). */
export function checkSubtree(y: YNode | null, n: SchemaNode, path: string): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  walk(y, n, path ? [path] : [], out);
  return out;
}

/** The schema kinds (all versions), for the rules' `kinds`. */
export const SCHEMA_KINDS = ['DestinationRule', 'VirtualService', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'WorkloadGroup', 'EnvoyFilter', 'ProxyConfig', 'PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication', 'Telemetry'];

/** The Gateway API and core Kubernetes kinds of the k8s-* schema rules (core kinds: only the fields the model reads). */
export const K8S_SCHEMA_KINDS = ['Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute', 'ReferenceGrant', 'BackendTLSPolicy', 'ListenerSet', 'XBackendTrafficPolicy', 'XMesh', 'Service', 'Namespace', 'ConfigMap', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Ingress'];

/** Which family of schema rules reports on an object: `istio` (istio-*), `k8s` (k8s-*: Gateway API and core Kubernetes). */
export function schemaFamily(obj: K8sObject): 'istio' | 'k8s' {
  return SCHEMA_GROUPS.has(obj.group) ? 'istio' : 'k8s';
}

/** `the networking.istio.io/v1 DestinationRule schema of Istio 1.29.2` (where the facts come from), for messages. */
export function schemaOrigin(obj: K8sObject): string {
  return `the ${obj.apiVersion} ${obj.kind} schema of ${SCHEMA_GROUPS.has(obj.group) ? `Istio ${istioSchemaRelease()}` : k8sSchemaSource(obj.group)}`;
}

/** Cluster-scoped kinds of the schema data: named without a namespace in messages (no object is read through this). */
const CLUSTER_SCOPED = new Set(['Namespace', 'GatewayClass']);

/** `<Kind> <ns>/<name> (<apiVersion>)` for messages. */
export function schemaSubject(obj: K8sObject): string {
  if (CLUSTER_SCOPED.has(obj.kind)) return `${obj.kind} ${obj.name || '(unnamed)'}`;
  return `${obj.kind} ${obj.ns}/${obj.name || '(unnamed)'}`;
}

function walk(y: YNode | null, n: SchemaNode, segs: (string | number)[], out: SchemaIssue[], key?: YScalar): void {
  if (!y || n === 'x') return;
  const actual = isMap(y) ? T_OBJECT : isSeq(y) ? T_LIST : scalarTypes(y);
  if (!acceptsAny(n, actual)) {
    // a YAML 1.1/1.2 ambiguity never counts: `actual` holds every reading
    out.push({ kind: 'wrong-type', node: y, key, schema: n, path: pathOf(segs), expected: describe(n), actual: actual[0] === 'object' ? 'a mapping' : actual[0] === 'list' ? 'a list' : `a ${actual[0]}` });
    return;
  }
  if (typeof n === 'string') return;
  if (n.u) {
    // one of several types: descend into the one the node is
    const m = n.u.find((x) => typeof x !== 'string' && acceptsAny(x, actual));
    if (m) walk(y, m, segs, out, key);
    return;
  }
  if (n.e && isScalar(y)) {
    const value = String(y.v);
    if (y.v !== null && !n.e.includes(value)) out.push({ kind: 'bad-enum', node: y, path: pathOf(segs), value, allowed: n.e });
    return;
  }
  if (n.a && isSeq(y)) {
    const items = y.items;
    for (let i = 0; i < items.length; i++) {
      segs.push(i);
      walk(items[i], n.a, segs, out);
      segs.pop();
    }
    return;
  }
  if (isMap(y) && (n.p || n.m)) {
    const items = y.items;
    // a merge key (`<<: *defaults`) brings fields this tree does not show: check nothing here
    for (let i = 0; i < items.length; i++) if (items[i].key.v === '<<') return;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      const kv = it.key.v;
      const key = typeof kv === 'string' ? kv : String(kv);
      // strategic-merge-patch directives (`$patch`, `$setElementOrder/...`, `$retainKeys`) in Kustomize patches
      if (key.startsWith('$')) continue;
      const known = n.p && Object.prototype.hasOwnProperty.call(n.p, key) ? n.p[key] : undefined;
      const child = known !== undefined ? known : n.m;
      segs.push(key);
      if (child !== undefined) walk(it.value, child, segs, out, it.key);
      else {
        const present = new Set(items.map((x) => String(x.key.v)));
        const names = Object.keys(n.p ?? {});
        out.push({ kind: 'unknown-field', key: it.key, value: it.value, path: pathOf(segs), candidates: closeNames(key, names.filter((c) => !present.has(c))), known: n.p ?? {} });
      }
      segs.pop();
    }
  }
}
