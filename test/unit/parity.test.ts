/**
 * Parity with the anchors (issue 5): run the istioctl analyze test grid and the Kiali checker cases
 * for the codes meshlint covers, compare per (code, resource), write docs/parity.md, and fail when a
 * covered code falls below test/parity-baseline.json.
 *
 * Each istioctl case runs ONE analyzer: only the codes of that analyzer are compared. The upstream
 * harness adds an istio-ingressgateway Pod and Service in istio-system; so does this test.
 * Set PARITY_WRITE_BASELINE=1 to record the current figures as the baseline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, SHARED } from '../helpers/workspace';
import { analyze } from '../../server/src/core/engine';
import type { SourceFile, Finding, AnalysisOptions } from '../../server/src/core/types';
import type { K8sObject } from '../../server/src/core/source/yaml';
import { RULES } from '../../server/src/core/rules/registry';

const IST_DIR = path.join(SHARED, 'corpus/istio-analyzers');
const KIA_DIR = path.join(SHARED, 'corpus/kiali');
const BASELINE = path.join(ROOT, 'test/parity-baseline.json');

/** The upstream harness's default ingress gateway (istio-system). */
const DEFAULT_INGRESS = `apiVersion: v1
kind: Pod
metadata:
  name: istio-ingressgateway-dummy
  namespace: istio-system
  labels:
    app: istio-ingressgateway
    istio: ingressgateway
spec:
  containers:
  - name: istio-proxy
    image: proxyv2
    ports:
    - containerPort: 8080
    - containerPort: 8443
---
apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
spec:
  selector:
    istio: ingressgateway
  ports:
  - name: http2
    port: 80
    targetPort: 8080
  - name: https
    port: 443
    targetPort: 8443
`;

