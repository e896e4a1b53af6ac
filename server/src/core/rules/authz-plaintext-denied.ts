import { defineRule } from './rule';
import type { RelatedInfo, Span } from '../types';
import { Workload } from '../model/model';
import { authzPolicies, plaintextDeniedBy, AuthzPolicy } from '../model/authz';
import { prometheusFacts } from '../model/prometheus';

interface Hit {
  policy: AuthzPolicy;
  how: 'deny-anonymous' | 'allow-identity';
  w: Workload;
  callers: { span: Span; description: string; port: number }[];
}

export default defineRule({
  id: 'authz-plaintext-denied',
  defaultSeverity: 'warning',
  description: 'An AuthorizationPolicy denies requests without an mTLS identity (an ALLOW policy admitting only source.principals / namespaces, or a DENY rule notPrincipals: ["*"]) on a workload that also receives plaintext from callers outside the mesh: those requests are denied.',
  kinds: ['AuthorizationPolicy'],
  check({ model, report }) {
    if (!authzPolicies(model).some((p) => p.action === 'ALLOW' || p.action === 'DENY')) return;
    const hits = new Map<string, Hit>();
    const consider = (w: Workload, cport: number, span: Span, description: string) => {
      const mode = model.membership(w).mode;
      if (mode === 'none') return; // no proxy enforces the policy
      if (model.effectiveMtls(w, cport).mode === 'STRICT') return; // rejected before authorization: strict-mtls-plaintext-client
      const d = plaintextDeniedBy(model, w);
      if (!d) return;
      const key = `${d.policy.obj.file}:${d.policy.obj.root.start}|${w.ns}/${w.name}`;
      const h = hits.get(key) ?? { policy: d.policy, how: d.how, w, callers: [] };
      if (!h.callers.some((c) => c.span.file === span.file && c.span.start === span.start)) h.callers.push({ span, description, port: cport });
      hits.set(key, h);
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
      const ws = [...new Set(hs.map((h) => `${h.w.kind} ${h.w.name}`))].join(', ');
      const callers = [...new Set(hs.flatMap((h) => h.callers.map((c) => `${c.description} (port ${c.port})`)))];
      const ambient = hs.every((h) => model.membership(h.w).mode === 'ambient');
      const related: RelatedInfo[] = hs.flatMap((h) => h.callers.map((c) => ({ span: c.span, message: `plaintext caller: ${c.description}` })));
      const denied = `${ambient ? 'ztunnel closes the connection' : 'HTTP 403 "RBAC: access denied"'}`;
      const from = `${callers.slice(0, 3).join('; ')}${callers.length > 3 ? '; ...' : ''}`;
      if (hs[0].how === 'deny-anonymous') {
        const rule = p.rules.find((r) => r.matchesAnonymous)!;
        report({
          file: p.obj.file,
          start: rule.node.start,
          end: rule.node.end,
          message: `DENY policy ${p.ns}/${p.obj.name} denies every request without a peer identity (notPrincipals/notNamespaces: ["*"]), and ${ws} receive${hs.length > 1 ? '' : 's'} plaintext from ${from}: a plaintext request has no identity, so this rule matches it and it is denied (${denied}). Exempt those callers (e.g. by ipBlocks or paths in the rule), or bring them into the mesh.`,
          related,
        });
        continue;
      }
      const rule = p.rules[0];
      const src = rule.sources.find((s) => s.needsIdentity);
      const at = src ? (src.principals[0] ?? src.namespaces[0]) : rule.node;
      const field = src ? (src.principals.length ? 'source.principals' : 'source.namespaces') : 'a when condition on source.principal/namespace';
      report({
        file: p.obj.file,
        start: at.start,
        end: at.end,
        message: `ALLOW policy ${p.ns}/${p.obj.name} admits requests only by ${field} (mTLS peer identities), but ${ws} also receive${hs.length > 1 ? '' : 's'} plaintext from ${from}. A plaintext request has no peer identity, matches no rule and is denied (${denied}). Allow those callers by another rule (e.g. ipBlocks or paths), or bring them into the mesh.`,
        related,
      });
    }
  },
});
