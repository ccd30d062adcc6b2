import { createHash } from 'node:crypto';
import type { Finding, ImageFindings, Suppression, VulnerabilityReport } from '../findings/model.ts';
import { formatPlatform } from '../image/platform.ts';
import { fixText, levelOf, ruleOf, securitySeverityOf, type SarifLevel, type SarifRule } from './sarif-rules.ts';

export interface SarifMeta {
  readonly tool: { readonly name: string; readonly version: string; readonly informationUri?: string };
  readonly generatedAt: Date;
}

interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: SarifLevel;
  readonly message: { readonly text: string };
  readonly locations: readonly unknown[];
  readonly partialFingerprints: Record<string, string>;
  readonly suppressions?: readonly unknown[];
  readonly properties: Record<string, unknown>;
}

/** One finding to report, with the image it was found in and the suppression that hid it, if any. */
interface Entry {
  readonly finding: Finding;
  readonly image: ImageFindings;
  readonly suppression?: Suppression;
}

/** The fingerprint key GitHub code scanning matches results on across uploads; versioned so it can change. */
export const FINGERPRINT_KEY = 'customsFinding/v1';

/**
 * SARIF 2.1.0, shaped for GitHub code scanning: one run, one rule per vulnerability ID, one result
 * per vulnerable package location. Suppressed findings stay in as results carrying SARIF's own
 * `suppressions`, so viewers show them as dismissed rather than losing them.
 */
export function renderSarif(report: VulnerabilityReport, meta: SarifMeta): string {
  const entries: Entry[] = report.images.flatMap((image) => [
    ...image.findings.map((finding) => ({ finding, image })),
    ...image.suppressed.map((suppression) => ({ finding: suppression.finding, image, suppression })),
  ]);
  const byId = new Map<string, Finding[]>();
  for (const { finding } of entries) byId.set(finding.id, [...(byId.get(finding.id) ?? []), finding]);
  const rules: SarifRule[] = [...byId.values()].map(ruleOf);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const multiPlatform = report.images.length > 1;
  const { name, version, informationUri } = meta.tool;

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name, version, ...(informationUri ? { informationUri } : {}), rules } },
        invocations: [{ executionSuccessful: true, endTimeUtc: meta.generatedAt.toISOString() }],
        results: entries.map((entry) => resultOf(entry, ruleIndex.get(entry.finding.id)!, multiPlatform)),
        properties: { reference: report.reference, platforms: report.images.map((image) => formatPlatform(image.sbom.platform)) },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function resultOf({ finding, image, suppression }: Entry, ruleIndex: number, multiPlatform: boolean): SarifResult {
  const pkg = finding.package;
  const platform = formatPlatform(image.sbom.platform);
  const path = pkg.location.path.replace(/^\/+/, '');
  const location = {
    physicalLocation: { artifactLocation: { uri: uriOf(path) } },
    // Code scanning shows one alert per location; across platforms the platform tells them apart.
    ...(multiPlatform ? { logicalLocations: [{ name: platform, fullyQualifiedName: `${image.sbom.repository}@${platform}`, kind: 'module' }] } : {}),
  };
  return {
    ruleId: finding.id,
    ruleIndex,
    level: levelOf(finding.severity.severity),
    message: { text: messageOf(finding, multiPlatform ? platform : undefined) },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprintOf(finding.id, pkg.purl, path) },
    ...(suppression ? { suppressions: [suppressionOf(suppression)] } : {}),
    properties: {
      purl: pkg.purl,
      installedVersion: finding.installedVersion,
      fixedVersions: finding.fixedVersions,
      layerDigest: pkg.location.layerDigest,
      platform,
      severity: finding.severity.severity,
      'security-severity': securitySeverityOf(finding),
      ...(finding.aliases.length > 0 ? { aliases: finding.aliases } : {}),
    },
  };
}

/** `openssl 3.0.11-1~deb12u1 (from source openssl) is affected by CVE-…; fixed in …`. */
function messageOf(finding: Finding, platform: string | undefined): string {
  const pkg = finding.package;
  let from = '';
  if (pkg.source) {
    // The installed version is the source package's for Debian and Ubuntu; say so when it differs.
    const sourceVersion = finding.installedVersion !== pkg.version ? ` ${finding.installedVersion}` : '';
    from = ` (from source ${pkg.source.name}${sourceVersion})`;
  }
  const where = platform ? ` on ${platform}` : '';
  return `${pkg.name} ${pkg.version}${from}${where} is affected by ${finding.id}; ${fixText(finding)}`;
}

function suppressionOf(suppression: Suppression): Record<string, unknown> {
  return {
    kind: 'external',
    state: 'accepted',
    justification: suppression.reason,
    properties: {
      by: suppression.by,
      ...(suppression.vex ? { vexStatus: suppression.vex.status, vexDocument: suppression.vex.document } : {}),
      ...(suppression.expires ? { expires: suppression.expires } : {}),
    },
  };
}

/** Stable across scans: the same vulnerability in the same package at the same path is the same alert. */
function fingerprintOf(id: string, purl: string, path: string): string {
  return createHash('sha256').update(`${id}\0${purl}\0${path}`).digest('hex');
}

/** A relative URI reference: each path segment percent-encoded, so spaces or `:` cannot break it. */
function uriOf(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