function meshConfigMap(mesh: string): string {
  const body = mesh.replace(/\s+$/, '').split('\n').map((l) => (l ? `    ${l}` : l)).join('\n');
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |-\n${body}\n`;
}

interface Mapping {
  code: string;
  /** the analyzer (IST) or checker / integration source (KIA) the code is compared for */
  scope: string;
  rules: string[];
  difference: string;
  /** when one rule covers several codes: which of its findings count for this code */
  match?: (f: Finding) => boolean;
}

const IST_MAP: Mapping[] = [
  { code: 'IST0101', scope: 'virtualservice.DestinationHostAnalyzer', rules: ['vs-host-not-found'], difference: 'Unknown, not missing: hosts in namespaces whose Services the workspace does not show stay quiet. VirtualService exportTo naming a non-existent namespace is not checked.' },
  { code: 'IST0101', scope: 'virtualservice.DestinationRuleAnalyzer', rules: ['vs-subset-not-found'], difference: '' },
  { code: 'IST0101', scope: 'virtualservice.GatewayAnalyzer', rules: ['vs-gateway-not-found'], difference: 'Information instead of error when the unit defines no Istio Gateway (it may be installed elsewhere).' },
  { code: 'IST0101', scope: 'gateway.IngressGatewayPortAnalyzer', rules: ['gateway-selector-no-workload'], difference: 'Reads workloads (Deployments, pod templates) instead of running Pods; information, since the gateway may be installed elsewhere.' },
  { code: 'IST0173', scope: 'destinationrule.SubsetSelectPodAnalyzer', rules: ['dr-subset-no-workload'], difference: 'Deployments (pod templates) instead of Pods; quiet when the Service has no workload in the workspace (unknown, not missing); topology/node labels are runtime labels and are ignored.' },
  { code: 'IST0174', scope: 'destinationrule.SubsetSelectPodAnalyzer', rules: ['dr-host-not-found'], difference: 'Quiet when the workspace shows no Service of the host\'s namespace (unknown, not missing).' },
  { code: 'IST0127', scope: 'auth.AuthorizationPoliciesAnalyzer', rules: ['authz-selector-no-workload'], difference: 'Only policies with a selector, in a namespace whose workloads the workspace shows: a selector-less policy in a namespace without workloads there, and selector policies in the root namespace (mesh-wide, matching workloads of every namespace, often gateways installed elsewhere), are unknown, not missing. Reads pod templates (Deployments...) as well as Pods.' },
  { code: 'IST0123', scope: 'injection.Analyzer', rules: ['sidecar-and-ambient'], difference: 'Only the sidecar + ambient combination (istio-injection or istio.io/rev together with istio.io/dataplane-mode: ambient); istio-injection together with istio.io/rev (two sidecar injection labels) is not a meshlint finding. meshlint also reports workloads (pod labels/annotations) that combine both, which istioctl attaches to no Namespace.' },
  { code: 'IST0101', scope: 'gateway.SecretAnalyzer', rules: ['gateway-credential-missing', 'gateway-selector-no-workload'], difference: 'istioctl reports a Gateway whose selector matches no gateway Pod here too (there is no namespace to read the Secret from); meshlint reports that with gateway-selector-no-workload, and gateway-credential-missing stays quiet for it. Information, not error: Secrets are often created outside the repository, so only a namespace whose Secrets the workspace manages is checked (unknown, not missing); Secrets come from the gateway workload\'s namespace (pod templates as well as Pods), and a SealedSecret, ExternalSecret or cert-manager Certificate that produces the name counts as the Secret.' },
  { code: 'IST0101', scope: 'sidecar.SelectorAnalyzer', rules: ['sidecar-selector-no-workload'], difference: 'Reads pod templates (Deployments...) as well as Pods; quiet for the root namespace, selectors on Istio components, and namespaces whose workloads the workspace does not show (unknown, not missing).' },
  { code: 'IST0110', scope: 'sidecar.SelectorAnalyzer', rules: ['sidecar-multiple-for-workload'], match: (f) => !f.message.includes('have no workloadSelector'), difference: 'One finding per Sidecar (istioctl: one per Sidecar and selected Pod); only Sidecars of one deployable unit; workloads in ambient mode are left out, as istioctl does.' },
  { code: 'IST0111', scope: 'sidecar.SelectorAnalyzer', rules: ['sidecar-multiple-for-workload'], match: (f) => f.message.includes('have no workloadSelector'), difference: 'Only Sidecars of one deployable unit (the same ns/name written twice is one object); quiet in namespaces where no proxy reads Sidecars (ambient, see IST0167).' },
  { code: 'IST0167', scope: 'sidecar.SelectorAnalyzer', rules: ['sidecar-resource-ambient'], difference: 'Ambient mode from pod templates and namespace labels (istioctl: the ambient.istio.io/redirection annotation the CNI puts on running Pods); a selector Sidecar is reported only when every workload it selects is in ambient mode, a selector-less one only when no workload of the namespace in the workspace has a sidecar; the root namespace default Sidecar is left out.' },
  { code: 'IST0134', scope: 'serviceentry.Analyzer', rules: ['serviceentry-tcp-no-address'], difference: 'Same condition (ports with protocol TCP or unset, no spec or status addresses, unless meshConfig.defaultConfig.proxyMetadata enables DNS capture with auto allocation); the mesh config is read from the istio ConfigMap or an IstioOperator in the workspace (the harness passes the case\'s mesh config as the istio ConfigMap).' },
  { code: 'IST0145', scope: 'gateway.ConflictingGatewayAnalyzer', rules: ['gateway-duplicate-server'], difference: 'Same condition (same port number, a host written identically with the same bind, selectors equal or matching a common gateway workload), compared over every server of the other Gateway; only Gateways of one deployable unit; servers without a port are skipped (Istio rejects them); information instead of warning when both servers are plaintext HTTP (Istio merges them).' },
  { code: 'IST0112', scope: 'virtualservice.DestinationHostAnalyzer', rules: ['vs-destination-port-required'], difference: 'Only when the missing port breaks: Istio then uses the port the request arrived on, so meshlint reports an HTTP route destination (a multi-port Service, no port) only when a bound Gateway server port in the workspace, or an HTTP port of the VirtualService host\'s Service, is not a port of that Service; the corpus case (a VirtualService without hosts) arrives on no known port and stays quiet.' },
  { code: 'IST0128', scope: 'destinationrule.CaCertificateAnalyzer', rules: ['dr-tls-no-ca-certificates'], match: (f) => !/ TLS to port \d+ of /.test(f.message), difference: 'Information from Istio 1.20 (VERIFY_CERTIFICATE_AT_CLIENT on: the OS CA bundle verifies the server), and then only for in-cluster hosts, whose servers usually have private CAs (external hosts are quiet); warning before 1.20, when the proxy verifies nothing. Quiet when credentialName is set (its Secret may carry ca.crt; istioctl counts it only with a workloadSelector) or insecureSkipVerify is true.' },
  { code: 'IST0129', scope: 'destinationrule.CaCertificateAnalyzer', rules: ['dr-tls-no-ca-certificates'], match: (f) => / TLS to port \d+ of /.test(f.message), difference: 'Port-level settings, as IST0128.' },
  { code: 'IST0132', scope: 'virtualservice.GatewayAnalyzer', rules: ['vs-host-not-in-gateway'], difference: 'Only Gateways in the workspace (istioctl also reports a missing Gateway, which vs-gateway-not-found covers); every copy of that namespace/name must miss; VirtualServices without hosts (delegates) are skipped.' },
  { code: 'IST0162', scope: 'gateway.IngressGatewayPortAnalyzer', rules: ['gateway-port-not-exposed'], difference: 'Reads workloads (pod templates) as well as Pods; quiet when the gateway workload or every Service selecting it is outside the workspace (unknown, not missing).' },
  { code: 'IST0109', scope: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer', rules: ['vs-duplicate-host-gateway'], difference: 'Hosts must be written identically after short-name expansion (istioctl also pairs a namespace-scoped VirtualService with an exported-to-all one whose host merely overlaps by wildcard, e.g. *.d and *.productpage.d, which the sidecar tells apart by the most specific match); only VirtualServices of one deployable unit; one finding per VirtualService; quiet when the namespace-wide Sidecar of every common namespace does not import the host (as Kiali does).' },
  { code: 'IST0108', scope: 'annotations.K8sAnalyzer', rules: ['istio-deprecated-annotation'], match: (f) => f.message.includes('unknown Istio annotation'), difference: 'Same domain test (a `*.istio.io` or `istio.io` prefix) and the same resource kinds (Namespace, Service, Pod, Deployment), plus the pod templates of workloads (the Pods they become); the annotation list is a checked-in copy of istio/api annotations.yaml (server/src/docs/istio-annotations.json); names an earlier list documented are information (removed), not unknown. The one upstream case (testdata/misannotated.yaml) holds a Helm expression (`{{ .Values... }}` in a Pod\'s args), so meshlint skips the whole file as a template (template-skipped) and matches nothing; with that expression rendered it reports exactly the expected Service httpbin (IST0108) and Deployment fortio-deploy (IST0135).' },
  { code: 'IST0135', scope: 'annotations.K8sAnalyzer', rules: ['istio-deprecated-annotation'], match: (f) => f.message.includes('is deprecated'), difference: 'Same condition, including the exception for the sidecar.istio.io/inject annotation beside the label of that name; also on pod templates. Same template-skipped upstream case as IST0108. IST0125 (InvalidAnnotation: annotation values) is istio-bad-annotation-value\'s and IST0107 (MisplacedAnnotation) istio-misplaced-annotation\'s.' },
  { code: 'IST0125', scope: 'annotations.K8sAnalyzer', rules: ['istio-bad-annotation-value'], difference: 'The values the sidecar injector validates (readiness probe integers, port and CIDR lists, interceptionMode, merge-metrics, proxy.istio.io/config) and the proxy resource quantities; error when the pod gets a sidecar (the webhook denies it), warning otherwise. Same template-skipped upstream case as IST0108: with the Helm expression rendered it reports exactly the expected Pod invalid-annotations.' },
  { code: 'IST0107', scope: 'annotations.K8sAnalyzer', rules: ['istio-misplaced-annotation'], difference: 'Same test (a known annotation whose resource kinds, per the checked-in copy of istio/api annotations.yaml, include neither the object\'s kind nor Any) on Namespace, Service and Pod metadata; every workload kind\'s own metadata (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), where a pod annotation gets "move it to spec.template.metadata.annotations" and a quick fix that moves it; pod templates read as Pods. Deprecated annotations are left to istio-deprecated-annotation (IST0135; istioctl reports them under both codes). Same template-skipped upstream case as IST0108: with the Helm expression rendered it reports the expected Pod grafana-test and Namespace staging; Deployment fortio-deploy\'s annotation (sidecar.istio.io/statsInclusionPrefixes) is deprecated, so it gets IST0135 only.' },
  { code: 'IST0130', scope: 'schema.ValidationAnalyzer.VirtualService', rules: ['vs-unreachable-match'], match: (f) => f.message.includes(' is never used: ') && !/: match #\d+ of /.test(f.message), difference: 'Also any route after a catch-all route (istioctl: only a second route without matches) and a route after a match without conditions; routes with delegate shadow nothing (their delegate may not cover every request).' },
  { code: 'IST0131', scope: 'schema.ValidationAnalyzer.VirtualService', rules: ['vs-unreachable-match'], match: (f) => /: match #\d+ of /.test(f.message), difference: 'A route whose matches all repeat earlier ones gets one IST0130 finding, not also IST0131 per match. The URI prefix comparison requires each condition of the earlier match in the later one (istioctl treats a missing method as GET, accepts header values that merely start with the other, and ignores scheme, sourceLabels, gateways and ignoreUriCase, which reports matches that are reachable).' },
];

const KIA_MAP: Mapping[] = [
  { code: 'KIA1107', scope: 'virtualservices.SubsetPresenceChecker', rules: ['vs-subset-not-found'], difference: '' },
  { code: 'KIA1102', scope: 'virtualservices.NoGatewayChecker', rules: ['vs-gateway-not-found'], difference: '' },
  { code: 'KIA0203', scope: 'destinationrules.NoDestinationChecker', rules: ['dr-subset-no-workload'], difference: 'Kiali also flags subsets that no VirtualService references; meshlint checks labels against pod templates only.' },
  { code: 'KIA0201', scope: 'integration', rules: ['dr-multiple-for-host'], difference: 'Istio merges DestinationRules with disjoint subsets: meshlint reports only conflicting ones (both with trafficPolicy, repeated subset, or no subsets).' },
  { code: 'KIA0203', scope: 'integration', rules: ['dr-subset-no-workload'], difference: '' },
  { code: 'KIA1401', scope: 'integration', rules: ['httproute-parent-not-found'], difference: '' },
  { code: 'KIA1402', scope: 'integration', rules: ['httproute-backend-not-found'], difference: '' },
  { code: 'KIA1106', scope: 'integration', rules: ['vs-duplicate-host-gateway'], difference: 'Only VirtualServices bound to the mesh gateway (Istio merges VirtualServices for one host on gateways).' },
  { code: 'KIA0105', scope: 'authorization.MtlsEnabledChecker', rules: ['authz-plaintext-denied'], difference: 'Same failure (source.principals / namespaces cannot match a request without mTLS identity), different trigger: meshlint reports only when the workspace shows a plaintext caller outside the mesh (Ingress, nginx, Prometheus). It does not infer plaintext from PeerAuthentication DISABLE, a DestinationRule tls DISABLE or auto mTLS off, which Kiali evaluates without any caller; the per-case autoMtls is passed as meshConfig.enableAutoMtls.' },
  { code: 'KIA0004', scope: 'kiali.io examples', rules: ['peerauth-selector-no-workload'], difference: 'The example is a PeerAuthentication (authz-selector-no-workload and sidecar-selector-no-workload cover the other kinds). Quiet for the root namespace, selectors on Istio components, label keys a kustomization adds, and namespaces whose workloads the workspace does not show (unknown, not missing).' },
  { code: 'KIA0002', scope: 'kiali.io examples', rules: ['peerauth-multiple-namespace-wide'], difference: 'PeerAuthentications only (sidecar-multiple-for-workload covers Sidecars); only policies of one deployable unit; a selector-less policy with portLevelMtls is rejected by Istio and does not count. The message names the policy Istio applies (the oldest) when the manifests carry creationTimestamp.' },
  { code: 'KIA0003', scope: 'kiali.io examples', rules: ['peerauth-multiple-for-workload'], difference: 'PeerAuthentications only (sidecar-multiple-for-workload covers Sidecars); only policies of one deployable unit, workloads that run a proxy, and not the root namespace (Istio ignores selector policies there). The message names the policy Istio applies (the oldest, then by name) when the manifests carry creationTimestamp.' },
  { code: 'KIA1211', scope: 'integration', rules: ['serviceentry-duplicate'], difference: 'Identical copies are quiet (Istio ignores the second entry, nothing changes), which is why the Sidecar-import case stays quiet too; meshlint does not model Sidecar imports (Istio associates a ServiceEntry with its own namespace). Only entries of one deployable unit whose exportTo scopes share a namespace; a clean merge (same namespace, resolution, labels, selector, exportTo) is information. KIA1212 (conflicting protocols) is the same rule\'s warning; the corpus has no case for it.' },
  { code: 'KIA0106', scope: 'integration', rules: ['authz-principal-no-workload'], difference: 'Unknown, not missing: the corpus case names cluster.local/ns/default/sa/bookinfo-wrong, and the workspace shows no workload of namespace default (bookinfo runs in bookinfo), so meshlint stays quiet; it checks only namespaces with workloads in the workspace, the cluster.local trust domain, and accounts neither used by a workload nor declared (ServiceAccount, serviceAccountName in any object).' },
  { code: 'KIA0301', scope: 'kiali.io examples', rules: ['gateway-duplicate-server'], difference: 'Same condition as IST0145 (same port, same host, selectors matching a common gateway workload); both example servers are plaintext HTTP on port 80, which Istio merges into one route configuration, so meshlint reports them as information where Kiali warns.' },
  { code: 'KIA1106', scope: 'kiali.io examples', rules: ['vs-duplicate-host-gateway'], difference: 'Same condition as the integration case: two VirtualServices for host reviews on the mesh gateway.' },
  { code: 'KIA1004', scope: 'kiali.io examples', rules: ['sidecar-egress-host-not-found'], difference: 'One finding per Sidecar: the example\'s bogus.bookinfo host; the bogus-ns/... host (a namespace the workspace does not show) and default/kiali.io (no workload or entry of default in the workspace) are unknown, not missing. A ServiceEntry in another namespace than the host names is reported (istiod imports by the named namespace), where Kiali accepts it.' },
  { code: 'KIA1006', scope: 'kiali.io examples', rules: ['sidecar-root-selector'], difference: 'Quiet when a root-namespace workload in the workspace matches the selector, or the selector uses Istio\'s own label keys; information when nothing in the workspace shows whom it was meant for.' },
  { code: 'KIA0106', scope: 'kiali.io examples', rules: ['authz-principal-no-workload'], difference: 'As above: the example names cluster.local/ns/default/sa/sleep, a namespace without workloads in the workspace (unknown).' },
  { code: 'KIA0208', scope: 'destinationrules.DisabledMeshWideMTLSChecker', rules: ['dr-tls-conflict'], difference: 'meshlint compares each DestinationRule with the effective PeerAuthentication of the workloads behind its concrete Service host; a wildcard host (*.local, mesh-wide) and hosts without Services/workloads in the workspace are not resolved (unknown, not missing).' },
];

/**
 * Issue 15's checklist: every IST/KIA code (and un-coded check) the issue names, with its status. The test checks that
 * each covered item's rules exist and have fixtures both ways, that a covered code with a case in the corpus is compared
 * above, and that the number of covered items never drops (test/parity-baseline.json, key "issue-15 covered").
 */
interface ChecklistItem {
  codes: string[];
  what: string;
  status: 'covered' | 'not applicable offline' | 'left';
  rules: string[];
  note: string;
}

const ISSUE15: ChecklistItem[] = [
  { codes: ['IST0109', 'KIA1106'], what: 'two VirtualServices claim one host for one gateway', status: 'covered', rules: ['vs-duplicate-host-gateway'], note: 'Compared above (istioctl grid, Kiali integration case and kiali.io example).' },
  { codes: ['IST0112'], what: 'destination to a multi-port Service without a port', status: 'covered', rules: ['vs-destination-port-required'], note: 'Reported only where the missing port breaks routing (see the table above).' },
  { codes: ['IST0132'], what: 'a VirtualService host its bound Gateway does not serve', status: 'covered', rules: ['vs-host-not-in-gateway'], note: '' },
  { codes: ['IST0130', 'IST0131'], what: 'match rules that can never be reached', status: 'covered', rules: ['vs-unreachable-match'], note: '' },
  { codes: ['IST0145', 'KIA0301'], what: 'two Gateways on the same host and port', status: 'covered', rules: ['gateway-duplicate-server'], note: '' },
  { codes: ['IST0162'], what: 'a Gateway server port the gateway workload\'s Service does not expose', status: 'covered', rules: ['gateway-port-not-exposed'], note: '' },
  { codes: ['IST0101 (gateway secret)'], what: 'Gateway TLS credentialName naming no Secret in the workspace', status: 'covered', rules: ['gateway-credential-missing'], note: 'Information, and only where the workspace manages the namespace\'s Secrets (Secrets, SealedSecrets, cert-manager Certificates, ExternalSecrets); compared above as IST0101 gateway.SecretAnalyzer.' },
  { codes: ['IST0128', 'IST0129'], what: 'SIMPLE/MUTUAL TLS without caCertificates', status: 'covered', rules: ['dr-tls-no-ca-certificates'], note: '' },
  { codes: [], what: 'Sidecar egress hosts that exclude a host the workload calls', status: 'covered', rules: ['sidecar-egress-excludes-call'], note: 'No istioctl or Kiali code: meshlint reads the calls from nginx proxy_pass and routes.' },
  { codes: ['IST0110', 'IST0111'], what: 'several Sidecars for one workload', status: 'covered', rules: ['sidecar-multiple-for-workload'], note: '' },
  { codes: ['IST0101 (sidecar)'], what: 'Sidecar workload selector that matches nothing', status: 'covered', rules: ['sidecar-selector-no-workload'], note: '' },
  { codes: ['KIA1004'], what: 'a Sidecar egress host with no registry entry', status: 'covered', rules: ['sidecar-egress-host-not-found'], note: 'Also a host whose Service lives in another namespace than the one the host names (istiod imports only the named namespace\'s services).' },
  { codes: ['KIA1006'], what: 'a workloadSelector on the root namespace\'s Sidecar', status: 'covered', rules: ['sidecar-root-selector'], note: '' },
  { codes: ['IST0134'], what: 'TCP ServiceEntry without addresses', status: 'covered', rules: ['serviceentry-tcp-no-address'], note: '' },
  { codes: ['KIA1211', 'KIA1212'], what: 'duplicate or conflicting ServiceEntries', status: 'covered', rules: ['serviceentry-duplicate'], note: 'KIA1212 (conflicting protocols) is the rule\'s warning; the corpus has no case for it, the rule\'s fixtures do.' },
  { codes: ['KIA0004'], what: 'a PeerAuthentication selector that matches no workload', status: 'covered', rules: ['peerauth-selector-no-workload'], note: '' },
  { codes: ['KIA0002'], what: 'several namespace-wide PeerAuthentications', status: 'covered', rules: ['peerauth-multiple-namespace-wide'], note: '' },
  { codes: ['KIA0003'], what: 'several selector PeerAuthentications for one workload', status: 'covered', rules: ['peerauth-multiple-for-workload'], note: 'Sidecars: sidecar-multiple-for-workload.' },
  { codes: ['KIA0106'], what: 'an AuthorizationPolicy principal naming a service account no workload uses', status: 'covered', rules: ['authz-principal-no-workload'], note: 'Both corpus cases name accounts of a namespace without workloads in the workspace: unknown, not missing (0 matched, on purpose).' },
  { codes: ['KIA1317'], what: 'L7 AuthorizationPolicy for workloads without a waypoint', status: 'covered', rules: ['ambient-l7-policy-without-waypoint'], note: 'No expectation case in the corpus; the rule\'s fixtures cover it.' },
  { codes: ['KIA1313'], what: 'istio.io/use-waypoint naming a waypoint that does not exist', status: 'covered', rules: ['ambient-waypoint-not-found'], note: 'No expectation case in the corpus; the rule\'s fixtures cover it.' },
  { codes: ['KIA1312'], what: 'waypoint labels on a workload that is not in ambient mode', status: 'covered', rules: ['ambient-waypoint-not-ambient'], note: 'No expectation case in the corpus; the rule\'s fixtures cover it.' },
  { codes: ['IST0167'], what: 'Sidecar resources in ambient namespaces', status: 'covered', rules: ['sidecar-resource-ambient'], note: '' },
  { codes: [], what: 'HTTPRoute attached to a TCP/TLS listener or excluded by allowedRoutes.kinds', status: 'covered', rules: ['httproute-listener-mismatch'], note: 'No istioctl or Kiali code in the corpus.' },
  { codes: [], what: 'cross-namespace backendRef without a ReferenceGrant', status: 'covered', rules: ['httproute-backend-no-referencegrant'], note: '' },
  { codes: [], what: 'schema validation: unknown fields, bad enum values, wrong types (Istio, Gateway API, core Kubernetes)', status: 'covered', rules: ['istio-unknown-field', 'istio-bad-enum', 'istio-wrong-type', 'k8s-unknown-field', 'k8s-bad-enum', 'k8s-wrong-type'], note: 'Schemas generated at build time from @kubernetes-models/istio and @kubernetes-models/gateway-api (see README).' },
  { codes: ['IST0108', 'IST0135'], what: 'unknown or deprecated Istio annotations', status: 'covered', rules: ['istio-deprecated-annotation'], note: 'The one upstream case is a Helm template, skipped (see the table above).' },
  { codes: [], what: 'unknown Istio labels', status: 'covered', rules: ['istio-bad-label'], note: '' },
  { codes: ['IST0125'], what: 'invalid Istio annotation values', status: 'covered', rules: ['istio-bad-annotation-value'], note: 'The types the sidecar injector validates (pkg/kube/inject/validate.go) plus proxy resource quantities; the one upstream case is the template-skipped file of IST0108.' },
  { codes: ['IST0107'], what: 'misplaced Istio annotations (an annotation on a kind it does not apply to)', status: 'covered', rules: ['istio-misplaced-annotation'], note: 'Not named by issue 15. The annotation kinds of istio/api annotations.yaml; pod annotations on a workload\'s own metadata get a fix that moves them into the pod template; the one upstream case is the template-skipped file of IST0108.' },
];

function checklist(): string {
  let s = `## Issue 15 checklist\n\nEvery code and check issue 15 names, with its status: **covered** (a rule with fixtures both ways; compared above where the corpus has a case), **not applicable offline**, or **left**.\n\n| codes | check | status | meshlint rules | note |\n|---|---|---|---|---|\n`;
  for (const i of ISSUE15) s += `| ${i.codes.join(', ') || '–'} | ${i.what} | ${i.status} | ${i.rules.map((r) => `[${r}](rules/${r}.md)`).join(', ') || '–'} | ${i.note || '–'} |\n`;
  const covered = ISSUE15.filter((i) => i.status === 'covered').length;
  return s + `\n${covered} of ${ISSUE15.length} covered.\n\n`;
}

