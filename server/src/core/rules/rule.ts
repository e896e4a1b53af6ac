import type { Finding, Severity } from '../types';
import type { MeshModel } from '../model/model';

/** What a rule reports: a Finding without its rule id; `severity` overrides the rule's default (e.g. a softer level when a fact is uncertain). */
export type Report = Omit<Finding, 'rule' | 'severity'> & { severity?: Severity };

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
