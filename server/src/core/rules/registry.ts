import type { Rule } from './rule';
import hostHeaderPassthrough from './host-header-passthrough';
import proxyPassShortName from './proxy-pass-short-name';
import missingDestinationRule from './missing-destination-rule';
import strictMtlsPlaintextClient from './strict-mtls-plaintext-client';
import ingressBypassesProxy from './ingress-bypasses-proxy';
import portLevelMtlsWithoutSelector from './port-level-mtls-without-selector';
import nginxUpstreamHttp10 from './nginx-upstream-http10';
// routing and reference rules (issue 5)
import drHostNotFound from './dr-host-not-found';
import vsHostNotFound from './vs-host-not-found';
import drMultipleForHost from './dr-multiple-for-host';
import drSubsetNoWorkload from './dr-subset-no-workload';
import vsSubsetNotFound from './vs-subset-not-found';
import vsWeightsSum from './vs-weights-sum';
import vsGatewayNotFound from './vs-gateway-not-found';
import httprouteParentNotFound from './httproute-parent-not-found';
import httprouteBackendNotFound from './httproute-backend-not-found';
import gatewaySelectorNoWorkload from './gateway-selector-no-workload';
import rolloutTrafficRefNotFound from './rollout-traffic-ref-not-found';
// mTLS, security, ambient and Prometheus rules (issue 5)
import prometheusSdTargetMissing from './prometheus-sd-target-missing';
import drTlsConflict from './dr-tls-conflict';
import portLevelMtlsUnknownPort from './port-level-mtls-unknown-port';
import sidecarAndAmbient from './sidecar-and-ambient';
import authzPlaintextDenied from './authz-plaintext-denied';
import authzSelectorNoWorkload from './authz-selector-no-workload';
import authzDefaultServiceAccount from './authz-default-service-account';
import servicePortProtocol from './service-port-protocol';
// issue 14
import ingressNginxSidecarUpstream from './ingress-nginx-sidecar-upstream';
import nginxProxyPassGrpc from './nginx-proxy-pass-grpc';
// issue 15
import sidecarSelectorNoWorkload from './sidecar-selector-no-workload';
import sidecarMultipleForWorkload from './sidecar-multiple-for-workload';
import serviceentryTcpNoAddress from './serviceentry-tcp-no-address';
import gatewayDuplicateServer from './gateway-duplicate-server';
import sidecarResourceAmbient from './sidecar-resource-ambient';
// issue 15 (second batch)
import vsDuplicateHostGateway from './vs-duplicate-host-gateway';
import vsDestinationPortRequired from './vs-destination-port-required';
import drTlsNoCaCertificates from './dr-tls-no-ca-certificates';
import vsHostNotInGateway from './vs-host-not-in-gateway';
import gatewayPortNotExposed from './gateway-port-not-exposed';
// issue 15: schema validation
import istioUnknownField from './istio-unknown-field';
import istioBadEnum from './istio-bad-enum';
import istioWrongType from './istio-wrong-type';
import istioDeprecatedAnnotation from './istio-deprecated-annotation';
// issue 15 (third batch)
import vsUnreachableMatch from './vs-unreachable-match';
import httprouteListenerMismatch from './httproute-listener-mismatch';
import httprouteBackendNoReferencegrant from './httproute-backend-no-referencegrant';
import k8sUnknownField from './k8s-unknown-field';
import k8sBadEnum from './k8s-bad-enum';
import k8sWrongType from './k8s-wrong-type';
import istioBadLabel from './istio-bad-label';
// issue 15: PeerAuthentication, ServiceEntry and AuthorizationPolicy checks (batch d)
import peerauthSelectorNoWorkload from './peerauth-selector-no-workload';
import peerauthMultipleNamespaceWide from './peerauth-multiple-namespace-wide';
import serviceentryDuplicate from './serviceentry-duplicate';
import authzPrincipalNoWorkload from './authz-principal-no-workload';
// issue 15: ambient waypoints and Sidecar egress (batch f)
import ambientL7PolicyWithoutWaypoint from './ambient-l7-policy-without-waypoint';
import ambientWaypointNotFound from './ambient-waypoint-not-found';
import sidecarEgressExcludesCall from './sidecar-egress-excludes-call';
// issue 15: PeerAuthentication workload conflicts and annotation values
import peerauthMultipleForWorkload from './peerauth-multiple-for-workload';
import istioBadAnnotationValue from './istio-bad-annotation-value';
// issue 15: Kiali workload and Sidecar checks (KIA1312, KIA1004, KIA1006)
import ambientWaypointNotAmbient from './ambient-waypoint-not-ambient';
import sidecarEgressHostNotFound from './sidecar-egress-host-not-found';
import sidecarRootSelector from './sidecar-root-selector';
// issue 15: misplaced annotations (IST0107)
import istioMisplacedAnnotation from './istio-misplaced-annotation';
// issue 15: gateway TLS credentials
import gatewayCredentialMissing from './gateway-credential-missing';