interface Figures {
  cases: number;
  expected: number;
  matched: number;
  /** findings beyond the expectation, on all compared cases */
  extra: number;
  /** findings on cases that expect none of this code */
  falseOnQuiet: number;
  quietCases: number;
}

function objectAt(objects: K8sObject[], f: Finding): K8sObject | undefined {
  return objects.find((o) => o.file === f.file && o.root.start <= f.start && f.start <= o.root.end);
}

function run(files: SourceFile[], options: AnalysisOptions = {}) {
  const r = analyze(files, options);
  assert.deepEqual(r.ruleErrors, [], 'a rule crashed');
  return r;
}

function tally(fig: Figures, expected: Map<string, number>, actual: Map<string, number>): void {
  fig.cases++;
  let exp = 0;
  for (const n of expected.values()) exp += n;
  fig.expected += exp;
  if (exp === 0) fig.quietCases++;
  for (const [k, n] of actual) {
    const e = expected.get(k) ?? 0;
    fig.matched += Math.min(e, n);
    fig.extra += Math.max(0, n - e);
    if (exp === 0) fig.falseOnQuiet += n;
  }
}

function count(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function readShared(dir: string, rel: string): SourceFile {
  return { path: rel, text: fs.readFileSync(path.join(dir, rel), 'utf8') };
}

function istioFigures(): Map<string, Figures> {
  const exp = JSON.parse(fs.readFileSync(path.join(IST_DIR, 'expected.json'), 'utf8'));
  const out = new Map<string, Figures>();
  for (const m of IST_MAP) {
    const fig: Figures = { cases: 0, expected: 0, matched: 0, extra: 0, falseOnQuiet: 0, quietCases: 0 };
    for (const c of exp.cases) {
      if (c.analyzer.metadataName !== m.scope || c.skipAll) continue;
      const files = [...c.inputFiles.map((f: string) => readShared(IST_DIR, f)), { path: 'harness/default-ingressgateway.yaml', text: DEFAULT_INGRESS }];
      // the case's mesh config, as the istio ConfigMap in istio-system carries it
      if (c.meshConfigFile) files.push({ path: 'harness/istio-configmap.yaml', text: meshConfigMap(fs.readFileSync(path.join(IST_DIR, c.meshConfigFile), 'utf8')) });
      const r = run(files);
      // origins omit the namespace when the input omits it: compare kind and name, and namespace when given
      const key = (kind: string, ns: string | null, name: string) => `${kind}|${ns ?? '-'}|${name}`;
      const expected = count(c.expected.filter((e: any) => e.code === m.code).map((e: any) => key(e.resourceKind, e.resourceNamespace, e.resourceName)));
      const actual = count(
        r.findings
          .filter((f) => m.rules.includes(f.rule) && (!m.match || m.match(f)))
          .map((f) => objectAt(r.model.objects, f))
          .filter((o): o is K8sObject => !!o)
          .map((o) => key(o.kind, o.declaredNamespace ?? null, o.name)),
      );
      tally(fig, expected, actual);
    }
    out.set(`${m.code} ${m.scope}`, fig);
  }
  return out;
}

function kialiFigures(): Map<string, Figures> {
  const exp = JSON.parse(fs.readFileSync(path.join(KIA_DIR, 'expected.json'), 'utf8'));
  const out = new Map<string, Figures>();
  const bookinfo = fs.readFileSync(path.join(SHARED, 'corpus/istio-samples/samples/bookinfo/platform/kube/bookinfo.yaml'), 'utf8');
  for (const m of KIA_MAP) {
    const fig: Figures = { cases: 0, expected: 0, matched: 0, extra: 0, falseOnQuiet: 0, quietCases: 0 };
    if (m.scope === 'integration') {
      for (const c of exp.integrationCases) {
        const codes = [...c.expectCodes, ...c.expectNotCodes].map((x: any) => x.code);
        if (!codes.includes(m.code)) continue;
        // bookinfo deployed in namespace bookinfo, the asset `kubectl apply -n bookinfo`-ed on top
        const files: SourceFile[] = [
          { path: 'bookinfo/bookinfo.yaml', text: bookinfo },
          { path: 'bookinfo/asset.yaml', text: applyIn(fs.readFileSync(path.join(KIA_DIR, c.fixture), 'utf8'), 'bookinfo') },
          { path: 'bookinfo/kustomization.yaml', text: 'namespace: bookinfo\nresources:\n- bookinfo.yaml\n' },
        ];
        const r = run(files);
        const expected = count(c.expectCodes.filter((x: any) => x.code === m.code).map((x: any) => objKey(x.object)));
        const actual = count(r.findings.filter((f) => m.rules.includes(f.rule) && f.file === 'bookinfo/asset.yaml').map((f) => objectAt(r.model.objects, f)).filter((o): o is K8sObject => !!o).map((o) => `${o.kind}|${o.ns}|${o.name}`));
        tally(fig, expected, actual);
      }
    } else if (m.scope === 'kiali.io examples') {
      // the validation example of the code's kiali.io page, applied on top of bookinfo like an integration asset; every object of the example expects the code
      for (const d of exp.docsExamples.filter((x: any) => x.code === m.code)) {
        for (const ex of d.exampleFiles) {
          const files: SourceFile[] = [
            { path: 'bookinfo/bookinfo.yaml', text: bookinfo },
            { path: 'bookinfo/asset.yaml', text: applyIn(fs.readFileSync(path.join(KIA_DIR, ex), 'utf8'), 'bookinfo') },
            { path: 'bookinfo/kustomization.yaml', text: 'namespace: bookinfo\nresources:\n- bookinfo.yaml\n' },
          ];
          const r = run(files);
          // objects the example marks "# No validations shown" expect nothing
          const assetText = files[1].text;
          const expected = count(r.model.objects.filter((o) => o.file === 'bookinfo/asset.yaml' && !/no validations? shown/i.test(assetText.slice(o.root.start, o.root.end))).map((o) => `${o.kind}|${o.ns}|${o.name}`));
          const actual = count([...new Set(r.findings.filter((f) => m.rules.includes(f.rule) && f.file === 'bookinfo/asset.yaml').map((f) => objectAt(r.model.objects, f)).filter((o): o is K8sObject => !!o).map((o) => `${o.kind}|${o.ns}|${o.name}`))]);
          tally(fig, expected, actual);
        }
      }
    } else {
      for (const c of exp.checkerUnitCases) {
        if (c.checker !== m.scope) continue;
        const files: SourceFile[] = [readShared(KIA_DIR, c.fixture)];
        const ctx = c.context ?? {};
        let extra = '';
        for (const g of ctx.existingGateways ?? []) extra += `---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: ${g}\n  namespace: default\nspec:\n  selector:\n    istio: ingressgateway\n`;
        for (const s of ctx.services ?? []) extra += `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${s.name}\n  namespace: ${s.namespace}\nspec:\n  selector: ${JSON.stringify(s.selector ?? {})}\n  ports:\n  - name: http\n    port: 9080\n`;
        (ctx.workloads ?? []).forEach((w: any, i: number) => {
          extra += `---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${w.name}-${i}\n  namespace: ${w.namespace}\nspec:\n  template:\n    metadata:\n      labels: ${JSON.stringify(w.labels)}\n    spec:\n      containers:\n      - name: app\n        image: app\n`;
        });
        if (extra) files.push({ path: 'context.yaml', text: extra.slice(4) });
        // Kiali's checkers take auto mTLS as runtime context: honour it per case
        const r = run(files, typeof ctx.autoMtls === 'boolean' ? { meshConfig: { enableAutoMtls: ctx.autoMtls } } : {});
        const fixtureObjs = r.model.objects.filter((o) => o.file === c.fixture);
        // Kiali objects are "Kind ns/name" or "Kind[i]" (the i-th of that kind in the fixture)
        const resolve = (obj: string) => {
          const idx = /^(\w+)\[(\d+)\]$/.exec(obj);
          if (idx) {
            const o = fixtureObjs.filter((x) => x.kind === idx[1])[Number(idx[2])];
            return o ? `${o.kind}|${o.ns}|${o.name}` : obj;
          }
          return objKey(obj);
        };
        // the checker validates one object: compare findings on that object only
        // "first DestinationRule of the fixture" or "VirtualService ns/name"
        const subjectOf = (v: unknown) => {
          if (typeof v !== 'string') return undefined;
          const first = /^first (\w+) of the fixture/.exec(v);
          return first ? resolve(`${first[1]}[0]`) : objKey(v);
        };
        const subject = subjectOf(ctx.virtualService) ?? subjectOf(ctx.destinationRule) ?? subjectOf(ctx.peerAuthentication);
        const expected = count(c.expected.filter((x: any) => x.code === m.code).map((x: any) => resolve(x.object)));
        // Kiali reports per path; meshlint per reference: compare presence per object
        for (const k of expected.keys()) expected.set(k, 1);
        const actualKeys = [...new Set(r.findings.filter((f) => m.rules.includes(f.rule)).map((f) => objectAt(r.model.objects, f)).filter((o): o is K8sObject => !!o).map((o) => `${o.kind}|${o.ns}|${o.name}`))];
        const actual = count(actualKeys.filter((k) => subject === undefined || k === subject));
        tally(fig, expected, actual);
      }
    }
    out.set(`${m.code} ${m.scope}`, fig);
  }
  return out;
}

/**
 * An asset as `kubectl apply -n <ns>` applies it: objects without metadata.namespace go to ns, the others keep theirs
 * (a kustomization would override them, which kubectl does not do).
 */
function applyIn(text: string, ns: string): string {
  return text
    .split(/^---[ \t]*$/m)
    .map((doc) => (/^metadata:\s*$/m.test(doc) && !/^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+namespace:/m.test(doc) ? doc.replace(/^metadata:[ \t]*$/m, `metadata:\n  namespace: ${ns}`) : doc))
    .join('---');
}

function objKey(o: string): string {
  // "DestinationRule bookinfo/name" or "Gateway.gateway.networking.k8s.io bookinfo/name"
  const [kind, ref] = o.split(' ');
  const [ns, name] = ref.includes('/') ? ref.split('/') : ['default', ref];
  return `${kind.split('.')[0]}|${ns}|${name}`;
}

function pct(a: number, b: number): string {
  return b === 0 ? '–' : `${Math.round((a * 100) / b)}%`;
}

function table(title: string, maps: Mapping[], figs: Map<string, Figures>): string {
  let s = `## ${title}\n\n| code | compared for | meshlint rule | cases | matched / expected | findings beyond expectation | false findings on cases expecting none | deliberate differences |\n|---|---|---|---|---|---|---|---|\n`;
  for (const m of maps) {
    const f = figs.get(`${m.code} ${m.scope}`)!;
    s += `| ${m.code} | ${m.scope} | ${m.rules.map((r) => `[${r}](rules/${r}.md)`).join(', ')} | ${f.cases} | ${f.matched} / ${f.expected} (${pct(f.matched, f.expected)}) | ${f.extra} | ${f.falseOnQuiet} (on ${f.quietCases} cases) | ${m.difference || '–'} |\n`;
  }
  return s + '\n';
}

test('parity with istioctl analyze and Kiali for covered codes', () => {
  const t0 = Date.now();
  const ist = istioFigures();
  const kia = kialiFigures();
  const doc =
    `# Parity with istioctl analyze and Kiali\n\n` +
    `Generated by \`test/unit/parity.test.ts\` (do not edit). Each istioctl case of the upstream test grid\n` +
    `(\`../shared/corpus/istio-analyzers/expected.json\`) runs one analyzer, so only the codes of that analyzer are compared,\n` +
    `per (code, resource kind, namespace, name), as a multiset; the harness's default istio-ingressgateway Pod and Service\n` +
    `in istio-system are added. Kiali checker cases (\`../shared/corpus/kiali/expected.json\`) validate one object: findings are\n` +
    `compared per (code, object), with the case's \`autoMtls\` context passed as \`meshConfig.enableAutoMtls\`. Integration cases load the bookinfo sample into namespace \`bookinfo\` with the asset applied on top as \`kubectl apply -n bookinfo\` does (objects that declare a namespace keep it).\n\n` +
    `General differences, on purpose: meshlint reads manifests offline, so it sees pod **templates** (Deployments, Rollouts,\n` +
    `StatefulSets...) rather than running Pods; what the workspace does not contain is **unknown, not missing** (quiet);\n` +
    `auto mTLS is on by default (Istio >= 1.5), so a missing DestinationRule is not plaintext; VirtualService weights are\n` +
    `**relative** (Istio >= 1.15 normalises them), so a sum other than 100 is information, not an error.\n\n` +
    table('istioctl analyze (IST)', IST_MAP, ist) +
    table('Kiali (KIA)', KIA_MAP, kia) +
    checklist() +
    `Security codes considered and not mapped, because the semantics differ: IST0123 for two sidecar injection labels (meshlint maps only its ambient half, above); ` +
    `KIA0505 / KIA0506 ("a DestinationRule disabling namespace- or mesh-wide mTLS is missing": Kiali flags the PeerAuthentication DISABLE itself when auto mTLS is off; dr-tls-conflict instead flags a DestinationRule that explicitly sends ISTIO_MUTUAL to a DISABLE workload, and the corpus has no expectation cases for these codes); ` +
    `KIA0401 / KIA0501 (STRICT PeerAuthentication without an mTLS DestinationRule: only a problem with auto mTLS off, and missing-destination-rule is per called Service, not per policy); ` +
            `KIA1311-KIA1316 (ambient workload checks) have no expectation cases in the corpus.\n\n` +
    `Rows compared for "kiali.io examples" run the validation example of the code's kiali.io page on top of bookinfo (as an integration asset); every object of the example expects the code. ` +
    `Objects an example marks "No validations shown" expect nothing. ` +
    `The Sidecar halves of KIA0004 (sidecar-selector-no-workload) and KIA0002 / KIA0003 (sidecar-multiple-for-workload) have no Kiali case in the corpus; their istioctl counterparts are compared above.\n\n` +
    `Codes with no meshlint equivalent are not listed. The test fails when a covered code's matched count drops or its false findings rise above \`test/parity-baseline.json\`.\n`;
  fs.writeFileSync(path.join(ROOT, 'docs/parity.md'), doc);
  const current: Record<string, { matched: number; expected: number; extra: number; falseOnQuiet: number }> = {};
  for (const [k, f] of [...ist, ...kia]) current[k] = { matched: f.matched, expected: f.expected, extra: f.extra, falseOnQuiet: f.falseOnQuiet };
  current['issue-15 covered'] = { matched: ISSUE15.filter((i) => i.status === 'covered').length, expected: ISSUE15.length, extra: 0, falseOnQuiet: 0 };
  if (process.env.PARITY_WRITE_BASELINE === '1' || !fs.existsSync(BASELINE)) fs.writeFileSync(BASELINE, JSON.stringify(current, null, 2) + '\n');
  const base = JSON.parse(fs.readFileSync(BASELINE, 'utf8')) as typeof current;
  const drops: string[] = [];
  for (const [k, b] of Object.entries(base)) {
    const c = current[k];
    if (!c) drops.push(`${k}: no longer measured`);
    else {
      if (c.matched < b.matched) drops.push(`${k}: matched ${c.matched} < baseline ${b.matched}`);
      if (c.extra > b.extra) drops.push(`${k}: findings beyond expectation ${c.extra} > baseline ${b.extra}`);
      if (c.falseOnQuiet > b.falseOnQuiet) drops.push(`${k}: false findings ${c.falseOnQuiet} > baseline ${b.falseOnQuiet}`);
    }
  }
  assert.deepEqual(drops, [], 'parity fell below test/parity-baseline.json');
  assert.ok(Date.now() - t0 < 10000, 'parity test must stay under 10 s');
});

test('issue 15 checklist: covered items name real rules with fixtures both ways, and compared codes are in the tables', () => {
  const ids = new Set(RULES.map((r) => r.id));
  const problems: string[] = [];
  const fixtures = path.join(ROOT, 'test/fixtures/rules');
  for (const i of ISSUE15) {
    if (i.status === 'covered' && !i.rules.length) problems.push(`${i.what}: covered without a rule`);
    if (i.status !== 'covered' && !i.note) problems.push(`${i.what}: ${i.status} without a reason`);
    for (const r of i.rules) {
      if (!ids.has(r)) problems.push(`${i.what}: no rule ${r}`);
      const cases = fs.existsSync(path.join(fixtures, r)) ? fs.readdirSync(path.join(fixtures, r)) : [];
      if (!cases.some((c) => c.startsWith('fires')) || !cases.some((c) => c.startsWith('quiet'))) problems.push(`${r}: fixtures must fire and stay quiet`);
      if (!fs.existsSync(path.join(ROOT, 'docs/rules', `${r}.md`))) problems.push(`${r}: no docs page`);
    }
  }
  // a covered code with an expectation case in the corpus must be compared in a table
  const ist = JSON.parse(fs.readFileSync(path.join(IST_DIR, 'expected.json'), 'utf8'));
  const kia = JSON.parse(fs.readFileSync(path.join(KIA_DIR, 'expected.json'), 'utf8'));
  const inCorpus = new Set<string>([
    ...ist.cases.flatMap((c: any) => c.expected.map((e: any) => e.code)),
    ...kia.checkerUnitCases.flatMap((c: any) => c.expected.map((x: any) => x.code)),
    ...kia.integrationCases.flatMap((c: any) => c.expectCodes.map((x: any) => x.code)),
    ...kia.docsExamples.map((d: any) => d.code),
  ]);
  const compared = new Set([...IST_MAP, ...KIA_MAP].map((m) => m.code));
  for (const i of ISSUE15.filter((x) => x.status === 'covered')) {
    for (const c of i.codes) if (/^(IST|KIA)\d{4}$/.test(c) && inCorpus.has(c) && !compared.has(c)) problems.push(`${c}: covered and in the corpus, but not compared`);
  }
  assert.deepEqual(problems, []);
});
