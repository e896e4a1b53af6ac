import type { Finding, Severity, Fix, RelatedInfo, FindingTag } from '../types';
import type { MeshModel } from '../model/model';

export interface Report {
  file: string;
  start: number;
  end: number;
  message: string;
  related?: RelatedInfo[];
  fixes?: Fix[];
  tags?: FindingTag[];
  /** overrides the rule's default severity for this finding (e.g. a softer level when a fact is uncertain) */
  severity?: Severity;
}

export interface RuleContext {
  model: MeshModel;
  report(r: Report): void;
}

export interface Rule {
  id: string;
  defaultSeverity: Severity;
  /** one line, shown in the rule table and SARIF */
  description: string;
  /** kinds the rule reads (documentation; also lets the engine skip rules with nothing to read) */
  kinds: string[];
  check(ctx: RuleContext): void;
}

export function defineRule(r: Rule): Rule {
  return r;
}

export type { Finding };
