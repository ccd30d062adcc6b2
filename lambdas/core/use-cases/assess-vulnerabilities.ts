import { endOfLife } from '../distro/end-of-life.ts';
import type { AdvisorySummary, ImageFindings, Severity, VulnerabilityReport } from '../findings/model.ts';
import { matchImage } from '../matching/match-image.ts';
import { applyPolicy } from '../policy/apply-policy.ts';
import { evaluateGate } from '../policy/gate.ts';
import type { Policy } from '../policy/policy.ts';
import { PolicyTracker } from '../policy/policy-tracker.ts';
import { policyWarnings } from '../policy/policy-warnings.ts';
import type { AdvisoryLookup } from '../ports.ts';
import type { ScanResult } from '../sbom/model.ts';

export interface AssessOptions {
  readonly policy: Policy;
  /** Severity at or above which a remaining finding fails the gate; no gate when absent. */
  readonly failOn?: Severity;
  readonly advisories: AdvisorySummary;
  /** Match OS-owned language packages against their language's advisories too (see QueryOptions). */
  readonly matchOsOwned?: boolean;
  /** Notes from loading the advisories, carried into the report. */
  readonly notes?: readonly string[];
}

/**
 * The matcher use case (Clair's matcher and notifier split: inventory comes in, findings go out):
 * match every platform image's packages, warn on end-of-life releases, apply ignores, VEX and
 * filters, then judge the gate on what remains. Needs no image bytes, so stored SBOMs can be
 * re-assessed when advisories change.
 */
export async function assessVulnerabilities(result: ScanResult, advisories: AdvisoryLookup, options: AssessOptions): Promise<VulnerabilityReport> {
  const { policy } = options;
  const tracker = new PolicyTracker();
  const images: ImageFindings[] = [];
  for (const sbom of result.images) {
    const matched = await matchImage(sbom, advisories, { matchOsOwned: options.matchOsOwned === true });
    const eol = sbom.distro ? endOfLife(sbom.distro, policy.now) : undefined;
    const { findings, suppressed } = applyPolicy(matched.findings, sbom, policy, tracker);
    images.push({ sbom, findings, suppressed, warnings: [...(eol ? [eol.message] : []), ...matched.warnings] });
  }
  return {
    reference: result.reference,
    images,
    ...(result.failures ? { failures: result.failures } : {}),
    advisories: options.advisories,
    ...(options.failOn ? { gate: evaluateGate(images, options.failOn) } : {}),
    warnings: [...(options.notes ?? []), ...policyWarnings(policy), ...tracker.unmatchedWarnings(policy)],
  };
}
