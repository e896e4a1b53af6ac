import { defineRule } from './rule';
import { nginxFacts } from '../model/nginx';
import { replace } from '../fixes/edits';

/**
 * `proxy_pass grpc://...` is refused by nginx ("invalid URL prefix", ngx_http_proxy_module accepts only
 * http:// and https://); gRPC is proxied with grpc_pass (ngx_http_grpc_module), which speaks HTTP/2 to the
 * upstream as gRPC requires.
 */
export default defineRule({
  id: 'nginx-proxy-pass-grpc',
  defaultSeverity: 'error',
  description: 'proxy_pass with a grpc:// or grpcs:// URL: nginx refuses the configuration ("invalid URL prefix"); gRPC needs grpc_pass.',
  kinds: ['ConfigMap', 'nginx'],
  check({ model, report }) {
    for (const t of nginxFacts(model).targets) {
      if (t.directive.name !== 'proxy_pass' || !t.scheme.startsWith('grpc')) continue;
      const d = t.directive;
      report({
        file: t.file,
        start: d.args[0].start,
        end: d.args[0].end,
        message: `nginx does not start with "proxy_pass ${d.args[0].value}": the proxy module knows only http:// and https:// ("invalid URL prefix"). gRPC is proxied with grpc_pass, which speaks HTTP/2 to the upstream as gRPC requires (the listening server needs http2 on too).`,
        fixes: t.conf.exact ? [{ title: 'Use grpc_pass', edits: [replace(t.file, d.nameStart, d.nameEnd, 'grpc_pass')], preferred: true }] : [],
      });
    }
  },
});
