/**
 * Shared vocabulary of the analysis core. Pure data: no editor imports.
 *
 * Offsets are UTF-16 code-unit offsets into a file's text (the same units LSP uses),
 * after a leading BOM has been stripped.
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export const SEVERITY_ORDER: Record<Severity, number> = { hint: 0, information: 1, warning: 2, error: 3 };

/** A file handed to the core: a workspace-relative POSIX path and its text. */
export interface SourceFile {
  /** workspace-relative path with forward slashes, e.g. `blog/web/nginx.conf` */
  path: string;
  text: string;
  /** real size in bytes when `text` is only the head of a file too large to read */
  size?: number;
}

/** A span in one file. `end` is exclusive. */
export interface Span {
  file: string;
  start: number;
  end: number;
}

export interface TextEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
}

export interface FileCreate {
  file: string;
  text: string;
}

export interface Fix {
  title: string;
  /** minimal text edits into existing files */
  edits: TextEdit[];
  /** new files (e.g. "Add DestinationRule") */
  creates?: FileCreate[];
  /** the fix an editor should mark as preferred */
  preferred?: boolean;
  /**
   * Rule ids whose findings this fix knowingly brings to light: a latent problem the current one hides
   * (e.g. PERMISSIVE lets plaintext through to an ALLOW policy that then denies it). The title must say so;
   * test/unit/fix-no-new-findings.test.ts allows exactly these and checks the title warns.
   */
  reveals?: string[];
}

export interface RelatedInfo {
  span: Span;
  message: string;
}

export type FindingTag = 'unnecessary' | 'deprecated';

export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  start: number;
  end: number;
  message: string;
  related?: RelatedInfo[];
  fixes?: Fix[];
  tags?: FindingTag[];
}

/** Meta-rule ids for problems with the input itself (not mesh rules). */
export const INPUT_RULES = {
  yamlSyntax: 'yaml-syntax',
  nginxSyntax: 'nginx-syntax',
  templateSkipped: 'template-skipped',
  fileSkipped: 'file-skipped',
  includeOutside: 'nginx-include-outside',
  internal: 'internal-error',
} as const;

/** What each input check reports, for `meshlint rules`, SARIF and config validation (docs: docs/rules/input.md). */
export const INPUT_RULE_INFO: { id: string; defaultSeverity: Severity; description: string }[] = [
  { id: INPUT_RULES.yamlSyntax, defaultSeverity: 'error', description: 'A YAML file does not parse; the rest of the workspace is still checked.' },
  { id: INPUT_RULES.nginxSyntax, defaultSeverity: 'error', description: 'An nginx config (a file or a ConfigMap key) does not parse: unbalanced braces, missing semicolons.' },
  { id: INPUT_RULES.templateSkipped, defaultSeverity: 'information', description: 'A Helm or other template was not analysed; check its rendered output (helm template ... | meshlint check -).' },
  { id: INPUT_RULES.fileSkipped, defaultSeverity: 'information', description: 'A file was too large, binary, or nested too deeply to analyse.' },
  { id: INPUT_RULES.includeOutside, defaultSeverity: 'information', description: 'An nginx include points outside the workspace and was not read.' },
  { id: INPUT_RULES.internal, defaultSeverity: 'error', description: 'meshlint failed on a file (a bug); the rest of the workspace is still checked.' },
];

export interface MeshConfigOverrides {
  enableAutoMtls?: boolean;
  rootNamespace?: string;
  outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** the Istio release assumed where behaviour changed ("1.24"); see core/config.ts */
  istioVersion?: string;
}

export interface AnalysisOptions {
  /** per-rule severity override, or 'off' */
  rules?: Record<string, Severity | 'off'>;
  meshConfig?: MeshConfigOverrides;
  /** files above this size (bytes of text) are skipped with one finding; default 5 MB */
  maxFileSize?: number;
}
