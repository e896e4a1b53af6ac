import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseNginx, walkDirectives } from '../../server/src/core/source/nginx/parser';
import type { NgxConfig, NgxDirective } from '../../server/src/core/source/nginx/ast';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus/nginx');
const FIXTURES = path.resolve(process.cwd(), 'test/fixtures/nginx-parser');

/** files in the corpus that are not nginx configuration */
const NOT_NGINX = /\.(json|md|txt|ya?ml|lua|html|js|upstream)$/i;
/**
 * Corpus files that are not valid nginx: ingress-nginx's cleanConf test data is a truncated
 * nginx.conf (the `http {` block is never closed; 15 `{` against 14 `}`).
 */
const KNOWN_TRUNCATED: Record<string, number> = {
  'kubernetes__ingress-nginx/test/data/cleanConf.src.conf': 37,
  'kubernetes__ingress-nginx/test/data/cleanConf.expected.conf': 20,
};

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function allDirectives(cfg: NgxConfig): NgxDirective[] {
  const out: NgxDirective[] = [];
  walkDirectives(cfg.directives, (d) => out.push(d));
  return out;
}

/** Checks every offset in the tree against the text; returns the number of args checked. */
function checkOffsets(text: string, cfg: NgxConfig, where = ''): number {
  let args = 0;
  walkDirectives(cfg.directives, (d) => {
    const nameRaw = text.slice(d.nameStart, d.nameEnd);
    assert.ok(nameRaw === d.name || nameRaw.length >= d.name.length, `${where}: name ${d.name}`);
    assert.equal(d.start, d.nameStart, where);
    assert.ok(d.end >= d.nameEnd, `${where}: end of ${d.name}`);
    for (const a of d.args) {
      assert.equal(text.slice(a.start, a.end), a.raw, `${where}: arg of ${d.name} at ${a.start}`);
      args++;
    }
    if (d.block) {
      assert.equal(text[d.blockStart!], '{', `${where}: blockStart of ${d.name}`);
      if (d.blockEnd !== undefined) {
        assert.equal(text[d.blockEnd - 1], '}', `${where}: blockEnd of ${d.name}`);
        assert.equal(d.end, d.blockEnd);
      }
    }
  });
  for (const c of cfg.comments) {
    assert.equal(text[c.start], '#', `${where}: comment`);
    assert.equal(text.slice(c.start + 1, c.end), c.text);
  }
  return args;
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}

test('corpus: every nginx file parses without errors and args map to their raw text', () => {
  assert.ok(
    fs.existsSync(CORPUS),
    `nginx corpus not found at ${CORPUS} (run the tests from the repository root, next to ../shared/corpus)`,
  );
  const files = listFiles(CORPUS).sort();
  let parsed = 0;
  let args = 0;
  let withLua = 0;
  const failures: string[] = [];
  for (const f of files) {
    if (NOT_NGINX.test(f)) continue;
    parsed++;
    const rel = path.relative(CORPUS, f).split(path.sep).join('/');
    const text = fs.readFileSync(f, 'utf8');
    const cfg = parseNginx(text);
    args += checkOffsets(text, cfg, rel);
    for (const d of allDirectives(cfg)) {
      assert.equal(d.line, lineOf(text, d.nameStart), `${rel}: line of ${d.name}`);
      if (d.rawBody !== undefined) withLua++;
    }
    const truncatedAt = KNOWN_TRUNCATED[rel];
    if (truncatedAt !== undefined) {
      assert.deepEqual(
        cfg.errors.map((e) => [e.message, e.line]),
        [['unexpected end of file, expecting "}"', truncatedAt]],
        rel,
      );
      continue;
    }
    if (cfg.errors.length > 0) failures.push(`${rel}: ${JSON.stringify(cfg.errors.slice(0, 3))}`);
  }
  assert.deepEqual(failures, []);
  assert.ok(parsed >= 1100, `expected at least 1100 nginx files in the corpus, found ${parsed}`);
  assert.ok(args > 10000, `only ${args} args checked`);
  assert.ok(withLua > 0, 'the corpus has *_by_lua_block directives');
});

