/**
 * Suppression: `# meshlint-disable-next-line <rule>[, <rule>]`, `# meshlint-disable [<rule>...]` ...
 * `# meshlint-enable [<rule>...]`, and the object annotation `meshlint.io/ignore: "<rule>,<rule>"`
 * (empty = all rules), in YAML, in nginx embedded in a ConfigMap, and in standalone nginx files.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadDir, findingsOf, ROOT } from '../helpers/workspace';
import { suppressions } from '../../server/src/core/suppress';
import type { SourceFile } from '../../server/src/core/types';

const STRICT = 'strict-mtls-plaintext-client';
const HOST = 'host-header-passthrough';
const HTTP10 = 'nginx-upstream-http10';
const SHORT = 'proxy-pass-short-name';

/** story A4: ingress-nginx -> web under a namespace STRICT policy */
const strictCase = () => loadDir(path.join(ROOT, 'test/fixtures/rules/strict-mtls-plaintext-client/fires-ingress-nginx'));
/** story A2: embedded nginx sends Host $host */
const hostCase = () => loadDir(path.join(ROOT, 'test/fixtures/rules/host-header-passthrough/fires-host-variable'));

function edit(files: SourceFile[], file: string, f: (t: string) => string): SourceFile[] {
  return files.map((x) => (x.path === file ? { ...x, text: f(x.text) } : x));
}
const rules = (files: SourceFile[]) => findingsOf(files).map((f) => f.rule);
const count = (files: SourceFile[], rule: string) => findingsOf(files, rule).length;

describe('YAML comments', () => {
  test('the baseline fires', () => {
    assert.equal(count(strictCase(), STRICT), 1);
  });

  test('disable-next-line with the rule suppresses the finding on the next line only', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => t.replace('    mode: STRICT', '    # meshlint-disable-next-line strict-mtls-plaintext-client\n    mode: STRICT'));
    assert.equal(count(files, STRICT), 0);
  });

  test('disable-next-line with a list (comma and spaces) and a -- reason', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => t.replace('    mode: STRICT', '    # meshlint-disable-next-line dr-tls-conflict, strict-mtls-plaintext-client -- ingress is being moved\n    mode: STRICT'));
    assert.equal(count(files, STRICT), 0);
  });

  test('disable-next-line naming another rule does not suppress', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => t.replace('    mode: STRICT', '    # meshlint-disable-next-line dr-tls-conflict\n    mode: STRICT'));
    assert.equal(count(files, STRICT), 1);
  });

  test('disable-next-line does not reach two lines down', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => t.replace('  mtls:\n', '  # meshlint-disable-next-line strict-mtls-plaintext-client\n  mtls:\n'));
    assert.equal(count(files, STRICT), 1);
  });

  test('disable ... enable suppresses inside the block, not after it', () => {
    const inside = edit(strictCase(), 'pa.yaml', (t) => t.replace('spec:\n', '# meshlint-disable strict-mtls-plaintext-client\nspec:\n') + '# meshlint-enable strict-mtls-plaintext-client\n');
    assert.equal(count(inside, STRICT), 0);
    const after = edit(strictCase(), 'pa.yaml', (t) => t.replace('spec:\n', '# meshlint-disable strict-mtls-plaintext-client\n# meshlint-enable\nspec:\n'));
    assert.equal(count(after, STRICT), 1);
  });

  test('disable without rules suppresses every rule until the end of the file', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => '# meshlint-disable\n' + t);
    assert.equal(count(files, STRICT), 0);
  });

  test('enable of one rule keeps the others of the same disable suppressed', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => '# meshlint-disable strict-mtls-plaintext-client, dr-tls-conflict\n# meshlint-enable dr-tls-conflict\n' + t);
    assert.equal(count(files, STRICT), 0);
  });

  test('enable of one rule after a disable of all rules re-enables only that rule', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => '# meshlint-disable\n# meshlint-enable strict-mtls-plaintext-client\n' + t);
    assert.equal(count(files, STRICT), 1);
    const s = suppressions('# meshlint-disable\n# meshlint-enable a\nx\n', []);
    assert.equal(s.suppressed('a', 40), false);
    assert.equal(s.suppressed('b', 40), true);
  });

  test('the markers need a comment: text in a value does not suppress', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => t.replace('  name: default\n', '  name: default\n  labels:\n    note: "meshlint-disable strict-mtls-plaintext-client"\n'));
    assert.equal(count(files, STRICT), 1);
  });

  test('CRLF files', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => t.replace('    mode: STRICT', '    # meshlint-disable-next-line strict-mtls-plaintext-client\n    mode: STRICT').replace(/\n/g, '\r\n'));
    assert.equal(count(files, STRICT), 0);
  });
});

