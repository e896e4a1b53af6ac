/** `.meshlint.yaml`: parsing, validation with exact positions, precedence, the contributed JSON schema. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig, mergeConfig, configSchema, EMPTY_CONFIG, istioAtLeast } from '../../server/src/core/config';
import { RULES } from '../../server/src/core/rules/registry';
import { INPUT_RULE_INFO } from '../../server/src/core/types';
import { Workspace } from '../../server/src/core/engine';
import { ROOT } from '../helpers/workspace';

const RULE_INFO = [...RULES, ...INPUT_RULE_INFO];
export const SCHEMA_FILE = path.join(ROOT, 'server/schemas/meshlint-config.schema.json');

test('a full config is read: severities with aliases, excludes, meshConfig in both spellings, istioVersion, baseline', () => {
  const { config, problems } = parseConfig(
    [
      'rules:',
      '  host-header-passthrough: error',
      '  vs-weights-sum: off',
      '  proxy-pass-short-name: warn',
      '  template-skipped: none',
      'exclude: [charts/**, "legacy/*.conf"]',
      'meshConfig:',
      '  enableAutoMtls: false',
      '  rootNamespace: mesh-root',
      '  outboundTrafficPolicy: {mode: REGISTRY_ONLY}',
      'istioVersion: "1.20"',
      'baseline: .meshlint-baseline.json',
      '',
    ].join('\n'),
    RULE_INFO,
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(config.rules, { 'host-header-passthrough': 'error', 'vs-weights-sum': 'off', 'proxy-pass-short-name': 'warning', 'template-skipped': 'off' });
  assert.deepEqual(config.exclude, ['charts/**', 'legacy/*.conf']);
  assert.deepEqual(config.meshConfig, { enableAutoMtls: false, rootNamespace: 'mesh-root', outboundTrafficPolicy: 'REGISTRY_ONLY', istioVersion: '1.20' });
  assert.equal(config.baseline, '.meshlint-baseline.json');
  assert.equal(parseConfig('meshConfig:\n  outboundTrafficPolicy: ALLOW_ANY\n', RULE_INFO).config.meshConfig.outboundTrafficPolicy, 'ALLOW_ANY');
});

test('validation: unknown rule, bad severity, unknown keys and wrong types name the line and column, with did-you-mean', () => {
  const text = ['rules:', '  host-header-pasthrough: error', '  vs-weights-sum: loud', 'exlude: [a]', 'meshConfig:', '  enableAutoMtls: maybe', '  outboundTrafficPolicy: REGISTRY_ONY', 'istioVersion: 1.2x', ''].join('\n');
  const { config, problems } = parseConfig(text, RULE_INFO);
  const got = problems.map((p) => [p.line, p.column, text.slice(p.start, p.end), p.message]);
  assert.equal(got.length, 6, JSON.stringify(got, null, 1));
  assert.deepEqual(got[0].slice(0, 3), [2, 3, 'host-header-pasthrough']);
  assert.match(got[0][3] as string, /unknown rule "host-header-pasthrough" \(did you mean "host-header-passthrough"\?\)/);
  assert.deepEqual(got[1].slice(0, 3), [3, 19, 'loud']);
  assert.match(got[1][3] as string, /bad severity "loud" for rule "vs-weights-sum"/);
  assert.deepEqual(got[2].slice(0, 3), [4, 1, 'exlude']);
  assert.match(got[2][3] as string, /did you mean "exclude"/);
  assert.deepEqual(got[3].slice(0, 3), [6, 19, 'maybe']);
  assert.deepEqual(got[4].slice(0, 3), [7, 26, 'REGISTRY_ONY']);
  assert.match(got[4][3] as string, /did you mean "REGISTRY_ONLY"/);
  assert.deepEqual(got[5].slice(0, 3), [8, 15, '1.2x']);
  // the good parts still apply
  assert.deepEqual(config.rules, {});
  assert.deepEqual(config.exclude, []);
});

test('broken YAML and non-mapping configs are one problem, never a throw; an empty file is an empty config', () => {
  const a = parseConfig('rules: [unclosed\n', RULE_INFO);
  assert.equal(a.problems.length >= 1, true);
  assert.match(a.problems[0].message, /^YAML: /);
  assert.match(parseConfig('- a\n- b\n', RULE_INFO).problems[0].message, /must be a mapping/);
  assert.deepEqual(parseConfig('', RULE_INFO), { config: { rules: {}, exclude: [], meshConfig: {} }, problems: [] });
  assert.deepEqual(parseConfig('# only a comment\n', RULE_INFO).problems, []);
});

test('istioVersion: an unquoted 1.20 is read from the source text, not as the number 1.2', () => {
  assert.equal(parseConfig('istioVersion: 1.20\n', RULE_INFO).config.meshConfig.istioVersion, '1.20');
  assert.equal(istioAtLeast('1.9', '1.13'), false);
  assert.equal(istioAtLeast('1.20', '1.13'), true);
  assert.equal(istioAtLeast(undefined, '1.13'), true);
});

test('precedence: the override wins per rule and per meshConfig field; excludes add up', () => {
  const file = parseConfig('rules: {vs-weights-sum: off, host-header-passthrough: error}\nexclude: [a/**]\nmeshConfig: {rootNamespace: r, enableAutoMtls: false}\n', RULE_INFO).config;
  const m = mergeConfig(file, { rules: { 'vs-weights-sum': 'warning' }, exclude: ['b/**'], meshConfig: { enableAutoMtls: true, rootNamespace: undefined } });
  assert.deepEqual(m.rules, { 'vs-weights-sum': 'warning', 'host-header-passthrough': 'error' });
  assert.deepEqual(m.exclude, ['a/**', 'b/**']);
  assert.deepEqual(m.meshConfig, { rootNamespace: 'r', enableAutoMtls: true });
  assert.deepEqual(mergeConfig(EMPTY_CONFIG, {}), { rules: {}, exclude: [], meshConfig: {}, baseline: undefined, maxFileSize: undefined });
});

test('the checked-in JSON schema is the generated one, lists every rule, and package.json contributes it to vscode-yaml', () => {
  const want = JSON.stringify(configSchema(RULE_INFO), null, 2) + '\n';
  if (process.env.MESHLINT_UPDATE_SCHEMA) fs.writeFileSync(SCHEMA_FILE, want);
  assert.equal(fs.readFileSync(SCHEMA_FILE, 'utf8'), want, 'server/schemas/meshlint-config.schema.json is stale: rerun with MESHLINT_UPDATE_SCHEMA=1');
  const s = JSON.parse(want);
  for (const r of RULE_INFO) assert.ok(s.properties.rules.properties[r.id], r.id);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const v = pkg.contributes.yamlValidation.find((x: any) => x.url === './server/schemas/meshlint-config.schema.json');
  assert.ok(v, 'contributes.yamlValidation names the schema');
  assert.deepEqual(v.fileMatch, ['.meshlint.yaml', '.meshlint.yml']);
});

test('a .meshlint.yaml in the workspace is not read as a manifest (no findings for it)', () => {
  const ws = new Workspace({});
  ws.set({ path: '.meshlint.yaml', text: 'rules:\n  vs-weights-sum: off\nexclude: [a]\n' });
  assert.deepEqual(ws.analyze().findings.filter((f) => f.file === '.meshlint.yaml'), []);
});
