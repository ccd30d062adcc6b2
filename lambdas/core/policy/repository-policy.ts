import type { Severity } from '../findings/model.ts';
import type { QuarantinePolicy } from '../pipeline/quarantine-model.ts';
import type { IgnoreRule } from './ignore-rule.ts';
import type { VexStatement } from './vex-statement.ts';

/** `audit` reports; `enforce` also quarantines what fails (the quarantine adapters act on it). */
export type PolicyMode = 'audit' | 'enforce';

/**
 * The policy one repository's images are judged by: the default, or the override whose name or
 * prefix matches the repository (see policy-catalogue.ts), resolved and compiled. Ignore entries and
 * VEX statements are the CLI's own (ignore-file.ts, openvex.ts), so the pipeline suppresses exactly
 * what `customs scan` suppresses, with the same reasons.
 */
export interface RepositoryPolicy {
  /** Which entry of the policy document applied: `default`, `name:<repository>` or `prefix:<prefix>`. */
  readonly source: string;
  /**
   * Content hash of everything below (VEX documents' text included), `pv1-<16 hex>`: equal policies
   * have equal versions, so a verdict records which policy it used and a change is detectable.
   */
  readonly version: string;
  readonly mode: PolicyMode;
  /** A remaining finding at or above this severity fails the image (UNKNOWN counts only at UNKNOWN). */
  readonly failOn: Severity;
  readonly ignoreUnfixed: boolean;
  readonly ignores: readonly IgnoreRule[];
  readonly vex: readonly VexStatement[];
  /** What `enforce` does to a failing image (quarantine-model.ts); not part of `version`, which is what decides a verdict. */
  readonly quarantine: QuarantinePolicy;
}

/** Every repository's policy, from one versioned document. */
export interface PolicyCatalogue {
  /** Content hash of the whole document (as RepositoryPolicy.version is of one policy). */
  readonly version: string;
  policyFor(repository: string): RepositoryPolicy;
}
