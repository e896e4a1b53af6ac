/**
 * Grammar tests: the nginx TextMate grammar, its YAML injection and the language configuration.
 * Tokenizes with vscode-textmate + vscode-oniguruma (devDependencies). They are required:
 * a missing package fails the test instead of skipping it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');
const syntaxes = join(root, 'syntaxes');

// Minimal local typings, so that typechecking does not depend on the packages' own .d.ts.
interface IToken { startIndex: number; endIndex: number; scopes: string[] }
interface IGrammar { tokenizeLine(line: string, state: unknown): { tokens: IToken[]; ruleStack: unknown } }
interface TextMate {
  INITIAL: unknown;
  parseRawGrammar(content: string, filePath: string): unknown;
  Registry: new (options: {
    onigLib: Promise<unknown>;
    loadGrammar(scope: string): Promise<unknown>;
    getInjections?(scope: string): string[] | undefined;
  }) => { loadGrammar(scope: string): Promise<IGrammar | null> };
}
interface Oniguruma {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (patterns: string[]) => unknown;
  OnigString: new (s: string) => unknown;
}

function loadTextmate(): { vt: TextMate; onig: Oniguruma; wasm: string } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vt = require('vscode-textmate') as TextMate;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const onig = require('vscode-oniguruma') as Oniguruma;
    const wasm = join(dirname(require.resolve('vscode-oniguruma')), 'onig.wasm');
    return { vt, onig, wasm };
  } catch (e) {
    throw new Error(`grammar tests need the devDependencies vscode-textmate and vscode-oniguruma: ${(e as Error).message}`);
  }
}

/** A small stand-in for VS Code's YAML grammar: keys, comments and literal block scalars. */
const yamlStub = {
  scopeName: 'source.yaml',
  patterns: [
    { match: '#.*$', name: 'comment.line.number-sign.yaml' },
    {
      begin: '(\\|)([-+]?[1-9]?)\\s*$',
      beginCaptures: { 1: { name: 'keyword.control.flow.block-scalar.literal.yaml' } },
      while: '^(?=[ \\t]+\\S|[ \\t]*$)',
      contentName: 'string.unquoted.block.yaml',
    },
    { match: '^\\s*(?:-\\s+)?([^\\s:#][^:#]*)(:)(?=\\s|$)', captures: { 1: { name: 'entity.name.tag.yaml' }, 2: { name: 'punctuation.separator.key-value.mapping.yaml' } } },
    { match: '\\S+', name: 'string.unquoted.plain.out.yaml' },
  ],
};

interface Tok {
  text: string;
  scopes: string[];
}

async function tokenizer() {
  const { vt, onig, wasm } = loadTextmate();
  const bytes = readFileSync(wasm);
  await onig.loadWASM(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const files: Record<string, string> = {
    'source.nginx': join(syntaxes, 'nginx.tmLanguage.json'),
    'meshlint.yaml.nginx-injection': join(syntaxes, 'nginx-in-yaml.injection.json'),
  };
  const registry = new vt.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new onig.OnigScanner(patterns),
      createOnigString: (s: string) => new onig.OnigString(s),
    }),
    loadGrammar: async (scope: string) => {
      if (scope === 'source.yaml') return vt.parseRawGrammar(JSON.stringify(yamlStub), 'yaml.json');
      const f = files[scope];
      return f ? vt.parseRawGrammar(readFileSync(f, 'utf8'), f) : null;
    },
    getInjections: (scope: string) => (scope === 'source.yaml' ? ['meshlint.yaml.nginx-injection'] : undefined),
  });
  return async (scope: string, text: string): Promise<Tok[][]> => {
    const grammar = await registry.loadGrammar(scope);
    assert.ok(grammar, `grammar ${scope} loads`);
    let state = vt.INITIAL;
    const lines: Tok[][] = [];
    for (const line of text.split('\n')) {
      const r = grammar.tokenizeLine(line, state);
      state = r.ruleStack;
      lines.push(r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })));
    }
    return lines;
  };
}

/** Asserts that on line `line` the token with exactly `text` (n-th occurrence) carries `scope`. */
function expectScope(lines: Tok[][], line: number, text: string, scope: string, nth = 0): void {
  const toks = lines[line].filter((t) => t.text.trim() === text);
  const t = toks[nth];
  assert.ok(t, `line ${line}: token ${JSON.stringify(text)} not found in ${JSON.stringify(lines[line].map((x) => x.text))}`);
  assert.ok(t.scopes.some((s) => s === scope || s.startsWith(`${scope}.`) || s.split(' ').includes(scope)), `line ${line}: ${JSON.stringify(text)} has ${t.scopes.join(', ')}, expected ${scope}`);
}
function expectNoScope(lines: Tok[][], line: number, text: string, scopePrefix: string): void {
  for (const t of lines[line].filter((x) => x.text.trim() === text)) {
    assert.ok(!t.scopes.some((s) => s.startsWith(scopePrefix)), `line ${line}: ${JSON.stringify(text)} should not be ${scopePrefix} (${t.scopes.join(', ')})`);
  }
}