test('tokens: words, comments, variables, quotes, escapes', () => {
  const text = [
    'server_name a#b example.com; # trailing comment',
    'set $x ${host}a{b;}',
    'log_format main \'$remote_addr "$request"\' "it\\"s" \'it\\\'s\' "a\\\\b";',
    'return 200 "a\\nb\\tc\\x" a\\nb\\qc;',
    'if ($a = "b") { }',
    'add_header X "multi',
    'line";',
  ].join('\n');
  const cfg = parseNginx(text);
  assert.deepEqual(cfg.errors, []);
  const ds = allDirectives(cfg);
  assert.deepEqual(
    ds.map((d) => [d.name, d.line, ...d.args.map((a) => a.value)]),
    [
      ['server_name', 1, 'a#b', 'example.com'],
      ['set', 2, '$x', '${host}a'],
      ['b', 2],
      ['log_format', 3, 'main', '$remote_addr "$request"', 'it"s', "it's", 'a\\b'],
      ['return', 4, '200', 'a\nb\tc\\x', 'a\nb\\qc'],
      ['if', 5, '($a', '=', 'b', ')'],
      ['add_header', 6, 'X', 'multi\nline'],
    ],
  );
  assert.deepEqual(
    cfg.comments.map((c) => [c.text, c.line]),
    [[' trailing comment', 1]],
  );
  // `${host}a{b`: `{` after `$` does not open a block, the other `{` does
  const set = ds[1];
  assert.ok(set.block && set.blockStart === text.indexOf('{b') && set.block[0].name === 'b');
  assert.equal(ds[3].args[1].quote, "'");
  assert.equal(ds[3].args[2].quote, '"');
  assert.equal(ds[4].args[0].quote, null);
  checkOffsets(text, cfg);
});

test('directive, block and comment offsets', () => {
  const text = 'http {\r\n  server { listen 80; }\r\n} # end\r\n';
  const cfg = parseNginx(text);
  assert.deepEqual(cfg.errors, []);
  const [http] = cfg.directives;
  assert.equal(http.start, 0);
  assert.equal(http.blockStart, 5);
  assert.equal(http.end, text.indexOf('} #') + 1);
  assert.equal(http.blockEnd, http.end);
  const server = http.block![0];
  assert.equal(server.line, 2);
  assert.equal(text.slice(server.start, server.end), 'server { listen 80; }');
  const listen = server.block![0];
  assert.equal(text.slice(listen.start, listen.end), 'listen 80;');
  assert.deepEqual(cfg.comments, [{ text: ' end', start: text.indexOf('#'), end: text.indexOf('\r\n', text.indexOf('#')), line: 3 }]);
});

test('key/value bodies of map, types, geo, split_clients, charset_map, match', () => {
  const text = `
map $http_upgrade $connection_upgrade { default upgrade; '' close; "~^a{2}" x; }
types { text/html html htm shtml; image/svg+xml svg svgz; }
geo $remote_addr $geo { ranges; default 0; 127.0.0.1-127.0.0.255 1; include conf/geo.conf; }
split_clients "\${remote_addr}AAA" $variant { 0.5% .one; 2.0% .two; * ""; }
charset_map koi8-r utf-8 { C0 D18E; C1 D0B0; }
match server_ok { status 200-399; header Content-Type = text/html; body !~ "maintenance mode"; }
`;
  const cfg = parseNginx(text);
  assert.deepEqual(cfg.errors, []);
  const names = cfg.directives.map((d) => [d.name, d.block!.length]);
  assert.deepEqual(names, [
    ['map', 3],
    ['types', 2],
    ['geo', 4],
    ['split_clients', 3],
    ['charset_map', 2],
    ['match', 3],
  ]);
  const map = cfg.directives[0];
  assert.deepEqual(map.block!.map((d) => [d.name, ...d.args.map((a) => a.value)]), [
    ['default', 'upgrade'],
    ['', 'close'],
    ['~^a{2}', 'x'],
  ]);
  checkOffsets(text, cfg);
});

