import { SEVERITIES, type Finding, type GateResult, type ImageFindings, type Suppression, type VulnerabilityReport } from '../findings/model.ts';
import { formatPlatform } from '../image/platform.ts';
import type { Distro, ImageFailure, Package } from '../sbom/model.ts';
import { compareSeverity } from '../findings/severity-order.ts';
import { compareFindings, compareText } from './findings-order.ts';
import { countFindings, hasFix } from './findings-summary.ts';
import { ANSI, PLAIN, terminalSafe, truncate, type FindingsStyle } from './findings-terminal.ts';
import { ownerLabel } from './owner-label.ts';
import { comparePackages } from './package-order.ts';

export interface FindingsTableOptions {
  /** Emit ANSI styling; the caller decides (TTY, NO_COLOR), this module never looks at the terminal. */
  readonly color: boolean;
}

const HEADINGS = ['SEVERITY', 'ID', 'INSTALLED', 'FIXED VERSION', 'TITLE'] as const;
const GAP = '  ';
const INDENT = '  ';
const NO_FIX = 'no fix available';
// Long enough for most advisory titles, short enough that a row fits a wide terminal.
const TITLE_WIDTH = 60;
const REASON_WIDTH = 80;

/** A text cell: its plain text decides the width, the styled form is what is printed. */
interface Cell {
  readonly text: string;
  readonly styled: string;
}

/**
 * Findings for people at a terminal, one block per platform image, blocks separated by a blank
 * line, report-wide failures, warnings and the gate last. Not a stable interface: do not parse it.
 */
export function renderFindingsTable(report: VulnerabilityReport, options: FindingsTableOptions): string {
  const style = options.color ? ANSI : PLAIN;
  const blocks = report.images.map((image) => renderImage(image, style));
  if (report.images.length === 0) blocks.push(`${terminalSafe(report.reference)}: no images scanned\n`);
  const tail = [
    ...(report.failures ?? []).map((failure) => style.failed(`error: ${describeFailure(failure)}`)),
    ...report.warnings.map((warning) => style.warn(`warning: ${terminalSafe(warning)}`)),
    ...(report.gate ? [describeGate(report.gate, style)] : []),
  ];
  if (tail.length > 0) blocks.push(`${tail.join('\n')}\n`);
  return blocks.join('\n');
}

function renderImage(image: ImageFindings, style: FindingsStyle): string {
  const lines = [...renderHeader(image, style), ''];
  if (image.findings.length === 0) lines.push(style.bold('no vulnerabilities found'));
  else lines.push(...renderFindings(image.findings, style));
  if (image.suppressed.length > 0) lines.push('', ...renderSuppressed(image.suppressed));
  const warnings = [...image.sbom.warnings, ...image.warnings];
  if (warnings.length > 0) lines.push('', ...warnings.map((warning) => style.warn(`warning: ${terminalSafe(warning)}`)));
  if (image.findings.length > 0) lines.push('', summarize(image, style));
  return `${lines.join('\n')}\n`;
}

function renderHeader(image: ImageFindings, style: FindingsStyle): string[] {
  const fields: [string, string][] = [
    ['Image', image.sbom.reference],
    ['Platform', formatPlatform(image.sbom.platform)],
    ['OS', describeDistro(image.sbom.distro)],
  ];
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `${style.bold(`${label}:`.padEnd(width))} ${terminalSafe(value)}`);
}

function describeDistro(distro: Distro | undefined): string {
  if (!distro) return 'unknown OS';
  return distro.prettyName || [distro.id, distro.versionId].filter(Boolean).join(' ');
}

/** Findings grouped by package, groups by their worst finding; columns aligned across groups. */
function renderFindings(findings: readonly Finding[], style: FindingsStyle): string[] {
  const groups = groupByPackage(findings).map((group) => ({ ...group, rows: group.findings.map((finding) => findingRow(finding, style)) }));
  const heading = HEADINGS.map((text) => ({ text, styled: text }));
  const rows = [heading, ...groups.flatMap((group) => group.rows)];
  const widths = HEADINGS.map((_, column) => Math.max(...rows.map((row) => width(row[column]!.text))));
  const format = (cells: readonly Cell[]): string =>
    INDENT + cells.map((cell, column) => (column === cells.length - 1 ? cell.styled : pad(cell, widths[column]!))).join(GAP);
  return [
    style.bold(format(heading)),
    ...groups.flatMap((group) => ['', style.bold(describePackage(group.package)), ...group.rows.map((row) => format(row).trimEnd())]),
  ];
}