test('grammar and configuration files are valid JSON with the expected scope names', () => {
  const g = JSON.parse(readFileSync(join(syntaxes, 'nginx.tmLanguage.json'), 'utf8'));
  assert.equal(g.scopeName, 'source.nginx');
  const inj = JSON.parse(readFileSync(join(syntaxes, 'nginx-in-yaml.injection.json'), 'utf8'));
  assert.equal(inj.scopeName, 'meshlint.yaml.nginx-injection');
  assert.equal(inj.injectionSelector, 'L:source.yaml');
  const conf = JSON.parse(readFileSync(join(syntaxes, 'nginx.language-configuration.json'), 'utf8'));
  assert.equal(conf.comments.lineComment, '#');
  const inc = new RegExp(conf.indentationRules.increaseIndentPattern);
  const dec = new RegExp(conf.indentationRules.decreaseIndentPattern);
  assert.ok(inc.test('    location /api {'));
  assert.ok(!inc.test('    location /api { return 204; }'));
  assert.ok(!inc.test('    # {'));
  assert.ok(dec.test('    }'));
});

const sample = [
  '# main config', // 0
  'user nginx;', // 1
  'http {', // 2
  '    map $http_upgrade $connection_upgrade {', // 3
  '        default upgrade;', // 4
  "        ''      close;", // 5
  '    }', // 6
  '    upstream was_backend {', // 7
  '        server was-service.blog-system.svc.cluster.local:8080 max_fails=3 fail_timeout=10s;', // 8
  '    }', // 9
  '    server {', // 10
  '        listen 80 default_server;', // 11
  '        client_max_body_size 512k;', // 12
  '        location = /healthz { return 200 "ok\\n"; }', // 13
  '        location ~* \\.(js|css)$ { expires 1m; }', // 14
  '        location /api {', // 15
  '            proxy_set_header Host $host;   # external domain', // 16
  '            proxy_buffering off;', // 17
  '            set $x "${host}-a#b";', // 18
  '            add_header X-Test a#b;', // 19
  '            if ($request_uri ~ ^/(a|b)$) { rewrite ^/(.*)$ /x/$1 break; }', // 20
  '            access_by_lua_block {', // 21
  '                local t = { a = { 1 } }', // 22
  '            }', // 23
  '            proxy_read_timeout 5s;', // 24
  '        }', // 25
  '        location ^~ /static/ { root /srv; }', // 26
  '    }', // 27
  '}', // 28
].join('\n');

