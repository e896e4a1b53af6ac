import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument, visit, isScalar, type Scalar } from 'yaml';
import { decodeYamlScalar, parseEmbeddedNginx } from '../../server/src/core/source/nginx/embedded';
import { walkDirectives } from '../../server/src/core/source/nginx/parser';
import type { NgxConfig, NgxDirective } from '../../server/src/core/source/nginx/ast';

const NGINX = [
  'server {',
  '    listen 8080;',
  '    server_name example.com;  # the host',
  '',
  '    location /api/ {',
  '        proxy_pass http://backend.default.svc.cluster.local:8080;',
  "        proxy_set_header Host 'backend';",
  '        add_header X-Tag "a b" always;',
  '    }',
  '}',
];

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** the scalar under `key` in the document */
function scalarRange(fileText: string, key: string): { start: number; end: number; value: string } {
  const doc = parseDocument(fileText);
  assert.deepEqual(doc.errors.map((e) => e.message), [], 'the YAML is valid');
  let found: Scalar | null = null;
  visit(doc, {
    Pair(_k, pair) {
      if (isScalar(pair.key) && pair.key.value === key && isScalar(pair.value)) found = pair.value;
    },
  });
  assert.ok(found, `no scalar under ${key}`);
  const s = found as Scalar;
  return { start: s.range![0], end: s.range![1], value: String(s.value) };
}

function configMap(header: string, body: string[], indent: number, eol = '\n'): string {
  const pad = ' '.repeat(indent);
  const lines = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: nginx-conf',
    'data:',
    `  default.conf: ${header}`,
    ...body.map((l) => (l ? pad + l : l)),
    '  other: x',
    '',
  ];
  return lines.join(eol);
}

/** every name and arg maps onto its raw text in the file; lines are lines of the file */
function checkMapped(fileText: string, config: NgxConfig, where: string): NgxDirective[] {
  const all: NgxDirective[] = [];
  walkDirectives(config.directives, (d) => {
    all.push(d);
    assert.equal(fileText.slice(d.nameStart, d.nameEnd), d.name, `${where}: name`);
    assert.equal(d.line, lineOf(fileText, d.nameStart), `${where}: line of ${d.name}`);
    for (const a of d.args) assert.equal(fileText.slice(a.start, a.end), a.raw, `${where}: arg ${a.raw}`);
    if (d.block) {
      assert.equal(fileText[d.blockStart!], '{', where);
      assert.equal(fileText[d.blockEnd! - 1], '}', where);
    } else {
      assert.equal(fileText[d.end - 1], ';', where);
    }
  });
  for (const c of config.comments) {
    assert.equal(fileText.slice(c.start, c.end), `#${c.text}`, `${where}: comment`);
    assert.equal(c.line, lineOf(fileText, c.start));
  }
  return all;
}

const BLOCK_VARIANTS: Array<[string, string, number, string]> = [
  ['|', '|', 4, '\n'],
  ['|-', '|-', 4, '\n'],
  ['|+', '|+', 4, '\n'],
  ['|4 (more-indented first line)', '|4', 6, '\n'],
  ['|2 with deeper content', '|2', 6, '\n'],
  ['| CRLF', '|', 4, '\r\n'],
  ['|- CRLF', '|-', 4, '\r\n'],
  ['|+ CRLF', '|+', 4, '\r\n'],
  ['| with comment', '| # nginx', 4, '\n'],
];

test('block literals: value equals yaml, every arg maps back to its raw text', () => {
  for (const [name, header, indent, eol] of BLOCK_VARIANTS) {
    const body = name.startsWith('|4') ? [' ' + NGINX[0], ...NGINX.slice(1)] : NGINX;
    const fileText = configMap(header, body, indent, eol);
    const r = scalarRange(fileText, 'default.conf');
    const emb = decodeYamlScalar(fileText, r.start, r.end)!;
    assert.equal(emb.text, r.value, `${name}: decoded text`);
    assert.equal(emb.exact, true, name);
    const parsed = parseEmbeddedNginx(fileText, r.start, r.end)!;
    assert.equal(parsed.exact, true);
    assert.deepEqual(parsed.config.errors, [], name);
    const all = checkMapped(fileText, parsed.config, name);
    assert.equal(all.length, 7, name);
    // value line k is source line k + the line of the header
    const headerLine = lineOf(fileText, r.start);
    assert.deepEqual(
      all.map((d) => d.line - headerLine),
      [1, 2, 3, 5, 6, 7, 8],
      name,
    );
    const listen = all[1];
    assert.equal(fileText.slice(listen.start, listen.end), 'listen 8080;');
    // the whole decoded text maps character by character (line breaks to the break)
    for (let i = 0; i < emb.text.length; i++) {
      const f = emb.toFile(i);
      if (emb.text[i] === '\n') assert.ok(fileText[f] === '\n' || fileText.slice(f, f + 2) === '\r\n', name);
      else assert.equal(fileText[f], emb.text[i], `${name}: char ${i}`);
    }
    assert.ok(emb.toFile(emb.text.length) <= r.end);
  }
});