test('*_by_lua_block bodies are raw Lua: braces in strings, long strings and comments', () => {
  const lua = `
    local t = { a = "}", b = '}{', c = [[ } ]], d = [==[ ]] } ]==] }
    -- a comment with } and {
    --[[ a long
         comment } ]]
    --[=[ } ]] ]=]
    if t.a == "\\"}" then ngx.say("{") end
    local s = 'it\\'s }'
  `;
  const text = `http {\n  init_by_lua_block {${lua}}\n  server {\n    content_by_lua_block { ngx.say("}") }\n    set_by_lua_block $x { return "{" }\n    listen 80;\n  }\n}\n`;
  const cfg = parseNginx(text);
  assert.deepEqual(cfg.errors, []);
  const ds = allDirectives(cfg);
  assert.deepEqual(
    ds.map((d) => d.name),
    ['http', 'init_by_lua_block', 'server', 'content_by_lua_block', 'set_by_lua_block', 'listen'],
  );
  const init = ds[1];
  assert.equal(init.rawBody, lua);
  assert.deepEqual(init.block, []);
  assert.equal(text.slice(init.blockStart!, init.blockEnd!), `{${lua}}`);
  assert.equal(ds[3].rawBody, ' ngx.say("}") ');
  assert.deepEqual(ds[4].args.map((a) => a.value), ['$x']);
  assert.equal(ds[4].rawBody, ' return "{" ');
  assert.equal(ds[5].line, lineOf(text, text.indexOf('listen 80')));
  checkOffsets(text, cfg);

  const unclosed = parseNginx('content_by_lua_block {\n  ngx.say("}")\n  -- }\n');
  assert.deepEqual(unclosed.errors.map((e) => [e.message, e.line]), [['unexpected end of file, expecting "}"', 1]]);
  assert.equal(unclosed.directives[0].blockEnd, undefined);
});

test('broken input: errors carry nginx-like messages and the right lines, parsing recovers', () => {
  const cases: Array<[string, string, Array<[string, number]>, string[]]> = [
    [
      'missing ; before }',
      'http {\n  server {\n    listen 80\n  }\n  server { listen 81; }\n}\n',
      [['unexpected "}": missing ";"', 4]],
      ['http', 'server', 'listen', 'server', 'listen'],
    ],
    [
      'stray }',
      'events {}\n}\nhttp { }\n',
      [['unexpected "}"', 2]],
      ['events', 'http'],
    ],
    [
      'unbalanced: one } too few',
      'http {\n  server {\n    listen 80;\n\n}\n',
      [['unexpected end of file, expecting "}"', 1]],
      ['http', 'server', 'listen'],
    ],
    [
      'EOF in nested blocks (innermost first)',
      'a {\n b {\n  c {\n',
      [
        ['unexpected end of file, expecting "}"', 3],
        ['unexpected end of file, expecting "}"', 2],
        ['unexpected end of file, expecting "}"', 1],
      ],
      ['a', 'b', 'c'],
    ],
    [
      'unclosed quote',
      'http {\n  server {\n    return 200 "oops;\n  }\n}\n',
      [[`unexpected end of file, expecting closing '"'`, 3]],
      ['http', 'server', 'return'],
    ],
    [
      'unclosed single quote after a closed one',
      "a 'x';\nb 'y;\nc;\n",
      [[`unexpected end of file, expecting closing "'"`, 2]],
      ['a', 'b', 'c'],
    ],
    [
      'missing ; at EOF',
      'a;\nb c',
      [['unexpected end of file, expecting ";" or "}"', 2]],
      ['a', 'b'],
    ],
    [
      'lone ; and {',
      'a;;\n{\n b;\n}\nc;\n',
      [
        ['unexpected ";"', 1],
        ['unexpected "{"', 2],
      ],
      ['a', 'b', 'c'],
    ],
  ];
  for (const [name, text, errors, names] of cases) {
    const cfg = parseNginx(text);
    assert.deepEqual(
      cfg.errors.map((e) => [e.message, e.line]),
      errors,
      name,
    );
    for (const e of cfg.errors) assert.equal(lineOf(text, e.start), e.line, `${name}: error offset/line`);
    assert.deepEqual(allDirectives(cfg).map((d) => d.name), names, name);
    checkOffsets(text, cfg, name);
  }
  // the unclosed `{` is what the error points at
  const t = 'http {\n  server {\n    listen 80;\n}\n';
  const e = parseNginx(t).errors[0];
  assert.equal(t.slice(e.start, e.end), '{');
  assert.equal(e.start, t.indexOf('{'));
});

