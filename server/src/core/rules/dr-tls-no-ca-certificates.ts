import { defineRule } from './rule';
import { YNode, get, str, num, seq, isScalar } from '../source/ynode';
import { istioAtLeast } from '../model/version';

/** Client TLS settings of a DestinationRule that originate TLS and name no CA to verify the server with. */
function unverified(tls: YNode | undefined): { mode: string; modeNode: YNode; credentialName?: string } | undefined {
  const modeNode = get(tls, 'mode');
  const mode = str(tls, 'mode');
  if (!modeNode || (mode !== 'SIMPLE' && mode !== 'MUTUAL')) return undefined;
  if (str(tls, 'caCertificates')) return undefined;
  const skip = get(tls, 'insecureSkipVerify');
  if (isScalar(skip) && (skip.v === true || String(skip.v) === 'true')) return undefined; // verification switched off on purpose
  return { mode, modeNode, credentialName: str(tls, 'credentialName') };
}

export default defineRule({
  id: 'dr-tls-no-ca-certificates',
  defaultSeverity: 'information',
  description: 'A DestinationRule originates SIMPLE or MUTUAL TLS without caCertificates: before Istio 1.20 the server certificate is not verified (warning); from 1.20 it is verified against the proxy\'s OS CA bundle only, which an in-cluster server with a private CA fails.',
  kinds: ['DestinationRule'],
  check({ model, report }) {
    const verifies = istioAtLeast(model.meshConfig.istioVersion, '1.20');
    for (const dr of model.destinationRules) {
      if (!dr.host) continue;
      const spec = get(dr.obj.root, 'spec');
      const levels: { tls: YNode | undefined; port?: number }[] = [{ tls: get(spec, 'trafficPolicy', 'tls') }];
      for (const pl of seq(spec, 'trafficPolicy', 'portLevelSettings')) levels.push({ tls: get(pl, 'tls'), port: num(pl, 'port', 'number') });
      const r = model.resolveIstioHost(dr.host, dr.ns);
      // from 1.20 the OS CA bundle verifies public servers: only in-cluster servers (private CAs, usually) are at risk
      const inCluster = r.clusterLocal && !r.service?.externalName;
      if (verifies && !inCluster) continue;
      for (const l of levels) {
        const u = unverified(l.tls);
        if (!u) continue;
        // a credentialName Secret may carry the CA (ca.crt): the workspace does not show what it holds
        if (u.credentialName) continue;
        const where = `${l.port !== undefined ? `port ${l.port} of ` : ''}host ${dr.host}`;
        report({
          file: dr.obj.file,
          start: u.modeNode.start,
          end: u.modeNode.end,
          severity: verifies ? undefined : 'warning',
          message: verifies
            ? `DestinationRule ${dr.ns}/${dr.obj.name} originates ${u.mode} TLS to ${where} without caCertificates. Since Istio 1.20 (VERIFY_CERTIFICATE_AT_CLIENT on) the proxy then verifies the server certificate against its OS CA bundle only: an in-cluster server whose certificate comes from a private CA fails the handshake (503, CERTIFICATE_VERIFY_FAILED). Set caCertificates to that CA.`
            : `DestinationRule ${dr.ns}/${dr.obj.name} originates ${u.mode} TLS to ${where} without caCertificates: with Istio ${model.meshConfig.istioVersion} (before 1.20, VERIFY_CERTIFICATE_AT_CLIENT off) the proxy does not verify the server certificate, so any server can impersonate ${dr.host}. Set caCertificates (or insecureSkipVerify: true to say it is deliberate).`,
        });
      }
    }
  },
});
