/**
 * PeerAuthentication: the typed view and the effective mTLS mode of a workload (port).
 * Istio (`pilot/pkg/security/authn/policy_applier.go` `ComposePeerAuthentication`, fed by
 * `pilot/pkg/model/authentication.go` `getConfigsForWorkload`):
 *  - scopes: workload (a selector, in the workload's namespace) over namespace-wide over mesh-wide
 *    (a namespace-wide policy in the root namespace) over PERMISSIVE; UNSET inherits from the parent;
 *  - a policy WITH a selector in the root namespace is ignored (it is neither mesh-wide nor a
 *    workload policy);
 *  - several policies in one scope: the oldest (metadata.creationTimestamp; equal times, which are
 *    common since Kubernetes stores seconds, by name: `pkg/config/model.go` `sortConfigByCreationTime`) wins. Repositories rarely
 *    carry the timestamp: then meshlint takes the first in file order and says the result is uncertain
 *    when another candidate would give a different mode;
 *  - portLevelMtls comes from the workload policy only, keyed by the port the workload receives on
 *    (the Service targetPort), UNSET inheriting the workload's mode.
 * A PeerAuthentication with portLevelMtls and no selector is rejected by validation
 * (`pkg/config/validation` `ValidatePeerAuthentication`: "mesh/namespace peer authentication cannot
 * have port level mTLS"; the CRD's CEL rule "portLevelMtls requires selector"): it never exists in the
 * cluster, so it decides nothing here.
 */
import type { K8sObject } from '../source/yaml';
import { get, str, strMap, mapEntries, isMap, isScalar, pair } from '../source/ynode';
import type { EffectiveMtls, MtlsMode, PeerAuth, Workload } from './model';

function mtlsMode(v: string | undefined): MtlsMode | undefined {
  const u = v?.toUpperCase();
  return u === 'STRICT' || u === 'PERMISSIVE' || u === 'DISABLE' ? u : undefined;
}

export function toPeerAuth(o: K8sObject): PeerAuth {
  const spec = get(o.root, 'spec');
  const selNode = get(spec, 'selector', 'matchLabels');
  const modeNode = get(spec, 'mtls', 'mode');
  const portLevel: PeerAuth['portLevel'] = [];
  for (const p of mapEntries(spec, 'portLevelMtls')) {
    const port = Number(p.key.v);
    const m = get(p.value, 'mode');
    portLevel.push({ port, mode: mtlsMode(str(m)), keyNode: p.key, modeNode: isScalar(m) ? m : undefined });
  }
  const ts = Date.parse(str(o.root, 'metadata', 'creationTimestamp') ?? '');
  return {
    obj: o,
    ns: o.ns,
    selector: isMap(selNode) ? strMap(selNode) : undefined,
    selectorNode: isMap(selNode) ? selNode : undefined,
    mode: mtlsMode(str(modeNode)),
    modeNode: isScalar(modeNode) ? modeNode : undefined,
    portLevel,
    portLevelPair: pair(spec, 'portLevelMtls'),
    created: Number.isFinite(ts) ? ts : undefined,
  };
}

export function hasSelector(pa: PeerAuth): boolean {
  return !!pa.selector && Object.keys(pa.selector).length > 0;
}

/** Rejected by Istio's validation (portLevelMtls without a selector): the object never exists. */
export function rejectedByValidation(pa: PeerAuth): boolean {
  return !!pa.portLevelPair && !hasSelector(pa);
}

function matches(sel: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  return true;
}

/** The oldest candidate, and the others when creation order is unknown (file order is a guess). */
function oldest(cands: PeerAuth[]): { pick?: PeerAuth; unsure: PeerAuth[] } {
  if (cands.length <= 1) return { pick: cands[0], unsure: [] };
  if (cands.every((c) => c.created !== undefined)) {
    return { pick: byCreation(cands), unsure: [] };
  }
  return { pick: cands[0], unsure: cands.slice(1) };
}

/**
 * Selector-less (namespace-wide, or mesh-wide in the root namespace) policies that exist in the cluster,
 * grouped by namespace: Istio applies one per namespace, the oldest.
 */
export function namespaceWidePolicies(peerAuths: readonly PeerAuth[]): Map<string, PeerAuth[]> {
  const out = new Map<string, PeerAuth[]>();
  for (const pa of peerAuths) {
    if (hasSelector(pa) || rejectedByValidation(pa)) continue;
    const l = out.get(pa.ns);
    if (l) l.push(pa);
    else out.set(pa.ns, [pa]);
  }
  return out;
}

