/**
 * `.meshlint.yaml`: the one configuration the CLI and the language server both read. Pure: text in,
 * a normalised configuration and the problems found (with exact ranges) out. Discovery on disk lives in
 * workspace/config.ts; precedence (CLI flags and editor settings over the file) in `mergeConfig`.
 *
 * ```yaml
 * rules:                      # per rule: error | warning | information | hint | off
 *   host-header-passthrough: error
 *   vs-weights-sum: off
 * exclude: [charts/**, "legacy/*.conf"]   # globs relative to this file's folder
 * meshConfig:                 # what the cluster's MeshConfig says when the repository does not hold it
 *   enableAutoMtls: true
 *   rootNamespace: istio-system
 *   outboundTrafficPolicy: REGISTRY_ONLY
 * istioVersion: "1.24"        # where Istio's behaviour changed between versions
 * baseline: .meshlint-baseline.json
 * ```
 */
import { parseDocument, LineCounter, isMap, isSeq, isScalar, isPair } from 'yaml';
import type { Node as YamlNode, Pair } from 'yaml';
import type { MeshConfigOverrides, Severity } from './types';
import { closeNames } from './model/routing';

export const CONFIG_FILE_NAMES = ['.meshlint.yaml', '.meshlint.yml'];

import { DEFAULT_ISTIO_VERSION } from './model/version';
export { DEFAULT_ISTIO_VERSION, istioAtLeast } from './model/version';

export type RuleSetting = Severity | 'off';

export interface MeshlintConfig {
  rules: Record<string, RuleSetting>;
  exclude: string[];
  meshConfig: MeshConfigOverrides;
  baseline?: string;
  maxFileSize?: number;
}

export interface ConfigProblem {
  message: string;
  /** 0-based offsets into the config text */
  start: number;
  end: number;
  /** 1-based */
  line: number;
  column: number;
}

export const EMPTY_CONFIG: MeshlintConfig = { rules: {}, exclude: [], meshConfig: {} };

/** Accepted spellings of a severity (the editor setting accepts the same). */
export const SEVERITY_ALIASES: Record<string, RuleSetting> = {
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  information: 'information',
  info: 'information',
  hint: 'hint',
  off: 'off',
  none: 'off',
  false: 'off',
};

const TOP_KEYS = ['rules', 'exclude', 'meshConfig', 'istioVersion', 'baseline', 'maxFileSize'];
const MESH_KEYS = ['enableAutoMtls', 'rootNamespace', 'outboundTrafficPolicy'];
const OUTBOUND = ['ALLOW_ANY', 'REGISTRY_ONLY'];

export interface RuleInfo {
  id: string;
  description: string;
  defaultSeverity: Severity;
}

/**
 * Parses and validates a config text. `rules` lists every rule id a setting may name. Problems never
 * throw: a bad entry is reported and left out, the rest of the file still applies.
 */