test('a closing quote must be followed by whitespace, ";", "{" or ")"', () => {
  const ok = parseNginx('a "x";\nb \'y\' {}\nif ($a = "b") {}\nc "x"\t"y"\n;');
  assert.deepEqual(ok.errors, []);
  for (const [text, ch, line] of [
    ['a "x"y;', 'y', 1],
    ["a\n'x'\"y\";", '"', 2],
    ['a "x"#c\n;', '#', 1],
    ['a { b "x"}', '}', 1],
    ["a \"x\"'y';", "'", 1],
  ] as const) {
    const cfg = parseNginx(text);
    assert.deepEqual(cfg.errors.map((e) => [e.message, e.line]), [[`unexpected "${ch}"`, line]], text);
    checkOffsets(text, cfg, text);
  }
});

test('large inputs: a 1 MB line, 100k nested blocks, 10 MB of config', (t) => {
  const mb = 1 << 20;
  const timed = <T>(fn: () => T): [T, number] => {
    const t0 = performance.now();
    const r = fn();
    return [r, performance.now() - t0];
  };
  const inputs: Array<[string, string]> = [
    ['1 MB word', 'a ' + 'x'.repeat(mb) + ';'],
    ['1 MB of short words on one line', 'a' + ' bc'.repeat(mb / 3) + ';'],
    ['1 MB quoted string', 'a "' + 'x\\"'.repeat(mb / 3) + '";'],
    ['1 MB comment', '# ' + '{'.repeat(mb)],
    ['1 MB unclosed quotes', 'a "x\n'.repeat(mb / 5)],
    ['1 MB of ${', 'a ' + '${'.repeat(mb / 2) + ';'],
    ['1 MB lua body', 'content_by_lua_block {' + 'x = "}" -- }\n'.repeat(mb / 13) + '}'],
    ['100k nested blocks', 'a {'.repeat(100_000) + '}'.repeat(100_000)],
    ['100k unclosed blocks', 'a {\n'.repeat(100_000)],
    ['100k bare {', '{'.repeat(100_000)],
    ['100k stray }', '}'.repeat(100_000)],
  ];
  for (const [name, text] of inputs) {
    const [cfg, ms] = timed(() => parseNginx(text));
    let count = 0;
    walkDirectives(cfg.directives, () => count++);
    assert.ok(ms < 2000, `${name}: ${ms.toFixed(0)} ms`);
    t.diagnostic(`${name}: ${ms.toFixed(1)} ms, ${count} directives, ${cfg.errors.length} errors`);
  }
  // nesting depth is kept
  const deep = parseNginx('a {'.repeat(100_000) + '}'.repeat(100_000));
  assert.deepEqual(deep.errors, []);
  let depth = 0;
  walkDirectives(deep.directives, (_d, parents) => (depth = Math.max(depth, parents.length)));
  assert.equal(depth, 99_999);

  // throughput on a realistic 10 MB config
  const sample = fs.readFileSync(path.join(FIXTURES, 'diff/valid-basic.conf'), 'utf8');
  const big = ('http {\n' + sample.replace(/^/gm, '  ') + '}\n').repeat(Math.ceil((10 * mb) / (sample.length + 60)));
  parseNginx(big.slice(0, mb)); // warm up
  const [cfg, ms] = timed(() => parseNginx(big));
  assert.deepEqual(cfg.errors.slice(0, 1), []);
  const mbps = big.length / mb / (ms / 1000);
  t.diagnostic(`10 MB config: ${(big.length / mb).toFixed(1)} MB in ${ms.toFixed(0)} ms = ${mbps.toFixed(1)} MB/s`);
  assert.ok(ms < 5000, `10 MB took ${ms.toFixed(0)} ms`);
});

