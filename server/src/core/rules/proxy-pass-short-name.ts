import { defineRule } from './rule';
import { nginxFacts } from '../model/nginx';
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
      if (t.upstream) {
        for (const s of t.upstream.servers) {
          if (s.service && !s.host.includes('.')) flag(s.file, s.arg.start + (s.arg.quote ? 1 : 0), s.arg.start + (s.arg.quote ? 1 : 0) + s.host.length, s.host, s.service, t.conf.exact);
        }
      } else if (t.service && !t.host.includes('.')) {
        flag(t.file, t.hostStart, t.hostEnd, t.host, t.service, t.conf.exact);
      }
    }
  },
});
