import type { Severity } from '../findings/model.ts';
import type { IgnoreRule } from './ignore-rule.ts';
import type { VexStatement } from './vex-statement.ts';

/** What a scan is told to leave out, applied to every image the same way (see applyPolicy). */
export interface Policy {
  readonly ignores?: readonly IgnoreRule[];
  readonly vex?: readonly VexStatement[];
  /** Keep only findings of these severities; absent keeps all. */
  readonly severities?: readonly Severity[];
  /** Leave out findings no fixed version exists for. */
  readonly ignoreUnfixed?: boolean;
  /** The moment ignore entries' expiry is judged against (passed in so scans and tests agree). */
  readonly now: Date;
}