test('never throws and keeps offsets consistent on random input', () => {
  const alphabet = ['a', 'b', ' ', '\n', '\r\n', '\t', ';', '{', '}', '"', "'", '\\', '#', '$', '(', ')', '_by_lua_block', '[[', ']]', '--', 'é', '😀'];
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 3000; i++) {
    let text = '';
    const len = rnd(60);
    for (let k = 0; k < len; k++) text += alphabet[rnd(alphabet.length)];
    const cfg = parseNginx(text);
    checkOffsets(text, cfg, JSON.stringify(text));
    for (const d of allDirectives(cfg)) assert.equal(d.line, lineOf(text, d.nameStart), JSON.stringify(text));
    for (const e of cfg.errors) {
      assert.ok(e.start >= 0 && e.end <= text.length && e.start <= e.end, JSON.stringify(text));
      assert.equal(e.line, lineOf(text, e.start), JSON.stringify(text));
    }
  }
});

test('walkDirectives visits in document order with the enclosing blocks', () => {
  const cfg = parseNginx('a { b { c; } d; } e;');
  const seen: string[] = [];
  walkDirectives(cfg.directives, (d, parents) => seen.push([...parents.map((p) => p.name), d.name].join('/')));
  assert.deepEqual(seen, ['a', 'a/b', 'a/b/c', 'a/d', 'e']);
});

function findNginx(): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']);
  for (const d of dirs) {
    const p = path.join(d, 'nginx');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

test('differential: nginx -t agrees on validity and on the line of the first error', () => {
  const found = findNginx();
  if (found === null) {
    assert.fail(
      'nginx is not installed: this test uses it as an oracle. Install it (Debian/Ubuntu: apt-get update && apt-get install -y nginx)',
    );
  }
  const nginx: string = found;
  const dir = path.join(FIXTURES, 'diff');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.conf')).sort();
  assert.ok(files.length >= 10, 'differential fixtures missing');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-nginx-'));
  try {
    let valid = 0;
    let broken = 0;
    for (const f of files) {
      const abs = path.join(dir, f);
      const r = spawnSync(nginx, ['-t', '-q', '-p', `${tmp}/`, '-e', '/dev/null', '-g', `pid ${tmp}/pid;`, '-c', abs], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      const out = `${r.stdout}${r.stderr}`;
      const cfg = parseNginx(fs.readFileSync(abs, 'utf8'));
      assert.equal(r.status === 0, cfg.errors.length === 0, `${f}: nginx says ${r.status === 0 ? 'ok' : out}; parser errors: ${JSON.stringify(cfg.errors)}`);
      assert.equal(r.status === 0, f.startsWith('valid-'), `${f}: fixture name disagrees with nginx: ${out}`);
      if (r.status === 0) {
        valid++;
        continue;
      }
      broken++;
      const m = /\[emerg\] (.*) in (\S+):(\d+)/.exec(out);
      assert.ok(m, `${f}: unexpected nginx output: ${out}`);
      const [, message, , line] = m;
      const first = cfg.errors[0];
      if (message.startsWith('unexpected end of file')) {
        // nginx reports the end of the file; we point at what is left open (a `{` or a quote)
        assert.match(first.message, /^unexpected end of file/, f);
      } else {
        assert.equal(first.line, Number(line), `${f}: nginx: ${message} at line ${line}; parser: ${first.message} at ${first.line}`);
        assert.equal(first.message.slice(0, message.length), message, f);
      }
    }
    assert.ok(valid >= 3 && broken >= 8, `valid ${valid}, broken ${broken}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