export function parseConfig(text: string, rules: readonly RuleInfo[]): { config: MeshlintConfig; problems: ConfigProblem[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false });
  const problems: ConfigProblem[] = [];
  const at = (start: number, end: number, message: string) => {
    const p = lc.linePos(start);
    problems.push({ message, start, end: Math.max(end, start + 1), line: p.line, column: p.col });
  };
  const range = (n: YamlNode | null | undefined): [number, number] => (n?.range ? [n.range[0], n.range[1]] : [0, 0]);
  const config: MeshlintConfig = { rules: {}, exclude: [], meshConfig: {} };
  for (const e of doc.errors) at(e.pos[0], e.pos[1], `YAML: ${e.message.split('\n')[0]}`);
  if (doc.errors.length) return { config, problems };
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { config, problems };
  if (!isMap(root)) {
    at(...range(root), 'the configuration must be a mapping (rules, exclude, meshConfig, istioVersion, baseline, maxFileSize)');
    return { config, problems };
  }
  const ids = new Set(rules.map((r) => r.id));
  for (const pair of root.items as Pair<YamlNode, YamlNode>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const [ks, ke] = range(pair.key);
    const v = pair.value;
    const [vs, ve] = v ? range(v) : [ks, ke];
    if (!TOP_KEYS.includes(key)) {
      at(ks, ke, `unknown setting "${key}"${didYouMean(key, TOP_KEYS)}; expected one of ${TOP_KEYS.join(', ')}`);
      continue;
    }
    if (v === null || (isScalar(v) && v.value === null)) continue;
    switch (key) {
      case 'rules': {
        if (!isMap(v)) {
          at(vs, ve, '"rules" must map rule ids to a severity (error, warning, information, hint) or off');
          break;
        }
        for (const rp of v.items as Pair<YamlNode, YamlNode>[]) {
          if (!isPair(rp)) continue;
          const id = isScalar(rp.key) ? String(rp.key.value) : '';
          const [is, ie] = range(rp.key);
          if (!ids.has(id)) {
            at(is, ie, `unknown rule "${id}"${didYouMean(id, [...ids])}; \`meshlint rules\` lists them`);
            continue;
          }
          const val = rp.value;
          const raw = isScalar(val) ? String(val.value).toLowerCase() : undefined;
          const sev = raw === undefined ? undefined : SEVERITY_ALIASES[raw];
          if (!sev) {
            const [ss, se] = val ? range(val) : [is, ie];
            at(ss, se, `bad severity ${raw === undefined ? '' : `"${isScalar(val) ? String(val!.value) : ''}" `}for rule "${id}": use error, warning, information, hint or off`);
            continue;
          }
          config.rules[id] = sev;
        }
        break;
      }
      case 'exclude': {
        const items = isSeq(v) ? v.items : isScalar(v) ? [v] : undefined;
        if (!items) {
          at(vs, ve, '"exclude" must be a list of globs');
          break;
        }
        for (const it of items as YamlNode[]) {
          if (isScalar(it) && typeof it.value === 'string' && it.value.trim()) config.exclude.push(it.value.trim());
          else at(...range(it), 'an exclude entry must be a glob string');
        }
        break;
      }
      case 'meshConfig': {
        if (!isMap(v)) {
          at(vs, ve, '"meshConfig" must be a mapping (enableAutoMtls, rootNamespace, outboundTrafficPolicy)');
          break;
        }
        for (const mp of v.items as Pair<YamlNode, YamlNode>[]) {
          const mk = isScalar(mp.key) ? String(mp.key.value) : '';
          const [ms, me] = range(mp.key);
          const mv = mp.value;
          const [mvs, mve] = mv ? range(mv) : [ms, me];
          if (!MESH_KEYS.includes(mk)) {
            at(ms, me, `unknown meshConfig setting "${mk}"${didYouMean(mk, MESH_KEYS)}; meshlint reads ${MESH_KEYS.join(', ')}`);
            continue;
          }
          if (mk === 'enableAutoMtls') {
            if (isScalar(mv) && typeof mv.value === 'boolean') config.meshConfig.enableAutoMtls = mv.value;
            else at(mvs, mve, 'enableAutoMtls must be true or false');
          } else if (mk === 'rootNamespace') {
            if (isScalar(mv) && typeof mv.value === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(mv.value)) config.meshConfig.rootNamespace = mv.value;
            else at(mvs, mve, 'rootNamespace must be a namespace name');
          } else {
            // Istio's MeshConfig spells it outboundTrafficPolicy: {mode: REGISTRY_ONLY}; accept that and the short form
            const node = isMap(mv) ? mv.get('mode', true) : mv;
            const mode = isScalar(node) ? String(node.value) : undefined;
            if (mode && OUTBOUND.includes(mode)) config.meshConfig.outboundTrafficPolicy = mode as 'ALLOW_ANY' | 'REGISTRY_ONLY';
            else at(...range((node as YamlNode | undefined) ?? mv), `outboundTrafficPolicy must be ALLOW_ANY or REGISTRY_ONLY${mode ? didYouMean(mode, OUTBOUND) : ''}`);
          }
        }
        break;
      }
      case 'istioVersion': {
        const s = isScalar(v) ? String(v.value) : '';
        // a float-looking 1.20 is read by YAML as 1.2: take the source text, not the number
        const srcText = isScalar(v) ? text.slice(vs, ve).replace(/^['"]|['"]$/g, '') : s;
        if (/^1\.\d{1,2}(\.\d+)?$/.test(srcText)) config.meshConfig.istioVersion = srcText.split('.').slice(0, 2).join('.');
        else at(vs, ve, `istioVersion must be a release such as "${DEFAULT_ISTIO_VERSION}" (quote it: 1.20 unquoted reads as 1.2)`);
        break;
      }
      case 'baseline': {
        if (isScalar(v) && typeof v.value === 'string' && v.value.trim()) config.baseline = v.value.trim();
        else at(vs, ve, 'baseline must be a file path');
        break;
      }
      case 'maxFileSize': {
        if (isScalar(v) && typeof v.value === 'number' && v.value > 0) config.maxFileSize = v.value;
        else at(vs, ve, 'maxFileSize must be a positive number of bytes');
        break;
      }
    }
  }
  return { config, problems };
}

/** `over` wins key by key (rules per id, meshConfig per field); excludes add up. */
export function mergeConfig(base: MeshlintConfig, over: Partial<MeshlintConfig>): MeshlintConfig {
  return {
    rules: { ...base.rules, ...(over.rules ?? {}) },
    exclude: [...base.exclude, ...(over.exclude ?? []).filter((g) => !base.exclude.includes(g))],
    meshConfig: { ...base.meshConfig, ...definedOnly(over.meshConfig ?? {}) },
    baseline: over.baseline ?? base.baseline,
    maxFileSize: over.maxFileSize ?? base.maxFileSize,
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The JSON schema of `.meshlint.yaml` (contributed to vscode-yaml; the checked-in copy is tested against this). */
export function configSchema(rules: readonly RuleInfo[]): object {
  const severity = { enum: ['error', 'warning', 'information', 'hint', 'off', 'warn', 'info', 'none'] };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'meshlint-config.schema.json',
    title: 'meshlint configuration (.meshlint.yaml)',
    type: 'object',
    additionalProperties: false,
    properties: {
      rules: {
        description: 'Severity per rule, or off. Editor settings (meshlint.rules) override these for one user; CLI --rule overrides both.',
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(
          [...rules].sort((x, y) => (x.id < y.id ? -1 : 1)).map((r) => [r.id, { ...severity, description: `${r.description} (default: ${r.defaultSeverity})` }]),
        ),
      },
      exclude: { description: "Globs of files not to check, relative to this file's folder.", type: 'array', items: { type: 'string' } },
      meshConfig: {
        description: "The cluster's MeshConfig where the repository does not hold it (an IstioOperator or the istio ConfigMap in the workspace is read too; this file wins).",
        type: 'object',
        additionalProperties: false,
        properties: {
          enableAutoMtls: { type: 'boolean', description: 'Istio default: true.' },
          rootNamespace: { type: 'string', description: 'Istio default: istio-system.' },
          outboundTrafficPolicy: {
            description: 'Istio default: ALLOW_ANY.',
            oneOf: [{ enum: OUTBOUND }, { type: 'object', additionalProperties: false, properties: { mode: { enum: OUTBOUND } } }],
          },
        },
      },
      istioVersion: { description: `The Istio release assumed where behaviour changed between versions (default ${DEFAULT_ISTIO_VERSION}). Quote it.`, type: 'string', pattern: '^1\\.\\d{1,2}(\\.\\d+)?$' },
      baseline: { description: 'A baseline file written by `meshlint check --write-baseline`: findings recorded there are not reported.', type: 'string' },
      maxFileSize: { description: 'Files larger than this many bytes are skipped with one finding (default 5 MB).', type: 'number', exclusiveMinimum: 0 },
    },
  };
}

function didYouMean(s: string, options: readonly string[]): string {
  const best = closeNames(s, options, 1)[0];
  return best !== undefined ? ` (did you mean "${best}"?)` : '';
}