test('nginx grammar tokenizes a sample configuration', async () => {
  const tokenize = await tokenizer();
  const l = await tokenize('source.nginx', sample);
  expectScope(l, 0, '# main config'.slice(1).trim(), 'comment.line.number-sign.nginx');
  expectScope(l, 1, 'user', 'keyword.other.directive.nginx');
  expectScope(l, 1, ';', 'punctuation.terminator.nginx');
  expectScope(l, 2, 'http', 'keyword.control.block.nginx');
  expectScope(l, 2, '{', 'punctuation.section.block.begin.nginx');
  expectScope(l, 3, 'map', 'keyword.control.block.nginx');
  expectScope(l, 3, 'http_upgrade', 'variable.other.readwrite.nginx');
  expectScope(l, 5, "''", 'entity.name.tag.key.nginx');
  expectNoScope(l, 5, "''", 'keyword.other.directive');
  expectScope(l, 7, 'upstream', 'keyword.control.block.nginx');
  expectScope(l, 7, 'was_backend', 'entity.name.type.upstream.nginx');
  expectScope(l, 8, 'server', 'keyword.other.directive.nginx');
  expectScope(l, 8, 'max_fails', 'variable.parameter.nginx');
  expectScope(l, 8, '10', 'constant.numeric.nginx');
  expectScope(l, 8, 's', 'keyword.other.unit.nginx');
  expectScope(l, 10, 'server', 'keyword.control.block.nginx');
  expectScope(l, 11, 'default_server', 'constant.language.nginx');
  expectScope(l, 12, '512', 'constant.numeric.nginx');
  expectScope(l, 12, 'k', 'keyword.other.unit.nginx');
  expectScope(l, 13, 'location', 'keyword.control.block.nginx');
  expectScope(l, 13, '=', 'keyword.operator.modifier.nginx');
  expectScope(l, 13, '/healthz', 'string.unquoted.path.nginx');
  expectScope(l, 13, 'return', 'keyword.other.directive.nginx');
  expectScope(l, 13, '\\n', 'constant.character.escape.nginx');
  expectScope(l, 13, '}', 'punctuation.section.block.end.nginx');
  expectScope(l, 14, '~*', 'keyword.operator.modifier.nginx');
  expectScope(l, 14, '\\.(js|css)$', 'string.regexp.nginx');
  expectScope(l, 14, 'expires', 'keyword.other.directive.nginx');
  expectScope(l, 15, '/api', 'string.unquoted.path.nginx');
  expectScope(l, 16, 'proxy_set_header', 'keyword.other.directive.nginx');
  expectScope(l, 16, 'host', 'variable.other.readwrite.nginx');
  expectScope(l, 16, 'external domain', 'comment.line.number-sign.nginx');
  expectScope(l, 17, 'off', 'constant.language.boolean.nginx');
  // `${var}` inside a string is a variable, and `#` inside a word or string is not a comment
  expectScope(l, 18, 'set', 'keyword.other.directive.nginx');
  expectScope(l, 18, '${', 'punctuation.definition.variable.begin.nginx');
  expectScope(l, 18, 'host', 'variable.other.readwrite.nginx');
  expectScope(l, 18, '-a#b', 'string.quoted.double.nginx');
  expectNoScope(l, 19, 'X-Test a#b', 'comment');
  expectScope(l, 20, 'if', 'keyword.control.conditional.nginx');
  expectScope(l, 20, '^/(a|b)$', 'string.regexp.nginx');
  expectScope(l, 20, 'rewrite', 'keyword.other.directive.nginx');
  expectScope(l, 20, '^/(.*)$', 'string.regexp.nginx');
  expectScope(l, 20, 'break', 'constant.language.nginx');
  expectScope(l, 21, 'access_by_lua_block', 'keyword.other.directive.lua-block.nginx');
  // Lua body: nested braces stay inside the block; without a Lua grammar it is plain embedded text
  for (const t of l[22].filter((x) => x.text.trim())) assert.ok(t.scopes.includes('meta.embedded.block.lua'), `line 22: ${t.text} ${t.scopes.join(' ')}`);
  expectScope(l, 23, '}', 'punctuation.section.block.end.nginx');
  expectScope(l, 24, 'proxy_read_timeout', 'keyword.other.directive.nginx');
  expectScope(l, 24, '5', 'constant.numeric.nginx');
  expectScope(l, 26, '^~', 'keyword.operator.modifier.nginx');
  expectScope(l, 26, '/static/', 'string.unquoted.path.nginx');
  expectScope(l, 28, '}', 'punctuation.section.block.end.nginx');
});

test('a directive that spans lines keeps its arguments', async () => {
  const tokenize = await tokenizer();
  const l = await tokenize('source.nginx', ["log_format main '$remote_addr'", "                 '$status';", 'gzip on;'].join('\n'));
  expectScope(l, 1, 'status', 'variable.other.readwrite.nginx');
  expectNoScope(l, 1, "'", 'keyword.other.directive');
  expectScope(l, 2, 'gzip', 'keyword.other.directive.nginx');
});

test('injection highlights nginx inside a YAML block scalar under a *.conf key', async () => {
  const tokenize = await tokenizer();
  const yaml = [
    'apiVersion: v1', // 0
    'kind: ConfigMap', // 1
    'data:', // 2
    '  default.conf: |', // 3
    '    server {', // 4
    '        listen 80;', // 5
    '', // 6
    '        location /api {', // 7
    '            proxy_set_header Host $host;', // 8
    '        }', // 9
    '  other: value', // 10
    '  "nginx.conf": |-', // 11
    '    events {', // 12
    '  plain.txt: |', // 13
    '    server { listen 80; }', // 14
    '---', // 15
    'kind: Service', // 16
  ].join('\n');
  const l = await tokenize('source.yaml', yaml);
  expectScope(l, 3, 'default.conf', 'entity.name.tag.yaml');
  expectScope(l, 3, '|', 'keyword.control.flow.block-scalar.literal.yaml');
  expectScope(l, 4, 'server', 'keyword.control.block.nginx');
  expectScope(l, 4, 'server', 'meta.embedded.block.nginx');
  expectScope(l, 5, 'listen', 'keyword.other.directive.nginx');
  expectScope(l, 8, 'host', 'variable.other.readwrite.nginx');
  // indentation back at the key's level ends the embedded block, even with an open `{`
  expectScope(l, 10, 'other', 'entity.name.tag.yaml');
  expectNoScope(l, 10, 'other', 'meta.embedded');
  expectScope(l, 11, '"nginx.conf"', 'entity.name.tag.yaml');
  expectScope(l, 12, 'events', 'keyword.control.block.nginx');
  expectScope(l, 13, 'plain.txt', 'entity.name.tag.yaml');
  expectNoScope(l, 13, 'plain.txt', 'meta.embedded');
  // not a .conf key: stays a plain YAML string
  for (const t of l[14]) assert.ok(!t.scopes.some((s) => s.endsWith('.nginx')), `line 14: ${t.text} ${t.scopes.join(' ')}`);
  expectScope(l, 16, 'kind', 'entity.name.tag.yaml');
});
