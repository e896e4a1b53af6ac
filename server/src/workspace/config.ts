/**
 * Finding and reading `.meshlint.yaml` on disk (the CLI; the server reads it through its own file index).
 * The search goes upward from the checked path and stops at the repository root (a folder holding `.git`)
 * or the filesystem root, so a config above the repository is never read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAMES, ConfigProblem, MeshlintConfig, parseConfig, RuleInfo } from '../core/config';

export interface LoadedConfig {
  file: string;
  /** the folder the config's relative paths (exclude, baseline) are resolved against */
  dir: string;
  config: MeshlintConfig;
  problems: ConfigProblem[];
}

/** The config file that governs `start` (a file or folder), or undefined. */
export function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  try {
    if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const f = path.join(dir, name);
      if (isFile(f)) return f;
    }
    if (fs.existsSync(path.join(dir, '.git'))) return undefined;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function loadConfigFile(file: string, rules: readonly RuleInfo[]): LoadedConfig {
  const text = fs.readFileSync(file, 'utf8');
  const { config, problems } = parseConfig(text, rules);
  return { file, dir: path.dirname(file), config, problems };
}

function isFile(f: string): boolean {
  try {
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}
