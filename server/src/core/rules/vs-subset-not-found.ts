import { defineRule } from './rule';
import { routing, lookupHost, closeNames, closeNameFixes, visibleTo, fqdn, VirtualService } from '../model/routing';
import { namespaceEnrolment } from '../model/membership';
import { destinationRuleFor, describeSelection, mergedSubsets, namespacesWithRulesFor, DrSelection } from '../model/destination';
import { selects, type MeshModel } from '../model/model';
import type { RelatedInfo } from '../types';

/**
 * The namespaces of the proxies that run this VirtualService's routes: the gateway workloads for
 * gateway-bound routes; for `mesh` (the default), every sidecar the VirtualService is exported to,
 * of which the workspace shows its own namespace, the service's, the callers' and the namespaces
 * that write DestinationRules for the host.
 */
function clientNamespaces(model: MeshModel, vs: VirtualService, refs: string[], host: string, known: Set<string>): string[] {
  const out = new Set<string>();
  if (!refs.length || refs.includes('mesh')) {
    // a namespace whose rule names the host may call it, if its pods can have sidecars at all
    const sidecarNs = (ns: string) => {
      const o = model.namespaces.get(ns);
      if (o && namespaceEnrolment(o).injection) return true;
      const ws = model.workloadsIn(ns);
      return ws.length ? ws.some((w) => model.membership(w).mode === 'sidecar') : !o;
    };
    const cands = [vs.ns, ...known, ...namespacesWithRulesFor(model, host).filter(sidecarNs)];
    for (const c of cands) if (visibleTo(vs.exportTo, vs.ns, c)) out.add(c);
  }
  const gws = routing(model).gateways;
  for (const ref of refs) {
    if (ref === 'mesh') continue;
    const [gns, gname] = ref.includes('/') ? ref.split('/', 2) : [vs.ns, ref];
    const gw = gws.find((g) => g.ns === gns && g.name === gname);
    const pods = gw && Object.keys(gw.selector).length ? model.workloads.filter((w) => selects(gw.selector, w.podLabels)) : [];
    // a gateway whose pods the workspace does not show runs where Istio installs gateways by default
    if (pods.length) for (const w of pods) out.add(w.ns);
    else out.add(model.meshConfig.rootNamespace);
  }
  return [...out];
}

export default defineRule({
  id: 'vs-subset-not-found',
  defaultSeverity: 'error',
  description: 'A VirtualService route names a subset that the DestinationRule its clients use for that host does not define: Envoy has no cluster for it and the route fails with 503.',
  kinds: ['VirtualService', 'DestinationRule'],
  check({ model, report }) {
    for (const vs of routing(model).virtualServices) {
      for (const d of vs.destinations) {
        if (!d.subset || !d.subsetNode) continue;
        const l = lookupHost(model, d.host, vs.ns, vs.obj.file);
        if (l.status === 'missing') continue; // vs-host-not-found says it
        const host = fqdn(model, d.host, vs.ns);
        const svcNs = l.service?.ns ?? l.serviceEntry?.ns;
        const callers = l.service ? model.callersOf(l.service).filter((c) => c.mesh === 'sidecar').flatMap((c) => c.from.map((w) => w.ns)) : [];
        const known = new Set(callers);
        const clients = clientNamespaces(model, vs, d.gateways, host, known);
        const failing: { ns: string; sel?: DrSelection }[] = [];
        let anyHas = false;
        for (const c of clients) {
          const v = destinationRuleFor(model, host, svcNs, c);
          if (v.uncertain) continue;
          if (mergedSubsets(v.selection).includes(d.subset)) anyHas = true;
          else failing.push({ ns: c, sel: v.selection });
        }
        if (!failing.length) continue;
        // no DestinationRule anywhere: only meaningful when the workspace shows the host's service
        if (failing.every((f) => !f.sel) && !anyHas && (l.status !== 'found' || !l.service)) continue;
        // clients the workspace shows (callers, gateway pods); the VirtualService's own namespace and
        // namespaces with a rule for the host only may call: when some client does find the subset,
        // a namespace that only may call is not reported (a false 503 costs more than a missed one)
        const sure = failing.filter((f) => known.has(f.ns) || d.gateways.some((g) => g !== 'mesh') || (!anyHas && f.ns === vs.ns));
        if (!sure.length && anyHas) continue;
        const defined = [...new Set(failing.flatMap((f) => mergedSubsets(f.sel)))];
        const everywhere = [...new Set(model.destinationRules.filter((dr) => fqdn(model, dr.host, dr.ns) === host).flatMap((dr) => dr.subsets.map((s) => s.name)).filter(Boolean))];
        const close = closeNames(d.subset, defined, 5);
        const offer = [...close, ...defined.filter((x) => !close.includes(x))].slice(0, 5);
        const what = `VirtualService ${vs.ns}/${vs.obj.name} ${d.mirror ? 'mirrors' : 'routes'} to subset ${d.subset} of host ${d.host}`;
        const nsList = (fs: typeof failing) => fs.map((f) => f.ns).join(', ');
        const parts: string[] = [];
        const bySel = new Map<string, typeof failing>();
        for (const f of failing) {
          const k = f.sel ? f.sel.rules.map((r) => `${r.ns}/${r.obj.name}`).join(',') : '';
          bySel.set(k, [...(bySel.get(k) ?? []), f]);
        }
        for (const fs of bySel.values()) {
          const sel = fs[0].sel;
          const subs = mergedSubsets(sel);
          parts.push(
            sel
              ? `clients in namespace${fs.length > 1 ? 's' : ''} ${nsList(fs)} use ${describeSelection(sel)}, which define${sel.rules.length > 1 ? '' : 's'} ${subs.length ? `only subset${subs.length > 1 ? 's' : ''} ${subs.join(', ')}` : 'no subsets'}`
              : `no DestinationRule for that host is visible to clients in namespace${fs.length > 1 ? 's' : ''} ${nsList(fs)}`,
          );
        }
        const elsewhere = anyHas || everywhere.includes(d.subset) ? ` Istio picks one DestinationRule per client: the client's own namespace first, then the service's namespace, then the root namespace (exported rules only), so a subset defined in another rule does not help these clients.` : '';
        const related: RelatedInfo[] = [];
        for (const f of failing) for (const dr of f.sel?.rules ?? []) if (!related.some((r) => r.span.file === dr.obj.file && r.span.start === (dr.hostNode?.start ?? dr.obj.root.start))) related.push({ span: { file: dr.obj.file, start: dr.hostNode?.start ?? dr.obj.root.start, end: dr.hostNode?.end ?? dr.obj.root.start }, message: `DestinationRule ${dr.ns}/${dr.obj.name} for host ${dr.host}` });
        report({
          file: vs.obj.file,
          start: d.subsetNode.start,
          end: d.subsetNode.end,
          severity: sure.length ? undefined : 'warning',
          message: `${what}, but ${parts.join('; ')}. Envoy has no cluster for an undefined subset: ${sure.length ? '' : 'if they call this host, '}their requests on this route fail with 503 (NR).${elsewhere}`,
          related: related.length ? related : undefined,
          fixes: closeNameFixes(vs.obj.file, d.subsetNode, offer, undefined, 'subset '),
        });
      }
    }
  },
});
