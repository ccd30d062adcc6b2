import type { GateResult, ImageFindings, Severity } from '../findings/model.ts';
import { isAtLeast } from '../findings/severity-order.ts';

/**
 * The `--fail-on` gate: counts the findings left after the policy, in every image, that are at or
 * above `threshold` (UNKNOWN only counts when the threshold is UNKNOWN). A finding present in several
 * platform images counts once per image.
 */
export function evaluateGate(images: readonly ImageFindings[], threshold: Severity): GateResult {
  let failing = 0;
  for (const image of images) {
    for (const finding of image.findings) if (isAtLeast(finding.severity.severity, threshold)) failing++;
  }
  return { threshold, failing, passed: failing === 0 };
}
