/** The `meshlint.*` settings as the server uses them, read defensively from whatever the client sends. */
import type { AnalysisOptions, Severity } from '../core/types';
import { DEFAULT_MAX_FILE_SIZE } from '../core/engine';

export interface Settings {
  rules: Record<string, Severity | 'off'>;
  exclude: string[];
  meshConfig: { enableAutoMtls?: boolean; rootNamespace?: string };
  maxFileSize: number;
}

export const DEFAULT_SETTINGS: Settings = { rules: {}, exclude: [], meshConfig: {}, maxFileSize: DEFAULT_MAX_FILE_SIZE };

const SEVERITY_ALIASES: Record<string, Severity | 'off'> = {
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

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Normalises raw settings (the `meshlint` section); unknown or malformed values fall back to defaults. */
export function readSettings(raw: unknown): Settings {
  const r = obj(raw);
  const rules: Settings['rules'] = {};
  for (const [id, v] of Object.entries(obj(r.rules))) {
    const sev = SEVERITY_ALIASES[String(v).toLowerCase()];
    if (sev) rules[id] = sev;
  }
  const exclude = Array.isArray(r.exclude) ? r.exclude.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
  const mc = obj(r.meshConfig);
  const meshConfig: Settings['meshConfig'] = {};
  if (typeof mc.enableAutoMtls === 'boolean') meshConfig.enableAutoMtls = mc.enableAutoMtls;
  if (typeof mc.rootNamespace === 'string' && mc.rootNamespace.trim()) meshConfig.rootNamespace = mc.rootNamespace.trim();
  const size = Number(r.maxFileSize);
  const maxFileSize = Number.isFinite(size) && size > 0 ? size : DEFAULT_MAX_FILE_SIZE;
  return { rules, exclude, meshConfig, maxFileSize };
}

export function analysisOptions(s: Settings): AnalysisOptions {
  return { rules: s.rules, meshConfig: s.meshConfig, maxFileSize: s.maxFileSize };
}
