import { defineRule } from './rule';
import { nginxFacts, effectiveDirective, callMesh } from '../model/nginx';
import { insertLinesAfter } from '../fixes/edits';
import { istioAtLeast } from '../model/version';
import { serviceCall, defaultPort, ServiceCall } from '../model/protocol';

export default defineRule({
  id: 'nginx-upstream-http10',
  defaultSeverity: 'warning',
  description: 'nginx proxies to an in-mesh service over HTTP/1.0 (its default); Envoy rejects HTTP/1.0 with 426 Upgrade Required.',
  kinds: ['ConfigMap', 'nginx'],
  check({ model, report }) {
    const facts = nginxFacts(model);
    for (const t of facts.targets) {
      if (t.scheme !== 'http' || t.directive.name !== 'proxy_pass') continue;
      // Envoy answers HTTP/1.0 with 426 only on ports declared HTTP; a sniffed port passes HTTP/1.0 as TCP
      // (plaintextHTTPALPNs leaves out http/1.0 unless PILOT_HTTP10), a TCP port never parses HTTP
      // before Istio 1.13 the sniffing chain matched HTTP/1.0 as HTTP too (istioVersion in .meshlint.yaml)
      const sniffed426 = !istioAtLeast(model.meshConfig.istioVersion, '1.13');
      const calls = (t.upstream ? t.upstream.servers.map((s) => (s.service ? serviceCall(model, s.service, s.port ?? 80) : undefined)) : [t.service ? serviceCall(model, t.service, t.port ?? defaultPort(t.scheme)) : undefined]).filter(
        (c): c is ServiceCall => !!c && (c.proto.cls === 'http' || (sniffed426 && c.proto.cls === 'sniffed')),
      );
      if (!calls.length) continue;
      const services = calls.map((c) => c.svc);
      const callerSidecar = callMesh(t) === 'sidecar';
      const target = services.find((s) => model.serviceMesh(s) === 'sidecar');
      if (!callerSidecar && !target) continue;
      const call = calls[services.indexOf(target ?? services[0])];
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
        message: `nginx speaks HTTP/1.0 to upstreams unless proxy_http_version 1.1 is set; ${who} (Envoy) answers HTTP/1.0 requests on port ${call.port} (${call.proto.cls === 'http' ? `declared HTTP by ${call.proto.why}` : `${call.proto.why}: sniffed, and Istio ${model.meshConfig.istioVersion} sniffs HTTP/1.0 as HTTP`}) with 426 Upgrade Required. Istio's application requirements ask for HTTP/1.1 or HTTP/2. Add proxy_http_version 1.1 for the call to ${svc.ns}/${svc.name}.`,
        fixes:
          t.conf.exact && text && !v.value
            ? [{ title: 'Add proxy_http_version 1.1', edits: [insertLinesAfter(text, t.file, t.directive.end, ['proxy_http_version 1.1;'])], preferred: true }]
            : [],
      });
    }
  },
});
