import type { Rule } from './rule';
import hostHeaderPassthrough from './host-header-passthrough';
import proxyPassShortName from './proxy-pass-short-name';
import missingDestinationRule from './missing-destination-rule';
import strictMtlsPlaintextClient from './strict-mtls-plaintext-client';
import ingressBypassesProxy from './ingress-bypasses-proxy';
import portLevelMtlsWithoutSelector from './port-level-mtls-without-selector';
import nginxUpstreamHttp10 from './nginx-upstream-http10';
// mTLS, security, ambient and Prometheus rules (issue 5)
import prometheusSdTargetMissing from './prometheus-sd-target-missing';
import drTlsConflict from './dr-tls-conflict';
import portLevelMtlsUnknownPort from './port-level-mtls-unknown-port';

export const RULES: Rule[] = [
  hostHeaderPassthrough,
  proxyPassShortName,
  missingDestinationRule,
  strictMtlsPlaintextClient,
  ingressBypassesProxy,
  portLevelMtlsWithoutSelector,
  nginxUpstreamHttp10,
  // mTLS, security, ambient and Prometheus rules (issue 5)
  prometheusSdTargetMissing,
  drTlsConflict,
  portLevelMtlsUnknownPort,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
