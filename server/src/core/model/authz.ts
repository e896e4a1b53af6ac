/**
 * AuthorizationPolicy facts: typed rules and which of them need an mTLS peer identity.
 * Istio: `source.principals`, `source.namespaces` (and their `not*` forms) and the conditions
 * `source.principal` / `source.namespace` are mTLS-only; a plaintext request has no peer identity,
 * so a positive match on them never succeeds (ISTIO-SECURITY-2021-004).
 */
import type { K8sObject } from '../source/yaml';
import { YNode, YScalar, get, seq, str, strMap, isMap, isScalar } from '../source/ynode';
import { MeshModel, Workload, selects } from './model';

export interface AuthzSource {
  node: YNode;
  principals: YScalar[];
  namespaces: YScalar[];
  /** the source matches only mTLS requests (positive principals / namespaces) */
  needsIdentity: boolean;
}

export interface AuthzRule {
  node: YNode;
  sources: AuthzSource[];
  /** a `when` condition on source.principal / source.namespace values */
  whenNeedsIdentity: boolean;
  /** true when no plaintext request can match this rule */
  needsIdentity: boolean;
  /** the rule matches every request without a peer identity and asks nothing else (`notPrincipals: ["*"]`) */
  matchesAnonymous: boolean;
}

export interface AuthzPolicy {
  obj: K8sObject;
  ns: string;
  action: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  selector?: Record<string, string>;
  selectorNode?: YNode;
  /** targetRefs / targetRef (waypoints, gateways): not selector-based */
  targeted: boolean;
  rules: AuthzRule[];
}

const cache = new WeakMap<MeshModel, AuthzPolicy[]>();

function scalars(n: YNode | undefined, key: string): YScalar[] {
  return seq(n, key).filter((x): x is YScalar => isScalar(x) && x.v !== null && String(x.v) !== '');
}

export function authzPolicies(model: MeshModel): AuthzPolicy[] {
  let out = cache.get(model);
  if (out) return out;
  out = [];
  for (const o of model.kind('AuthorizationPolicy')) {
    if (o.group !== 'security.istio.io') continue;
    const spec = get(o.root, 'spec');
    const action = (str(spec, 'action') ?? 'ALLOW').toUpperCase() as AuthzPolicy['action'];
    const selNode = get(spec, 'selector', 'matchLabels');
    const rules: AuthzRule[] = seq(spec, 'rules').map((r) => {
      const sources: AuthzSource[] = seq(r, 'from').map((f) => {
        const src = get(f, 'source');
        const principals = scalars(src, 'principals');
        const namespaces = scalars(src, 'namespaces');
        return { node: f, principals, namespaces, needsIdentity: principals.length > 0 || namespaces.length > 0 };
      });
      const whenNeedsIdentity = seq(r, 'when').some((w) => /^source\.(principal|namespace)$/.test(str(w, 'key') ?? '') && seq(w, 'values').length > 0);
      const fromNeeds = sources.length > 0 && sources.every((s) => s.needsIdentity);
      // `notPrincipals: ["*"]` / `notNamespaces: ["*"]`: true for a request with no peer identity (plaintext)
      const anonymous = seq(r, 'from').some((f) => {
        const src = get(f, 'source');
        if (!isMap(src) || !src.items.length || !src.items.every((i) => String(i.key.v) === 'notPrincipals' || String(i.key.v) === 'notNamespaces')) return false;
        return [...scalars(src, 'notPrincipals'), ...scalars(src, 'notNamespaces')].some((n) => String(n.v) === '*');
      });
      const matchesAnonymous = anonymous && !get(r, 'to') && !get(r, 'when');
      return { node: r, sources, whenNeedsIdentity, needsIdentity: fromNeeds || whenNeedsIdentity, matchesAnonymous };
    });
    out.push({
      obj: o,
      ns: o.ns,
      action,
      selector: isMap(selNode) ? strMap(selNode) : undefined,
      selectorNode: selNode,
      targeted: !!get(spec, 'targetRefs') || !!get(spec, 'targetRef'),
      rules,
    });
  }
  cache.set(model, out);
  return out;
}

/**
 * Does this policy apply to the workload? Istio (`pilot/pkg/model/authorization.go`
 * `ListAuthorizationPolicies`) looks in the root namespace and the workload's namespace and applies
 * every policy whose selector the workload's labels match: a root-namespace policy applies mesh-wide,
 * with a selector to the matching workloads of every namespace.
 */
export function appliesTo(model: MeshModel, p: AuthzPolicy, w: Workload): boolean {
  if (p.targeted) return false;
  const hasSel = p.selector && Object.keys(p.selector).length > 0;
  if (p.ns !== model.meshConfig.rootNamespace && p.ns !== w.ns) return false;
  return !hasSel || selects(p.selector, w.podLabels);
}

