import type { Finding } from '../findings/model.ts';
import { compareSeverity } from '../findings/severity-order.ts';
import { comparePackages } from './package-order.ts';

/**
 * The one finding order every report uses: worst severity first, then ID, then package. Code-unit
 * comparison, like the package order, so output does not depend on the host's locale.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareSeverity(a.severity.severity, b.severity.severity) ||
    compareText(a.id, b.id) ||
    comparePackages(a.package, b.package) ||
    compareText(a.installedVersion, b.installedVersion)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
