/** Story A (the blog-system): the broken example reports each applicable rule; the repaired state is clean. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadDir, findingsOf, apply, ROOT } from '../helpers/workspace';

const broken = () => loadDir(path.join(ROOT, 'examples/blog-system'));

test('the broken blog-system reports the story findings at the right places', () => {
  const files = broken();
  const got = findingsOf(files).map((f) => `${f.rule} ${f.severity} ${f.file} ${JSON.stringify(files.find((x) => x.path === f.file)!.text.slice(f.start, f.end))}`);
  assert.deepEqual(got.sort(), [
    'host-header-passthrough warning web/configmap.yaml "$host"',
    'ingress-bypasses-proxy warning ingress-nginx/blog-ingress.yaml "was-service"',
    'missing-destination-rule hint was/deployment.yaml "was-service"',
    'nginx-upstream-http10 warning web/configmap.yaml "proxy_pass"',
    'proxy-pass-short-name information web/configmap.yaml "was-service"',
    'strict-mtls-plaintext-client error istio/peerauthentication.yaml "STRICT"',
    'strict-mtls-plaintext-client error istio/peerauthentication.yaml "STRICT"',
  ].sort());
});

test('the repaired blog-system (the story\'s final state) has no findings at all', () => {
  const files = loadDir(path.join(ROOT, 'test/fixtures/stories/blog-system-fixed'));
  assert.deepEqual(findingsOf(files).map((f) => `${f.rule}: ${f.message}`), []);
});

test('applying the preferred fix of every finding, one at a time, converges to a clean workspace (hints aside)', () => {
  let files = broken();
  for (let round = 0; round < 20; round++) {
    const fs = findingsOf(files).filter((f) => f.fixes?.length);
    if (!fs.length) break;
    const f = fs[0];
    const fix = f.fixes!.find((x) => x.preferred) ?? f.fixes![0];
    files = apply(files, fix);
  }
  const left = findingsOf(files).filter((f) => f.severity !== 'hint' && f.severity !== 'information');
  assert.deepEqual(left.map((f) => `${f.rule}: ${f.message}`), []);
  const conf = files.find((f) => f.path === 'web/configmap.yaml')!.text;
  assert.match(conf, /proxy_set_header Host was-service;/);
  assert.match(conf, /proxy_http_version 1\.1;/);
  assert.ok(files.some((f) => /destinationrule\.yaml$/.test(f.path) && /ISTIO_MUTUAL/.test(f.text)), 'a DestinationRule file was created');
});
