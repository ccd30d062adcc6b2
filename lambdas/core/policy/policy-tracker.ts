import { isExpired, type IgnoreRule } from './ignore-rule.ts';
import type { Policy } from './policy.ts';
import type { VexStatement } from './vex-statement.ts';

/**
 * Remembers which ignore entries and VEX statements matched a finding in any image, so that after a
 * whole scan the ones that matched nothing can be reported for pruning. Pass one tracker to every
 * applyPolicy call of a scan, then ask it. An entry counts as matched even when an earlier rule had
 * already removed the finding: it would still apply if that rule went away.
 */
export class PolicyTracker {
  private readonly ignores = new Set<IgnoreRule>();
  private readonly statements = new Set<VexStatement>();

  markIgnore(rule: IgnoreRule): void {
    this.ignores.add(rule);
  }

  markVex(statement: VexStatement): void {
    this.statements.add(statement);
  }

  /** Unexpired ignore entries and VEX statements that matched no finding (expired ones are warned about apart). */
  unmatched(policy: Policy): { ignores: IgnoreRule[]; vex: VexStatement[] } {
    return {
      ignores: (policy.ignores ?? []).filter((rule) => !isExpired(rule, policy.now) && !this.ignores.has(rule)),
      vex: (policy.vex ?? []).filter((statement) => !this.statements.has(statement)),
    };
  }

  /** The same, as report warnings. */
  unmatchedWarnings(policy: Policy): string[] {
    const { ignores, vex } = this.unmatched(policy);
    return [
      ...ignores.map((rule) => `ignore entry for ${rule.id} (${rule.source}, entry ${rule.entry}) matched no finding; remove it if it is no longer needed`),
      ...vex.map((statement) => `VEX statement for ${statement.vulnerability} (${statement.document}, statement ${statement.statement}) matched no finding in the scanned images`),
    ];
  }
}
