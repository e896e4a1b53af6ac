import { defineRule } from './rule';
import { addresslessTcpPorts } from '../model/serviceentry';
import { routing } from '../model/routing';

export default defineRule({
  id: 'serviceentry-tcp-no-address',
  defaultSeverity: 'warning',
  description: 'A ServiceEntry port with protocol TCP (or none) has no addresses: sidecars can match its traffic by port only, so it collides with any other TCP destination on that port.',
  kinds: ['ServiceEntry', 'IstioOperator', 'ConfigMap'],
  check({ model, report }) {
    const entries = routing(model).serviceEntries;
    for (const { obj, port } of addresslessTcpPorts(model)) {
      const at = port.protocolNode ?? port.numberNode ?? port.node;
      const hosts = entries.find((e) => e.obj === obj)?.hosts ?? [];
      const proto = port.protocol ? `protocol ${port.protocol}` : 'no protocol (Istio sniffs it; anything not detected as HTTP is plain TCP)';
      report({
        file: obj.file,
        start: at.start,
        end: at.end,
        message: `ServiceEntry ${obj.ns}/${obj.name} declares port ${port.number ?? '?'}${port.name ? ` (${port.name})` : ''} with ${proto} and no addresses. Without a virtual IP a sidecar can match TCP traffic only by destination port, so traffic for ${hosts.slice(0, 3).join(', ') || 'its hosts'} cannot be told apart from any other service on port ${port.number ?? '?'} (Istio requires the port not to be shared). Add the service's IP range under addresses, declare the real protocol (e.g. HTTPS or TLS, matched by host/SNI), or enable DNS proxying with address auto-allocation (ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE in meshConfig.defaultConfig.proxyMetadata).`,
      });
    }
  },
});
