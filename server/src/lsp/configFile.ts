/**
 * `.meshlint.yaml` in the language server: read from each workspace folder's root (the editor's text when
 * it is open, else the disk), merged under the editor settings (an explicit `meshlint.*` setting wins for
 * that user), re-read whenever the file changes, and its problems published on the file itself.
 * Parsing and validation are core/config.ts; this module only decides which text and which precedence.
 */
import * as path from 'node:path';
import { CONFIG_FILE_NAMES, ConfigProblem, MeshlintConfig, parseConfig, RuleInfo } from '../core/config';
import { INPUT_RULE_INFO, type Finding } from '../core/types';
import { RULES } from '../core/rules/registry';
import { DEFAULT_MAX_FILE_SIZE } from '../core/engine';
import type { Settings } from './settings';
import type { Paths } from './paths';

/** The id config problems are published under (they are not a mesh rule and cannot be turned off). */
export const CONFIG_RULE = 'meshlint-config';

export interface FolderConfig {
  key: string;
  text: string;
  config: MeshlintConfig;
  problems: ConfigProblem[];
}

const RULE_INFO: RuleInfo[] = [...RULES.map((r) => ({ id: r.id, description: r.description, defaultSeverity: r.defaultSeverity })), ...INPUT_RULE_INFO];

/** Keys of the config files that would govern each folder (both spellings; the first present wins). */
export function configCandidates(paths: Paths): string[][] {
  return paths.list().map((f) => CONFIG_FILE_NAMES.map((n) => paths.keyOfFsPath(path.join(f.fsPath, n))));
}

export function isConfigKey(paths: Paths, key: string): boolean {
  return configCandidates(paths).some((c) => c.includes(key));
}

/** The configs in effect now; `textOf` reads a key (open document, then disk), undefined when absent. */
export function readConfigs(paths: Paths, textOf: (key: string) => string | undefined): FolderConfig[] {
  const out: FolderConfig[] = [];
  for (const candidates of configCandidates(paths)) {
    for (const key of candidates) {
      const text = textOf(key);
      if (text === undefined) continue;
      const { config, problems } = parseConfig(text, RULE_INFO);
      out.push({ key, text, config, problems });
      break;
    }
  }
  return out;
}

/** A fingerprint of the configs' texts, to notice a change cheaply. */
export function configStamp(configs: readonly FolderConfig[]): string {
  return configs.map((c) => `${c.key}\u0000${c.text}`).join('\u0001');
}

/**
 * Editor settings over the config file: rules per id and meshConfig per field from the editor win;
 * excludes add up; maxFileSize from the editor only when the user changed it from the default. With
 * several folders, rules and meshConfig come from the first folder that has a config file.
 */
export function effectiveSettings(editor: Settings, configs: readonly FolderConfig[]): Settings {
  const first = configs[0]?.config;
  if (!first) return editor;
  const exclude = [...editor.exclude];
  for (const c of configs) for (const g of c.config.exclude) if (!exclude.includes(g)) exclude.push(g);
  return {
    rules: { ...first.rules, ...editor.rules },
    exclude,
    meshConfig: { ...first.meshConfig, ...editor.meshConfig },
    maxFileSize: editor.maxFileSize !== DEFAULT_MAX_FILE_SIZE ? editor.maxFileSize : first.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
  };
}

/** Config problems as findings on the config file (published with the rest). */
export function problemFindings(configs: readonly FolderConfig[]): Finding[] {
  return configs.flatMap((c) =>
    c.problems.map((p) => ({ rule: CONFIG_RULE, severity: 'error' as const, file: c.key, start: p.start, end: Math.min(p.end, c.text.length), message: `${p.message}. This entry is ignored until it is fixed.` })),
  );
}
