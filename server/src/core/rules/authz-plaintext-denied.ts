import { defineRule } from './rule';
import type { RelatedInfo, Span } from '../types';
import { Workload } from '../model/model';
import { authzPolicies, appliesTo, AuthzPolicy } from '../model/authz';
import { prometheusFacts } from '../model/prometheus';

interface Hit {
  policy: AuthzPolicy;
  w: Workload;
  callers: { span: Span; description: string; port: number }[];
}

export default defineRule({
  id: 'authz-plaintext-denied',
  defaultSeverity: 'warning',
  description: 'An ALLOW AuthorizationPolicy admits only mTLS identities (source.principals / namespaces) on a workload that also receives plaintext from callers outside the mesh: those requests are denied.',
  kinds: ['AuthorizationPolicy'],
  check({ model, report }) {
    const policies = authzPolicies(model).filter((p) => p.action === 'ALLOW');
    if (!policies.length) return;
    const hits = new Map<string, Hit>();
    const consider = (w: Workload, cport: number, span: Span, description: string) => {
      const mode = model.membership(w).mode;
      if (mode === 'none') return; // no proxy enforces the policy
      if (model.effectiveMtls(w, cport).mode === 'STRICT') return; // rejected before authorization: strict-mtls-plaintext-client
      const applicable = policies.filter((p) => appliesTo(model, p, w));
      if (!applicable.length) return;
      // a request is allowed when any rule of any ALLOW policy matches: one rule that can match plaintext is enough
      if (applicable.some((p) => p.rules.some((r) => !r.needsIdentity))) return;
      for (const p of applicable) {
        if (!p.rules.length) continue;
        const key = `${p.obj.file}:${p.obj.root.start}|${w.ns}/${w.name}`;
        const h = hits.get(key) ?? { policy: p, w, callers: [] };
        if (!h.callers.some((c) => c.span.file === span.file && c.span.start === span.start)) h.callers.push({ span, description, port: cport });
        hits.set(key, h);
      }
    };
    for (const c of model.callers()) {
      if (c.mesh !== 'none' || c.kind === 'prometheus') continue;
      for (const w of model.serviceWorkloads(c.service)) {
        const ports = c.port !== undefined ? c.service.ports.filter((p) => p.port === c.port) : c.service.ports;
        for (const p of ports) {
          const cport = model.containerPort(c.service, p, w);
          if (cport !== undefined) consider(w, cport, c.span, c.description);
        }
      }
    }
    for (const t of prometheusFacts(model).targets) if (t.scraper.mesh === 'none') consider(t.workload, t.containerPort, t.span, t.description);

    // one finding per policy, naming the workloads and callers
    const byPolicy = new Map<AuthzPolicy, Hit[]>();
    for (const h of hits.values()) byPolicy.set(h.policy, [...(byPolicy.get(h.policy) ?? []), h]);
    for (const [p, hs] of byPolicy) {
      const rule = p.rules[0];
      const src = rule.sources.find((s) => s.needsIdentity);
      const at = src ? (src.principals[0] ?? src.namespaces[0]) : rule.node;
      const field = src ? (src.principals.length ? 'source.principals' : 'source.namespaces') : 'a when condition on source.principal/namespace';
      const ws = [...new Set(hs.map((h) => `${h.w.kind} ${h.w.name}`))].join(', ');
      const callers = [...new Set(hs.flatMap((h) => h.callers.map((c) => `${c.description} (port ${c.port})`)))];
      const ambient = hs.every((h) => model.membership(h.w).mode === 'ambient');
      const related: RelatedInfo[] = hs.flatMap((h) => h.callers.map((c) => ({ span: c.span, message: `plaintext caller: ${c.description}` })));
      report({
        file: p.obj.file,
        start: at.start,
        end: at.end,
        message: `ALLOW policy ${p.ns}/${p.obj.name} admits requests only by ${field} (mTLS peer identities), but ${ws} also receive${hs.length > 1 ? '' : 's'} plaintext from ${callers.slice(0, 3).join('; ')}${callers.length > 3 ? '; ...' : ''}. A plaintext request has no peer identity, matches no rule and is denied (${ambient ? 'ztunnel closes the connection' : 'HTTP 403 "RBAC: access denied"'}). Allow those callers by another rule (e.g. ipBlocks or paths), or bring them into the mesh.`,
        related,
      });
    }
  },
});
