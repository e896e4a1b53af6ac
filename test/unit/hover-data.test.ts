import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fieldDoc, nginxDirectiveDoc, nginxVariableDoc, documentedKinds } from '../../server/src/docs/hoverData';

const root = join(__dirname, '..', '..');

test('DestinationRule spec.trafficPolicy.tls.mode: description and enum', () => {
  const doc = fieldDoc('networking.istio.io/v1', 'DestinationRule', ['spec', 'trafficPolicy', 'tls', 'mode']);
  assert.ok(doc, 'doc found');
  assert.match(doc.description, /ISTIO_MUTUAL/);
  for (const v of ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']) assert.ok(doc.enum?.includes(v), v);
  // other versions of the group share the docs
  assert.deepEqual(fieldDoc('networking.istio.io/v1beta1', 'DestinationRule', ['spec', 'trafficPolicy', 'tls', 'mode']), doc);
  // subsets are an array: numeric segments become []
  const sub = fieldDoc('networking.istio.io/v1alpha3', 'DestinationRule', ['spec', 'subsets', 0, 'trafficPolicy', 'tls', 'mode']);
  assert.ok(sub?.enum?.includes('ISTIO_MUTUAL'));
});

test('PeerAuthentication mtls mode and portLevelMtls map keys', () => {
  const doc = fieldDoc('security.istio.io/v1beta1', 'PeerAuthentication', ['spec', 'mtls', 'mode']);
  assert.ok(doc);
  for (const v of ['STRICT', 'PERMISSIVE', 'DISABLE']) assert.ok(doc.enum?.includes(v), v);
  // port numbers are map keys (`*`), not array indexes
  const port = fieldDoc('security.istio.io/v1', 'PeerAuthentication', ['spec', 'portLevelMtls', '8080', 'mode']);
  assert.ok(port?.enum?.includes('PERMISSIVE'));
  const plm = fieldDoc('security.istio.io/v1', 'PeerAuthentication', ['spec', 'portLevelMtls']);
  assert.match(plm!.description, /selector/);
  assert.match(plm!.description, /container/);
});

test('VirtualService weights, Gateway API HTTPRoute parentRefs', () => {
  const w = fieldDoc('networking.istio.io/v1', 'VirtualService', ['spec', 'http', 0, 'route', 1, 'weight']);
  assert.ok(w);
  assert.match(w.description, /proportion of traffic/);
  const name = fieldDoc('gateway.networking.k8s.io/v1', 'HTTPRoute', ['spec', 'parentRefs', 0, 'name']);
  assert.ok(name);
  assert.match(name.description, /name of the referent/i);
  assert.equal(name.type, 'string');
  assert.ok(documentedKinds().includes('gateway.networking.k8s.io/GRPCRoute'));
});

test('core and apps kinds, shared metadata and pod spec', () => {
  const t = fieldDoc('v1', 'Service', ['spec', 'type']);
  assert.ok(t?.enum?.includes('ClusterIP'));
  const meta = fieldDoc('v1', 'ConfigMap', ['metadata', 'namespace']);
  assert.ok(meta && meta.description.length > 0);
  assert.ok(fieldDoc('v1', 'ConfigMap', ['data']));
  const cp = fieldDoc('apps/v1', 'Deployment', ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort']);
  assert.ok(cp);
  assert.match(cp.description, /port/i);
  const labels = fieldDoc('apps/v1', 'Deployment', ['spec', 'template', 'metadata', 'labels']);
  assert.ok(labels);
  const ann = fieldDoc('apps/v1', 'Deployment', ['metadata', 'annotations', 'sidecar.istio.io/inject']);
  assert.equal(ann, undefined, 'map values without own docs are not invented');
  assert.ok(fieldDoc('networking.k8s.io/v1', 'Ingress', ['spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service', 'port', 'number']));
  assert.ok(fieldDoc('extensions/v1beta1', 'Ingress', ['spec', 'rules']), 'old group alias');
  assert.equal(fieldDoc('networking.istio.io/v1', 'DestinationRule', ['spec', 'nope']), undefined);
  assert.equal(fieldDoc('example.com/v1', 'Widget', ['spec']), undefined);
});

test('nginx directives: syntax, context choice', () => {
  const d = nginxDirectiveDoc('proxy_set_header');
  assert.ok(d);
  assert.ok(d.syntax.length > 0 && d.syntax[0].includes('field'));
  assert.ok(d.contexts.includes('location'));
  assert.match(d.description, /Host/);
  const httpPass = nginxDirectiveDoc('proxy_pass', ['http', 'server', 'location']);
  assert.equal(httpPass?.module, 'ngx_http_proxy_module');
  assert.equal(httpPass?.variants, 2);
  const streamPass = nginxDirectiveDoc('proxy_pass', ['stream', 'server']);
  assert.equal(streamPass?.module, 'ngx_stream_proxy_module');
  assert.equal(nginxDirectiveDoc('server', ['http', 'upstream'])?.module, 'ngx_http_upstream_module');
  assert.equal(nginxDirectiveDoc('no_such_directive'), undefined);
});

test('nginx variables', () => {
  const host = nginxVariableDoc('host');
  assert.ok(host);
  assert.match(host.description, /Host/);
  assert.deepEqual(nginxVariableDoc('$host'), host);
  assert.deepEqual(nginxVariableDoc('${host}'), host);
  assert.equal(nginxVariableDoc('http_user_agent')?.name, 'http_NAME');
  assert.equal(nginxVariableDoc('$upstream_http_server')?.name, 'upstream_http_NAME');
  assert.equal(nginxVariableDoc('remote_addr', ['stream'])?.module, 'ngx_stream_core_module');
  assert.equal(nginxVariableDoc('not_a_variable_xyz'), undefined);
});

test('generated JSON carries its generator and stays compact', () => {
  for (const f of ['k8s-fields.json', 'nginx-directives.json']) {
    const text = readFileSync(join(root, 'server/src/docs', f), 'utf8');
    const json = JSON.parse(text) as { generatedBy: string };
    assert.equal(json.generatedBy, 'scripts/gen-hover-data.ts');
    assert.ok(text.length < 2 * 1024 * 1024, `${f} is ${text.length} bytes`);
  }
});

/** Expands VS Code snippet syntax to the text the user gets by accepting every default. */
export function expandSnippet(body: string): string {
  let out = '';
  let i = 0;
  const parse = (stopAt: string | undefined): string => {
    let s = '';
    while (i < body.length) {
      const c = body[i];
      if (c === '\\' && i + 1 < body.length && '$}\\,|'.includes(body[i + 1])) {
        s += body[i + 1];
        i += 2;
      } else if (stopAt && c === stopAt) {
        return s;
      } else if (c === '$') {
        const m = /^\$(\d+|[A-Za-z_]\w*)/.exec(body.slice(i));
        if (m) {
          i += m[0].length; // bare tab stop or variable: empty
          continue;
        }
        const open = /^\$\{(\d+|[A-Za-z_]\w*)([:|]?)/.exec(body.slice(i));
        if (!open) throw new Error(`bad snippet syntax at ${i}: ${body.slice(i, i + 20)}`);
        i += open[0].length;
        if (open[2] === ':') {
          s += parse('}');
          i++; // }
        } else if (open[2] === '|') {
          const end = body.indexOf('|}', i);
          s += body.slice(i, end).split(',')[0];
          i = end + 2;
        } else {
          i++; // }
        }
      } else {
        s += c;
        i++;
      }
    }
    return s;
  };
  out = parse(undefined);
  return out;
}

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description: string;
}

function loadSnippets(file: string): Record<string, Snippet> {
  return JSON.parse(readFileSync(join(root, 'snippets', file), 'utf8')) as Record<string, Snippet>;
}

test('istio snippets expand to valid YAML with the expected content', () => {
  const snippets = loadSnippets('istio.json');
  const kinds: string[] = [];
  for (const [name, s] of Object.entries(snippets)) {
    assert.ok(s.prefix && s.description, name);
    const text = expandSnippet(Array.isArray(s.body) ? s.body.join('\n') : s.body);
    const docs = parseAllDocuments(text);
    assert.equal(docs.length, 1, name);
    assert.deepEqual(docs[0].errors, [], `${name}: ${docs[0].errors.map((e) => e.message).join('; ')}`);
    const obj = docs[0].toJS() as { apiVersion: string; kind: string; spec: Record<string, unknown> };
    assert.ok(obj.apiVersion && obj.kind && obj.spec, name);
    kinds.push(obj.kind);
    if (obj.kind === 'DestinationRule') assert.equal((obj.spec as any).trafficPolicy.tls.mode, 'ISTIO_MUTUAL');
    if (obj.kind === 'PeerAuthentication' && (obj.spec as any).portLevelMtls) {
      assert.ok((obj.spec as any).selector?.matchLabels, 'portLevelMtls needs a selector');
      assert.match(text, /container port/);
    }
    if (obj.kind === 'VirtualService') {
      const route = (obj.spec as any).http[0].route as Array<{ weight: number; destination: { subset: string } }>;
      assert.deepEqual(route.map((r) => [r.destination.subset, r.weight]), [['stable', 90], ['canary', 10]]);
    }
    if (obj.kind === 'HTTPRoute') {
      assert.ok((obj.spec as any).parentRefs[0].name);
      assert.ok((obj.spec as any).rules[0].backendRefs[0].port);
    }
    if (obj.kind === 'AuthorizationPolicy') {
      const rule = (obj.spec as any).rules[0];
      assert.equal((obj.spec as any).action, 'ALLOW');
      assert.ok(rule.from && rule.to && rule.when);
    }
    // every field of the expanded snippet is documented (catches misspelled keys)
    const walk = (v: unknown, path: Array<string | number>) => {
      if (path.length > 0 && !/^\d+$/.test(String(path[path.length - 1])) && !['matchLabels', 'portLevelMtls'].includes(String(path[path.length - 2]))) {
        assert.ok(fieldDoc(obj.apiVersion, obj.kind, path), `${name}: ${path.join('.')} is not a known field`);
      }
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk({ spec: obj.spec }, []);
  }
  assert.deepEqual(kinds.sort(), ['AuthorizationPolicy', 'DestinationRule', 'HTTPRoute', 'PeerAuthentication', 'PeerAuthentication', 'VirtualService']);
});

test('nginx snippets: mesh proxy location', () => {
  const snippets = loadSnippets('nginx.json');
  const texts = Object.values(snippets).map((s) => expandSnippet(Array.isArray(s.body) ? s.body.join('\n') : s.body));
  const loc = texts.find((t) => t.startsWith('location'));
  assert.ok(loc);
  assert.match(loc, /proxy_pass http:\/\/was-service\.blog-system\.svc\.cluster\.local:8080;/);
  assert.match(loc, /proxy_set_header Host was-service\.blog-system\.svc\.cluster\.local;/);
  assert.match(loc, /proxy_http_version 1\.1;/);
  assert.match(loc, /proxy_set_header Connection "";/);
  assert.match(loc, /X-Real-IP \$remote_addr;/);
  assert.match(loc, /X-Forwarded-For \$proxy_add_x_forwarded_for;/);
  assert.match(loc, /X-Forwarded-Proto \$scheme;/);
  for (const d of ['proxy_connect_timeout', 'proxy_send_timeout', 'proxy_read_timeout']) assert.match(loc, new RegExp(`${d} 5s;`));
  assert.ok(texts.some((t) => t.startsWith('upstream')));
  assert.ok(texts.some((t) => t.startsWith('server')));
  for (const t of texts) {
    // balanced braces and every directive name is a documented nginx directive
    assert.equal((t.match(/\{/g) ?? []).length, (t.match(/\}/g) ?? []).length);
    for (const m of t.matchAll(/^\s*([a-z_]+)\s/gm)) assert.ok(nginxDirectiveDoc(m[1]), m[1]);
  }
});
