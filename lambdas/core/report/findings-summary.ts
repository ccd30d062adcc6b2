import { SEVERITIES, type Finding, type ImageFindings, type Severity } from '../findings/model.ts';

/** Counts shared by the table's summary line and the JSON's per-image summary, so they agree. */
export interface FindingCounts {
  readonly total: number;
  /** Every severity present, zero included, worst first. */
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly withoutFix: number;
  readonly suppressed: number;
}

export function countFindings(image: ImageFindings): FindingCounts {
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const finding of image.findings) bySeverity[finding.severity.severity] += 1;
  return {
    total: image.findings.length,
    bySeverity,
    withoutFix: image.findings.filter((finding) => !hasFix(finding)).length,
    suppressed: image.suppressed.length,
  };
}

export function hasFix(finding: Finding): boolean {
  return finding.fixedVersions.length > 0;
}