test('double-quoted scalar: escapes, folding, offsets', () => {
  const value = NGINX.join('\n').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const fileText = `data:\n  default.conf: "${value}\\n"\n  other: x\n`;
  const r = scalarRange(fileText, 'default.conf');
  const emb = decodeYamlScalar(fileText, r.start, r.end)!;
  assert.equal(emb.text, r.value);
  assert.equal(emb.text, NGINX.join('\n') + '\n');
  assert.equal(emb.exact, true);
  const parsed = parseEmbeddedNginx(fileText, r.start, r.end)!;
  assert.deepEqual(parsed.config.errors, []);
  const all: NgxDirective[] = [];
  walkDirectives(parsed.config.directives, (d) => {
    all.push(d);
    assert.equal(fileText.slice(d.nameStart, d.nameEnd), d.name);
    for (const a of d.args) {
      // an arg with `"` is written `\"` in the YAML source: it maps onto the escaped text
      const src = fileText.slice(a.start, a.end);
      assert.equal(src, a.raw.replace(/"/g, '\\"'), a.raw);
    }
    assert.equal(d.line, 2);
  });
  assert.equal(all.length, 7);

  // multi-line with folding, escaped line breaks and \x / \u escapes
  const multi =
    'k: "server {\\n\n    listen 80;\\n\\\n    return 200 \\x41\\u00e9;\\n\n\n    }\\n"\n';
  const m = scalarRange(multi, 'k');
  const me = decodeYamlScalar(multi, m.start, m.end)!;
  assert.equal(me.text, m.value);
  assert.equal(me.text, 'server {\n listen 80;\nreturn 200 Aé;\n\n}\n');
  const mp = parseEmbeddedNginx(multi, m.start, m.end)!;
  assert.deepEqual(mp.config.errors, []);
  const ds: NgxDirective[] = [];
  walkDirectives(mp.config.directives, (d) => ds.push(d));
  assert.deepEqual(ds.map((d) => [d.name, d.line]), [['server', 1], ['listen', 2], ['return', 3]]);
  const ret = ds[2];
  assert.equal(multi.slice(ret.args[1].start, ret.args[1].end), '\\x41\\u00e9');
  assert.equal(multi.slice(ds[1].start, ds[1].end), 'listen 80;');
});

test('errors map to the YAML line of the problem', () => {
  const body = ['server {', '    listen 8080', '}', ''];
  for (const [header, eol] of [['|', '\n'], ['|-', '\r\n'], ['|+', '\n']] as const) {
    const fileText = configMap(header, body, 4, eol);
    const r = scalarRange(fileText, 'default.conf');
    const parsed = parseEmbeddedNginx(fileText, r.start, r.end)!;
    assert.equal(parsed.config.errors.length, 1);
    const e = parsed.config.errors[0];
    assert.equal(fileText[e.start], '}');
    assert.equal(e.line, lineOf(fileText, r.start) + 3);
  }
  const open = configMap('|', ['http {', '  server {', '  }'], 4);
  const r = scalarRange(open, 'default.conf');
  const e = parseEmbeddedNginx(open, r.start, r.end)!.config.errors[0];
  assert.equal(e.message, 'unexpected end of file, expecting "}"');
  assert.equal(open[e.start], '{');
  assert.equal(e.line, lineOf(open, r.start) + 1);
});

test('folded, single-quoted and plain scalars decode like yaml with a monotone in-range mapping', () => {
  const docs = [
    'k: >\n  server { listen 80; }\n  location / {}\n\n  x;\n',
    'k: >-\r\n  a b;\r\n     more indented;\r\n  c d;\r\n',
    "k: 'listen 80;\n   return 200 ''x'';\n\n  y;'\n",
    'k: listen 80;\n  return 200 x;\n',
    "k: 'single line ''q'';'\n",
    'k: plain line;\n',
  ];
  for (const fileText of docs) {
    const r = scalarRange(fileText, 'k');
    const emb = decodeYamlScalar(fileText, r.start, r.end)!;
    assert.equal(emb.text, r.value, JSON.stringify(fileText));
    assert.equal(emb.exact, false);
    let prev = -1;
    for (let i = 0; i <= emb.text.length; i++) {
      const f = emb.toFile(i);
      assert.ok(f >= prev && f >= r.start && f <= r.end, `${JSON.stringify(fileText)} at ${i}`);
      prev = f;
    }
    const parsed = parseEmbeddedNginx(fileText, r.start, r.end)!;
    assert.equal(parsed.exact, false);
    walkDirectives(parsed.config.directives, (d) => {
      assert.ok(d.nameStart >= r.start && d.end <= r.end);
    });
  }
});

test('decodeYamlScalar agrees with yaml on many block scalar layouts', () => {
  const bodies = ['a;\n\nb {\n  c;\n}\n', '  more;\nless;\n', 'x;\n\n\n', 'a\n  b\n\tc\nd\n\n  e\nf'];
  const headers = ['|', '|-', '|+', '|1', '|2-', '|+2', '>', '>-', '>+', '>2'];
  let checked = 0;
  let skipped = 0;
  const indent = (body: string, n: number): string =>
    body
      .split('\n')
      .map((l) => (l ? ' '.repeat(n) + l : l))
      .join('\n');
  for (const body of bodies)
    for (const h of headers) {
      const explicit = Number(h.replace(/\D/g, '')) || 0;
      if (!explicit && body.startsWith(' ')) continue; // needs an indentation indicator
      for (const extra of explicit ? [explicit] : [1, 2, 4]) {
        // [document, column of the collection holding the scalar]
        const layouts: Array<(pad: number) => string> = [
          (pad) => `k: ${h}\n${indent(body, pad)}\nz: 1\n`,
          (pad) => `a:\n  b:\n    k: ${h}\n${indent(body, 4 + pad)}\n    z: 1\n`,
          (pad) => `- k: ${h}\n${indent(body, 2 + pad)}\n- z\n`,
          (pad) => `a:\n  - - k: ${h}\n${indent(body, 6 + pad)}\n      z: 1\n`,
          (pad) => `- ${h}\n${indent(body, pad)}\n- z\n`,
        ];
        for (const layout of layouts) {
          const fileText = layout(extra);
          const doc = parseDocument(fileText);
          if (doc.errors.length) {
            skipped++;
            continue;
          }
          visit(doc, {
            Scalar(_k, node) {
              if (typeof node.value !== 'string' || !node.range) return;
              const emb = decodeYamlScalar(fileText, node.range[0], node.range[1])!;
              assert.equal(emb.text, node.value, JSON.stringify(fileText));
              checked++;
            },
          });
        }
      }
    }
  assert.ok(checked > 200 && skipped < checked / 4, `checked ${checked}, skipped ${skipped} invalid YAML layouts`);
  // a header on its own line and sequence entries
  for (const fileText of ['k:\n  |1\n   x\n', '- |1\n  x\n', 'a:\n  - - c: |1\n        x\n']) {
    const doc = parseDocument(fileText);
    visit(doc, {
      Scalar(_k, node) {
        if (typeof node.value !== 'string' || !node.range || node.value.length < 2) return;
        assert.equal(decodeYamlScalar(fileText, node.range[0], node.range[1])!.text, node.value, fileText);
      },
    });
  }
});

test('invalid ranges return null', () => {
  assert.equal(decodeYamlScalar('k: v', 5, 3), null);
  assert.equal(decodeYamlScalar('k: v', -1, 3), null);
  assert.equal(decodeYamlScalar('k: v', 0, 10), null);
  assert.equal(parseEmbeddedNginx('k: v', 4, 2), null);
  const empty = decodeYamlScalar('k: ""', 3, 3)!;
  assert.equal(empty.text, '');
  assert.equal(empty.toFile(0), 3);
});
