import type { Finding, Severity } from '../findings/model.ts';
import { advisoryUrl } from './advisory-links.ts';

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifMessage {
  readonly text: string;
  readonly markdown?: string;
}

/** A SARIF reportingDescriptor: one per vulnerability ID. */
export interface SarifRule {
  readonly id: string;
  readonly shortDescription: SarifMessage;
  readonly fullDescription: SarifMessage;
  readonly helpUri: string;
  readonly help: SarifMessage;
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: { readonly tags: string[]; readonly 'security-severity': string };
}

const LEVELS: Record<Severity, SarifLevel> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', UNKNOWN: 'note' };

/**
 * GitHub code scanning ranks alerts by `security-severity` (≥9 critical, 7–8.9 high, 4–6.9 medium,
 * below 4 low). Without a CVSS score, a number inside the band of the level the sources gave.
 */
const REPRESENTATIVE_SCORES: Record<Severity, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '2.0', UNKNOWN: '0.0' };

const SEVERITY_RANK: Record<Severity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, UNKNOWN: 4 };

export function levelOf(severity: Severity): SarifLevel {
  return LEVELS[severity];
}

export function securitySeverityOf(finding: Finding): string {
  const score = finding.severity.score;
  return score === undefined ? REPRESENTATIVE_SCORES[finding.severity.severity] : score.toFixed(1);
}

/**
 * The rule for one vulnerability ID, from every finding of it (kept or suppressed): described by the
 * worst-rated finding, with every affected package and its fix in the help text.
 */
export function ruleOf(findings: readonly Finding[]): SarifRule {
  const worst = [...findings].sort((a, b) => SEVERITY_RANK[a.severity.severity] - SEVERITY_RANK[b.severity.severity])[0];
  if (!worst) throw new Error('a rule needs at least one finding');
  const severity = worst.severity.severity;
  const title = worst.title ?? worst.id;
  const url = advisoryUrl(worst);
  const fixes = [...new Set(findings.map(fixLine))];
  const aliases = [...new Set(findings.flatMap((finding) => finding.aliases))];
  const rated = worst.severity.source ? `${severity} (${worst.severity.source}${worst.severity.score === undefined ? '' : ` ${worst.severity.score}`})` : severity;
  const intro = [`${worst.id}: ${title}`, aliases.length > 0 ? `Also known as: ${aliases.join(', ')}` : undefined, `Severity: ${rated}`];
  const text = [...intro.filter(Boolean), 'Affected packages:', ...fixes.map((line) => `- ${line}`), `More: ${url}`].join('\n');
  const markdown = [
    `**${worst.id}**: ${title}`,
    ...intro.slice(1).filter(Boolean),
    '',
    '| Package | Fix |',
    '| --- | --- |',
    ...findings.map((finding) => `| ${finding.package.name} ${finding.package.version} | ${fixText(finding)} |`).filter(unique),
    '',
    `[${worst.id}](${url})`,
  ].join('\n');
  return {
    id: worst.id,
    shortDescription: { text: title },
    fullDescription: { text: worst.description ?? title },
    helpUri: url,
    help: { text, markdown },
    defaultConfiguration: { level: levelOf(severity) },
    properties: { tags: ['vulnerability', 'security', severity], 'security-severity': securitySeverityOf(worst) },
  };
}

export function fixText(finding: Finding): string {
  return finding.fixedVersions.length > 0 ? `fixed in ${finding.fixedVersions.join(', ')}` : 'no fix available';
}

function fixLine(finding: Finding): string {
  return `${finding.package.name} ${finding.package.version}: ${fixText(finding)}`;
}

function unique(line: string, index: number, lines: readonly string[]): boolean {
  return lines.indexOf(line) === index;
}