/**
 * The policy Istio takes among several of one scope (`ComposePeerAuthentication`: the oldest by
 * metadata.creationTimestamp, ties by name), or undefined when the files do not tell: a candidate
 * without the timestamp.
 */
export function oldestKnown(cands: readonly PeerAuth[]): PeerAuth | undefined {
  if (!cands.length || !cands.every((c) => c.created !== undefined)) return undefined;
  return byCreation(cands);
}

/**
 * The first by Istio's config order (pkg/config/model.go `sortConfigByCreationTime`): creation time,
 * then name, then namespace. Kubernetes stores whole seconds, so ties are common; the name decides them.
 */
function byCreation(cands: readonly PeerAuth[]): PeerAuth {
  let best = cands[0];
  for (const c of cands) {
    if (c.created! < best.created! || (c.created === best.created && (c.obj.name < best.obj.name || (c.obj.name === best.obj.name && c.ns < best.ns)))) best = c;
  }
  return best;
}

export interface PolicySet {
  workload?: PeerAuth;
  namespace?: PeerAuth;
  mesh?: PeerAuth;
}

/** The policies Istio composes for a workload, and for each scope the candidates it might have taken instead. */
export function policiesFor(rootNamespace: string, byNs: ReadonlyMap<string, PeerAuth[]>, w: Workload): { set: PolicySet; unsure: { scope: keyof PolicySet; alt: PeerAuth }[] } {
  const valid = (l: PeerAuth[] | undefined) => (l ?? []).filter((p) => !rejectedByValidation(p));
  const inNs = w.ns === rootNamespace ? [] : valid(byNs.get(w.ns));
  const w1 = oldest(inNs.filter((p) => hasSelector(p) && matches(p.selector!, w.podLabels)));
  const n1 = oldest(inNs.filter((p) => !hasSelector(p)));
  const m1 = oldest(valid(byNs.get(rootNamespace)).filter((p) => !hasSelector(p)));
  const unsure = [...w1.unsure.map((alt) => ({ scope: 'workload' as const, alt })), ...n1.unsure.map((alt) => ({ scope: 'namespace' as const, alt })), ...m1.unsure.map((alt) => ({ scope: 'mesh' as const, alt }))];
  return { set: { workload: w1.pick, namespace: n1.pick, mesh: m1.pick }, unsure };
}

function span(pa: PeerAuth, n: { start: number; end: number } | undefined) {
  return n ? { file: pa.obj.file, start: n.start, end: n.end } : undefined;
}

export function compose(set: PolicySet, port?: number): EffectiveMtls {
  const { workload, namespace, mesh } = set;
  if (workload && port !== undefined) {
    const pl = workload.portLevel.find((p) => p.port === port);
    if (pl?.mode) return { mode: pl.mode, policy: workload, scope: 'port', span: span(workload, pl.modeNode) };
  }
  if (workload?.mode) return { mode: workload.mode, policy: workload, scope: 'workload', span: span(workload, workload.modeNode) };
  if (namespace?.mode) return { mode: namespace.mode, policy: namespace, scope: 'namespace', span: span(namespace, namespace.modeNode) };
  if (mesh?.mode) return { mode: mesh.mode, policy: mesh, scope: 'mesh', span: span(mesh, mesh.modeNode) };
  return { mode: 'PERMISSIVE', scope: 'default' };
}

/** Effective mode on a workload port (the port the workload receives on: the Service targetPort). */
export function effectiveMtls(rootNamespace: string, byNs: ReadonlyMap<string, PeerAuth[]>, w: Workload, port?: number): EffectiveMtls {
  const { set, unsure } = policiesFor(rootNamespace, byNs, w);
  const eff = compose(set, port);
  const differ = unsure.filter((u) => compose({ ...set, [u.scope]: u.alt }, port).mode !== eff.mode);
  if (!differ.length) return eff;
  const names = (scope: keyof PolicySet) => [set[scope]!, ...differ.filter((u) => u.scope === scope).map((u) => u.alt)].map((p) => `${p.ns}/${p.obj.name}`);
  const scope = differ[0].scope;
  return {
    ...eff,
    uncertain: `PeerAuthentications ${names(scope).join(' and ')} all apply ${scope === 'workload' ? `to ${w.kind} ${w.name}` : scope === 'namespace' ? `namespace-wide in ${w.ns}` : 'mesh-wide'} and Istio applies the oldest (metadata.creationTimestamp), which the workspace does not show; meshlint took ${set[scope]!.obj.name}, the first in file order`,
  };
}