/**
 * The policy that denies a plaintext request (no peer identity) to the workload, if any: a DENY rule
 * `notPrincipals: ["*"]` (DENY is evaluated first), else ALLOW policies none of whose rules a
 * plaintext request can match. Undefined when plaintext gets through authorization.
 */
export function plaintextDeniedBy(model: MeshModel, w: Workload): { policy: AuthzPolicy; how: 'deny-anonymous' | 'allow-identity' } | undefined {
  const applicable = authzPolicies(model).filter((p) => (p.action === 'ALLOW' || p.action === 'DENY') && appliesTo(model, p, w));
  const deny = applicable.find((p) => p.action === 'DENY' && p.rules.some((r) => r.matchesAnonymous));
  if (deny) return { policy: deny, how: 'deny-anonymous' };
  const allow = applicable.filter((p) => p.action === 'ALLOW');
  if (!allow.length || allow.some((p) => p.rules.some((r) => !r.needsIdentity))) return undefined;
  const p = allow.find((x) => x.rules.length);
  return p ? { policy: p, how: 'allow-identity' } : undefined;
}

/** A principal naming a Kubernetes service account: `<trust domain>/ns/<namespace>/sa/<name>` (no wildcard). */
export function principalServiceAccount(principal: string): { trustDomain: string; ns: string; sa: string } | undefined {
  const m = /^([^/*]+)\/ns\/([a-z0-9][a-z0-9-]*)\/sa\/([a-z0-9][a-z0-9.-]*)$/.exec(principal);
  return m ? { trustDomain: m[1], ns: m[2], sa: m[3] } : undefined;
}

const saCache = new WeakMap<MeshModel, Map<string, { used: Set<string>; declared: Set<string> }>>();

/**
 * Service accounts of a namespace as the workspace shows them: `used` by workloads (pod templates), and
 * `declared` (ServiceAccount objects, and any other object of the namespace naming one in a
 * `serviceAccountName` / `serviceAccount` field, e.g. a Knative Service or an Argo Workflow).
 */
export function namespaceServiceAccounts(model: MeshModel, ns: string): { used: Set<string>; declared: Set<string> } {
  let byNs = saCache.get(model);
  if (!byNs) saCache.set(model, (byNs = new Map()));
  let r = byNs.get(ns);
  if (r) return r;
  r = { used: new Set(model.workloadsIn(ns).map((w) => w.serviceAccount)), declared: new Set() };
  const declared = r.declared;
  const visit = (n: YNode | undefined, depth: number): void => {
    if (!n || depth > 40 || isScalar(n)) return;
    if (isMap(n)) {
      for (const p of n.items) {
        const k = String(p.key.v);
        if ((k === 'serviceAccountName' || k === 'serviceAccount') && isScalar(p.value) && p.value.v !== null) declared.add(String(p.value.v));
        else visit(p.value ?? undefined, depth + 1);
      }
    } else for (const x of n.items) visit(x, depth + 1);
  };
  for (const o of model.objects) {
    if (o.ns !== ns) continue;
    if (o.kind === 'ServiceAccount' && o.group === '') declared.add(o.name);
    else if (o.kind !== 'AuthorizationPolicy') visit(o.root, 0);
  }
  byNs.set(ns, r);
  return r;
}

/**
 * The HTTP attributes of a rule that ztunnel cannot enforce, as istiod's ambient conversion reads them
 * (`pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go` handleRule): `to.operation`
 * hosts/notHosts/methods/notMethods/paths/notPaths, `from.source` remoteIpBlocks/notRemoteIpBlocks/
 * requestPrincipals/notRequestPrincipals, and any `when` key other than source.ip, source.namespace,
 * source.principal, destination.ip and destination.port. Each with the key node (for ranges).
 */
export function ztunnelHttpAttributes(r: AuthzRule): { name: string; node: YNode }[] {
  const out: { name: string; node: YNode }[] = [];
  const keys = (n: YNode | undefined, names: string[], prefix: string) => {
    if (!isMap(n)) return;
    for (const p of n.items) {
      const k = String(p.key.v);
      if (names.includes(k) && seq(n, k).length > 0) out.push({ name: `${prefix}.${k}`, node: p.key });
    }
  };
  for (const t of seq(r.node, 'to')) keys(get(t, 'operation'), ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'], 'to.operation');
  for (const f of seq(r.node, 'from')) keys(get(f, 'source'), ['remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals'], 'from.source');
  for (const w of seq(r.node, 'when')) {
    const k = str(w, 'key');
    const kn = get(w, 'key');
    if (k !== undefined && kn && !L4_WHEN.has(k)) out.push({ name: `when ${k}`, node: kn });
  }
  return out;
}

const L4_WHEN = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);