interface PackageGroup {
  readonly package: Package;
  readonly findings: readonly Finding[];
}

function groupByPackage(findings: readonly Finding[]): PackageGroup[] {
  const byId = new Map<string, Finding[]>();
  for (const finding of [...findings].sort(compareFindings)) {
    const group = byId.get(finding.package.id);
    if (group) group.push(finding);
    else byId.set(finding.package.id, [finding]);
  }
  // Each group is sorted worst first, so its first finding carries the group's worst severity.
  return [...byId.values()]
    .map((group) => ({ package: group[0]!.package, findings: group }))
    .sort(
      (a, b) =>
        compareSeverity(a.findings[0]!.severity.severity, b.findings[0]!.severity.severity) ||
        comparePackages(a.package, b.package),
    );
}

function describePackage(pkg: Package): string {
  const owner = pkg.owner ? `, installed by ${ownerLabel(pkg.owner)}` : '';
  return terminalSafe(`${pkg.name}@${pkg.version} (${pkg.type}) ${pkg.location.path}${owner}`);
}

function findingRow(finding: Finding, style: FindingsStyle): Cell[] {
  const severity = finding.severity.severity;
  const fixed = hasFix(finding) ? plain(finding.fixedVersions.join(', ')) : { text: NO_FIX, styled: style.dim(NO_FIX) };
  return [
    { text: severity, styled: style.severity(severity, severity) },
    plain(finding.id),
    plain(finding.installedVersion),
    fixed,
    plain(truncate(headline(finding), TITLE_WIDTH)),
  ];
}

/** The title, or the description's first line when the advisory has no title. */
function headline(finding: Finding): string {
  const text = finding.title || finding.description?.trim().split('\n')[0] || '';
  return text.replace(/\s+/g, ' ').trim();
}

/** Suppressions counted by what removed them and why, most frequent first. */
function renderSuppressed(suppressed: readonly Suppression[]): string[] {
  const counts = new Map<string, { by: Suppression['by']; reason: string; count: number }>();
  for (const suppression of suppressed) {
    const reason = suppression.reason.replace(/\s+/g, ' ').trim();
    const key = JSON.stringify([suppression.by, reason]);
    const entry = counts.get(key) ?? { by: suppression.by, reason, count: 0 };
    counts.set(key, { ...entry, count: entry.count + 1 });
  }
  const entries = [...counts.values()].sort((a, b) => b.count - a.count || compareText(a.by, b.by) || compareText(a.reason, b.reason));
  return [
    `${suppressed.length} suppressed:`,
    ...entries.map((entry) => `${INDENT}${entry.count} by ${entry.by}${entry.reason ? `: ${terminalSafe(truncate(entry.reason, REASON_WIDTH))}` : ''}`),
  ];
}

/** `12 findings: 1 CRITICAL, 3 HIGH, 5 MEDIUM, 2 LOW, 1 UNKNOWN (4 without a fix); 3 suppressed` */
function summarize(image: ImageFindings, style: FindingsStyle): string {
  const counts = countFindings(image);
  const bySeverity = SEVERITIES.map((severity) => {
    const text = `${counts.bySeverity[severity]} ${severity}`;
    return counts.bySeverity[severity] > 0 ? style.severity(severity, text) : text;
  }).join(', ');
  const withoutFix = counts.withoutFix > 0 ? ` (${counts.withoutFix} without a fix)` : '';
  const suppressed = counts.suppressed > 0 ? `; ${counts.suppressed} suppressed` : '';
  return `${plural(counts.total, 'finding')}: ${bySeverity}${withoutFix}${suppressed}`;
}

function describeGate(gate: GateResult, style: FindingsStyle): string {
  const verdict = gate.passed ? style.passed('passed') : style.failed('FAILED');
  return `gate --fail-on ${gate.threshold}: ${verdict} (${plural(gate.failing, 'finding')} at ${gate.threshold} or above)`;
}

function describeFailure(failure: ImageFailure): string {
  return terminalSafe(`${formatPlatform(failure.platform)}: ${failure.message} (${failure.code})`);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function plain(text: string): Cell {
  const safe = terminalSafe(text);
  return { text: safe, styled: safe };
}

/** Code points rather than UTF-16 units, matching how truncate counts. */
function width(text: string): number {
  return [...text].length;
}

function pad(cell: Cell, columnWidth: number): string {
  return cell.styled + ' '.repeat(columnWidth - width(cell.text));
}
