/**
 * Story B (wealist-prod, ambient mode): Prometheus labelled `istio.io/dataplane-mode: none` scrapes
 * workloads under a root-namespace STRICT policy (B2); a scrape job keeps `argocd-metrics`, a Service
 * that does not exist (B3). Pins the findings of the mTLS / Prometheus rules and checks that the
 * story's own fixes clear them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadDir, findingsOf, apply, ROOT } from '../helpers/workspace';
import type { Finding, SourceFile } from '../../server/src/core/types';

const DIR = path.join(ROOT, 'test/fixtures/stories/ambient-wealist');
/** the rules this story exercises (routing rules such as httproute-parent-not-found have their own tests) */
const RULES = new Set([
  'strict-mtls-plaintext-client',
  'prometheus-sd-target-missing',
  'port-level-mtls-unknown-port',
  'dr-tls-conflict',
  'authz-plaintext-denied',
  'authz-selector-no-workload',
  'authz-default-service-account',
  'sidecar-and-ambient',
  'service-port-protocol',
]);

const mine = (files: SourceFile[]): Finding[] => findingsOf(files).filter((f) => RULES.has(f.rule));
const show = (files: SourceFile[], f: Finding) => `${f.rule} ${f.severity} ${f.file} ${JSON.stringify(files.find((x) => x.path === f.file)!.text.slice(f.start, f.end))}`;

test('story B: the findings and where they land', () => {
  const files = loadDir(DIR);
  const got = mine(files);
  assert.deepEqual(got.map((f) => show(files, f)).sort(), [
    'prometheus-sd-target-missing warning monitoring/prometheus.yaml "argocd-metrics"',
    'strict-mtls-plaintext-client error istio/peerauthentication.yaml "STRICT"',
  ]);
  const strict = got.find((f) => f.rule === 'strict-mtls-plaintext-client')!;
  assert.match(strict.message, /port 9090 of Deployment wealist-prod\/user-service/);
  assert.match(strict.message, /Prometheus scrape job user-service/);
  assert.match(strict.message, /istio\.io\/dataplane-mode: none/);
  assert.match(strict.message, /ztunnel/);
  assert.match(strict.message, /connection reset by peer/);
  assert.deepEqual(strict.fixes!.map((x) => x.title), ['Remove istio.io/dataplane-mode: none', 'Set PERMISSIVE for the scraped port', 'Set mesh-wide policy to PERMISSIVE']);
  assert.ok(strict.related!.some((r) => r.span.file === 'monitoring/prometheus.yaml'), 'points at the scrape job');
  const sd = got.find((f) => f.rule === 'prometheus-sd-target-missing')!;
  assert.match(sd.message, /argocd-server/);
  assert.deepEqual(sd.fixes!.map((x) => x.title), ['Scrape pods instead (role: pod) (then STRICT mTLS rejects these plaintext scrapes: argocd-application-controller port 8082)']);
});

test('story B2 fix: removing the opt-out label clears the STRICT finding and keeps YAML valid', () => {
  const files = loadDir(DIR);
  const strict = mine(files).find((f) => f.rule === 'strict-mtls-plaintext-client')!;
  const after = apply(files, strict.fixes!.find((x) => x.title === 'Remove istio.io/dataplane-mode: none')!);
  const prom = after.find((f) => f.path === 'monitoring/prometheus.yaml')!.text;
  assert.doesNotMatch(prom, /dataplane-mode: none/);
  assert.match(prom, /labels:\n\s+app: prometheus\n\s+spec:/);
  const left = findingsOf(after);
  assert.deepEqual(left.filter((f) => f.rule === 'strict-mtls-plaintext-client' || f.rule === 'yaml-syntax').map((f) => f.message), []);
});

test('story B2 alternative: a PERMISSIVE exception for the scraped container port', () => {
  const files = loadDir(DIR);
  const strict = mine(files).find((f) => f.rule === 'strict-mtls-plaintext-client')!;
  const after = apply(files, strict.fixes!.find((x) => x.title === 'Set PERMISSIVE for the scraped port')!);
  const pa = after.find((f) => f.path === 'istio/peerauthentication.yaml')!.text;
  assert.match(pa, /namespace: wealist-prod/);
  assert.match(pa, /portLevelMtls:\n\s+"?9090"?:\n\s+mode: PERMISSIVE/);
  assert.deepEqual(mine(after).filter((f) => f.rule === 'strict-mtls-plaintext-client' || f.rule === 'port-level-mtls-unknown-port'), []);
});

test('story B3 fix: scraping pods of the metrics ports clears the finding', () => {
  const files = loadDir(DIR);
  const sd = mine(files).find((f) => f.rule === 'prometheus-sd-target-missing')!;
  const after = apply(files, sd.fixes![0]);
  const prom = after.find((f) => f.path === 'monitoring/prometheus.yaml')!.text;
  assert.match(prom, /role: pod/);
  assert.match(prom, /__meta_kubernetes_pod_label_app_kubernetes_io_name/);
  assert.match(prom, /regex: argocd-application-controller\n/);
  assert.match(prom, /__meta_kubernetes_pod_container_port_name\]\n\s+action: keep\n\s+regex: metrics/);
  assert.deepEqual(findingsOf(after).filter((f) => f.rule === 'prometheus-sd-target-missing' || f.rule === 'yaml-syntax'), []);
});

test('Prometheus back in the mesh and the chart\'s metrics Service present: no findings from these rules', () => {
  let files = loadDir(DIR);
  files = files.map((f) => (f.path === 'monitoring/prometheus.yaml' ? { ...f, text: f.text.replace(/\n\s+istio\.io\/dataplane-mode: none/, '') } : f));
  files.push({ path: 'argocd/metrics-service.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: argocd-metrics\n  namespace: argocd\nspec:\n  selector:\n    app.kubernetes.io/name: argocd-application-controller\n  ports:\n    - name: http-metrics\n      port: 8082\n      targetPort: 8082\n' });
  assert.deepEqual(mine(files).map((f) => show(files, f)), []);
});