export const RULES: Rule[] = [
  hostHeaderPassthrough,
  proxyPassShortName,
  missingDestinationRule,
  strictMtlsPlaintextClient,
  ingressBypassesProxy,
  portLevelMtlsWithoutSelector,
  nginxUpstreamHttp10,
  // routing and reference rules (issue 5)
  drHostNotFound,
  vsHostNotFound,
  drMultipleForHost,
  drSubsetNoWorkload,
  vsSubsetNotFound,
  vsWeightsSum,
  vsGatewayNotFound,
  httprouteParentNotFound,
  httprouteBackendNotFound,
  gatewaySelectorNoWorkload,
  rolloutTrafficRefNotFound,
  // mTLS, security, ambient and Prometheus rules (issue 5)
  prometheusSdTargetMissing,
  drTlsConflict,
  portLevelMtlsUnknownPort,
  sidecarAndAmbient,
  authzPlaintextDenied,
  authzSelectorNoWorkload,
  authzDefaultServiceAccount,
  servicePortProtocol,
  // issue 14
  ingressNginxSidecarUpstream,
  nginxProxyPassGrpc,
  // issue 15
  sidecarSelectorNoWorkload,
  sidecarMultipleForWorkload,
  serviceentryTcpNoAddress,
  gatewayDuplicateServer,
  sidecarResourceAmbient,
  // issue 15 (second batch)
  vsDuplicateHostGateway,
  vsDestinationPortRequired,
  drTlsNoCaCertificates,
  vsHostNotInGateway,
  gatewayPortNotExposed,
  // issue 15: schema validation
  istioUnknownField,
  istioBadEnum,
  istioWrongType,
  istioDeprecatedAnnotation,
  // issue 15 (third batch)
  vsUnreachableMatch,
  httprouteListenerMismatch,
  httprouteBackendNoReferencegrant,
  k8sUnknownField,
  k8sBadEnum,
  k8sWrongType,
  istioBadLabel,
  // issue 15: PeerAuthentication, ServiceEntry and AuthorizationPolicy checks (batch d)
  peerauthSelectorNoWorkload,
  peerauthMultipleNamespaceWide,
  serviceentryDuplicate,
  authzPrincipalNoWorkload,
  // issue 15: ambient waypoints and Sidecar egress (batch f)
  ambientL7PolicyWithoutWaypoint,
  ambientWaypointNotFound,
  sidecarEgressExcludesCall,
  // issue 15: PeerAuthentication workload conflicts and annotation values
  peerauthMultipleForWorkload,
  istioBadAnnotationValue,
  // issue 15: Kiali workload and Sidecar checks (KIA1312, KIA1004, KIA1006)
  ambientWaypointNotAmbient,
  sidecarEgressHostNotFound,
  sidecarRootSelector,
  // issue 15: misplaced annotations (IST0107)
  istioMisplacedAnnotation,
  // issue 15: gateway TLS credentials
  gatewayCredentialMissing,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