describe('the meshlint.io/ignore annotation', () => {
  const annotate = (value: string) => edit(strictCase(), 'pa.yaml', (t) => t.replace('  namespace: blog-system\n', `  namespace: blog-system\n  annotations:\n    meshlint.io/ignore: ${value}\n`));

  test('naming the rule suppresses findings inside the object', () => {
    assert.equal(count(annotate('"strict-mtls-plaintext-client"'), STRICT), 0);
  });

  test('a list of rules', () => {
    assert.equal(count(annotate('"dr-tls-conflict, strict-mtls-plaintext-client"'), STRICT), 0);
  });

  test('empty means all rules', () => {
    assert.equal(count(annotate('""'), STRICT), 0);
  });

  test('another rule does not suppress', () => {
    assert.equal(count(annotate('"dr-tls-conflict"'), STRICT), 1);
  });

  test('it covers only its own object (the finding is on the PeerAuthentication, not the Deployment)', () => {
    const files = edit(strictCase(), 'web.yaml', (t) => t.replace('  name: web\n  namespace: blog-system\n', '  name: web\n  namespace: blog-system\n  annotations:\n    meshlint.io/ignore: ""\n'));
    assert.equal(count(files, STRICT), 1);
  });

  test('in a multi-document file it does not leak into the next document', () => {
    const files = edit(strictCase(), 'pa.yaml', (t) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n  namespace: blog-system\n  annotations:\n    meshlint.io/ignore: ""\ndata: {}\n---\n` + t);
    assert.equal(count(files, STRICT), 1);
  });
});

describe('nginx embedded in a ConfigMap', () => {
  test('the baseline fires', () => {
    assert.equal(count(hostCase(), HOST), 1);
  });

  test('disable-next-line inside the nginx text', () => {
    const files = edit(hostCase(), 'cm.yaml', (t) => t.replace(/^(\s*)proxy_set_header Host \$host;/m, '$1# meshlint-disable-next-line host-header-passthrough\n$1proxy_set_header Host $host;'));
    assert.equal(count(files, HOST), 0);
    assert.ok(rules(files).every((r) => r !== 'nginx-syntax'), 'the comment keeps nginx valid');
  });

  test('disable ... enable around a location', () => {
    const files = edit(hostCase(), 'cm.yaml', (t) => t.replace(/^(\s*)location \/api/m, '$1# meshlint-disable host-header-passthrough\n$1location /api').replace(/^(\s*)proxy_set_header Host \$host;\n(\s*)\}/m, '$1proxy_set_header Host $host;\n$2}\n$2# meshlint-enable host-header-passthrough'));
    assert.equal(count(files, HOST), 0);
  });

  test('the ConfigMap annotation covers its embedded nginx', () => {
    const files = edit(hostCase(), 'cm.yaml', (t) => t.replace(/^metadata:\n/m, 'metadata:\n  annotations:\n    meshlint.io/ignore: "host-header-passthrough"\n'));
    assert.equal(count(files, HOST), 0);
  });
});

describe('standalone nginx files', () => {
  const base = (): SourceFile[] => [
    ...hostCase().filter((f) => f.path !== 'cm.yaml'),
    { path: 'nginx/nginx.conf', text: 'server {\n    listen 80;\n    location /api {\n        proxy_pass http://was-service:8080;\n        proxy_set_header Host $host;\n    }\n}\n' },
  ];

  test('the baseline fires', () => {
    const r = rules(base());
    assert.ok(r.includes(HTTP10) && r.includes(SHORT), r.join(', '));
  });

  test('disable-next-line before proxy_pass suppresses the rules listed, only those', () => {
    const files = edit(base(), 'nginx/nginx.conf', (t) => t.replace('        proxy_pass', '        # meshlint-disable-next-line nginx-upstream-http10\n        proxy_pass'));
    const r = rules(files);
    assert.ok(!r.includes(HTTP10), r.join(', '));
    assert.ok(r.includes(SHORT), 'other rules still report');
  });

  test('disable of all rules at the top of the file', () => {
    const files = edit(base(), 'nginx/nginx.conf', (t) => '# meshlint-disable\n' + t);
    assert.deepEqual(findingsOf(files).filter((f) => f.file === 'nginx/nginx.conf').map((f) => f.rule), []);
  });

  test('a "#" inside a quoted nginx string is not a comment', () => {
    const files = edit(base(), 'nginx/nginx.conf', (t) => t.replace('        proxy_pass', '        add_header X-Note "# meshlint-disable";\n        proxy_pass'));
    assert.ok(rules(files).includes(HTTP10));
  });
});
