import { defineRule } from './rule';
import { nginxFacts, effectiveDirective } from '../model/nginx';
import { insertLinesAfter } from '../fixes/edits';
import type { Service } from '../model/model';

export default defineRule({
  id: 'nginx-upstream-http10',
  defaultSeverity: 'warning',
  description: 'nginx proxies to an in-mesh service over HTTP/1.0 (its default); Envoy rejects HTTP/1.0 with 426 Upgrade Required.',
  kinds: ['ConfigMap', 'nginx'],
  check({ model, report }) {
    const facts = nginxFacts(model);
    for (const t of facts.targets) {
      if (t.scheme !== 'http') continue;
      const services = (t.upstream ? t.upstream.servers.map((s) => s.service) : [t.service]).filter((s): s is Service => !!s);
      if (!services.length) continue;
      const callerSidecar = t.caller.mesh === 'sidecar';
      const target = services.find((s) => model.serviceMesh(s) === 'sidecar');
      if (!callerSidecar && !target) continue;
      const v = effectiveDirective(facts, t, 'proxy_http_version');
      if (v.unknown) continue;
      if (v.value && v.value.d.args[0]?.value !== '1.0') continue;
      const svc = target ?? services[0];
      const text = model.text(t.file);
      const who = callerSidecar ? "this nginx's sidecar" : `the sidecar of ${svc.name}`;
      report({
        // the directive may sit in an included file
        file: v.value ? v.value.file : t.file,
        start: v.value ? v.value.d.args[0].start : t.directive.nameStart,
        end: v.value ? v.value.d.args[0].end : t.directive.nameEnd,
        message: `nginx speaks HTTP/1.0 to upstreams unless proxy_http_version 1.1 is set; ${who} (Envoy) answers HTTP/1.0 requests with 426 Upgrade Required. Istio's application requirements ask for HTTP/1.1 or HTTP/2. Add proxy_http_version 1.1 for the call to ${svc.ns}/${svc.name}.`,
        fixes:
          t.conf.exact && text && !v.value
            ? [{ title: 'Add proxy_http_version 1.1', edits: [insertLinesAfter(text, t.file, t.directive.end, ['proxy_http_version 1.1;'])], preferred: true }]
            : [],
      });
    }
  },
});
