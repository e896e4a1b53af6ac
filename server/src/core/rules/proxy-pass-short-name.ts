import { defineRule } from './rule';
import { nginxFacts, effectiveDirective } from '../model/nginx';
import { replace } from '../fixes/edits';
import type { Service } from '../model/model';

export default defineRule({
  id: 'proxy-pass-short-name',
  defaultSeverity: 'information',
  description: 'proxy_pass (or an upstream server) uses a short service name; the fully qualified name is unambiguous.',
  kinds: ['ConfigMap', 'Service', 'nginx'],
  check({ model, report }) {
    const facts = nginxFacts(model);
    const seen = new Set<string>();
    const flag = (file: string, start: number, end: number, host: string, svc: Service, exact: boolean) => {
      const key = `${file}:${start}`;
      if (seen.has(key)) return;
      seen.add(key);
      const fqdn = `${svc.name}.${svc.ns}.svc.cluster.local`;
      report({
        file,
        start,
        end,
        message: `"${host}" is a short name: it resolves through the pod's DNS search path to ${fqdn} only from namespace ${svc.ns}. Use the fully qualified name so the target does not depend on where this nginx runs.`,
        fixes: exact ? [{ title: `Use ${fqdn}`, edits: [replace(file, start, end, fqdn)], preferred: true }] : [],
      });
    };
    for (const t of facts.targets) {
      if (t.variable && !t.upstream && t.service && t.res.clusterLocal) {
        // a host from a variable is resolved at run time by nginx's own resolver, which reads no search path
        const file = t.hostFile ?? t.file;
        const fq = /\.svc\.cluster\.local\.?$/i.test(t.host);
        const r = effectiveDirective(facts, t, 'resolver');
        if (fq && (r.value || r.unknown)) continue;
        const fqdn = `${t.service.name}.${t.service.ns}.svc.cluster.local`;
        seen.add(`${file}:${t.hostStart}`);
        report({
          file,
          start: t.hostStart,
          end: t.hostEnd,
          severity: 'warning',
          message:
            `${t.directive.name} ${t.directive.args[0].value} takes its host from ${t.variable}, so nginx resolves "${t.host}" at run time with its own resolver (the \`resolver\` directive), not with the pod's resolv.conf: ` +
            (fq ? 'no resolver is set, so nginx answers 502 ("no resolver defined to resolve").' : `the DNS search path does not apply and "${t.host}" does not resolve (502). Use ${fqdn}${r.value || r.unknown ? '' : ' and set a resolver (e.g. kube-dns.kube-system.svc.cluster.local)'}.`),
          fixes: !fq && (r.value || r.unknown) && t.conf.exact ? [{ title: `Use ${fqdn}`, edits: [replace(file, t.hostStart, t.hostEnd, fqdn)], preferred: true }] : [],
        });
        continue;
      }
      if (t.upstream) {
        for (const s of t.upstream.servers) {
          if (s.service && !s.host.includes('.')) flag(s.file, s.arg.start + (s.arg.quote ? 1 : 0), s.arg.start + (s.arg.quote ? 1 : 0) + s.host.length, s.host, s.service, t.conf.exact);
        }
      } else if (t.service && !t.host.includes('.')) {
        flag(t.hostFile ?? t.file, t.hostStart, t.hostEnd, t.host, t.service, t.conf.exact);
      }
    }
  },
});
