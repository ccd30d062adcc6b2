import type { Finding, GateResult, ImageFindings, MatchedAdvisory, SeverityRating, Suppression, VulnerabilityReport } from '../findings/model.ts';
import type { ImageFailure } from '../sbom/model.ts';
import { compareFindings, compareText, sortFindings } from './findings-order.ts';
import { countFindings, hasFix } from './findings-summary.ts';
import { imageInventoryJson, ownerJson } from './sbom-json.ts';

/**
 * Customs' own vulnerability report format, described by customs-scan.schema.json and README.md
 * beside this file. Versioned like customs.sbom: bump on removals, renames or meaning changes;
 * additive fields keep the version.
 */
export const SCAN_SCHEMA = 'customs.scan';
export const SCAN_SCHEMA_VERSION = 1;

export interface ScanJsonMeta {
  readonly tool: { readonly name: string; readonly version: string };
  readonly generatedAt: Date;
}

/**
 * Pretty-printed JSON with a trailing newline, built field by field like the SBOM JSON so key order
 * is fixed and the model cannot leak into the format. Optional fields are left out, never null.
 */
export function renderScanJson(report: VulnerabilityReport, meta: ScanJsonMeta): string {
  const document = {
    schema: SCAN_SCHEMA,
    schemaVersion: SCAN_SCHEMA_VERSION,
    generator: { name: meta.tool.name, version: meta.tool.version },
    generatedAt: meta.generatedAt.toISOString(),
    reference: report.reference,
    advisories: {
      sources: [...report.advisories.sources],
      loaded: report.advisories.loaded,
      withdrawn: report.advisories.withdrawn,
      malformed: report.advisories.malformed,
    },
    gate: report.gate && gateJson(report.gate),
    warnings: [...report.warnings],
    failures: (report.failures ?? []).map(failureJson),
    images: report.images.map(imageJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function gateJson(gate: GateResult): object {
  return { threshold: gate.threshold, failing: gate.failing, passed: gate.passed };
}

function failureJson(failure: ImageFailure): object {
  const { platform } = failure;
  return {
    platform: { os: platform.os, architecture: platform.architecture, variant: platform.variant || undefined },
    manifestDigest: failure.manifestDigest || undefined,
    code: failure.code,
    message: failure.message,
  };
}

function imageJson(image: ImageFindings): object {
  const counts = countFindings(image);
  return {
    ...imageInventoryJson(image.sbom),
    summary: {
      findings: counts.total,
      bySeverity: { ...counts.bySeverity },
      withoutFix: counts.withoutFix,
      suppressed: counts.suppressed,
    },
    findings: sortFindings(image.findings).map(findingJson),
    suppressed: [...image.suppressed].sort(compareSuppressions).map(suppressionJson),
    // Inventory notes first, then matching and policy notes: one list, as a reader sees them.
    warnings: [...image.sbom.warnings, ...image.warnings],
  };
}

function findingJson(finding: Finding): object {
  const pkg = finding.package;
  return {
    id: finding.id,
    aliases: [...finding.aliases].sort(compareText),
    package: {
      id: pkg.id,
      type: pkg.type,
      name: pkg.name,
      version: pkg.version,
      purl: pkg.purl,
      path: pkg.location.path,
      layerIndex: pkg.location.layerIndex,
      layerDigest: pkg.location.layerDigest,
      owner: pkg.owner && ownerJson(pkg.owner),
    },
    installedVersion: finding.installedVersion,
    // Kept in the model's order: lowest first by the ecosystem's own version rules.
    fixedVersions: [...finding.fixedVersions],
    fixState: hasFix(finding) ? 'fixed' : 'not-fixed',
    severity: severityJson(finding.severity),
    title: finding.title || undefined,
    description: finding.description || undefined,
    references: finding.references.map((reference) => ({ type: reference.type, url: reference.url })),
    advisories: [...finding.advisories].sort(compareAdvisories).map(advisoryJson),
    published: finding.published || undefined,
  };
}

function severityJson(rating: SeverityRating): object {
  return {
    severity: rating.severity,
    kind: rating.kind,
    source: rating.source || undefined,
    record: rating.record || undefined,
    score: rating.score,
    vector: rating.vector || undefined,
  };
}

function advisoryJson(advisory: MatchedAdvisory): object {
  return {
    id: advisory.id,
    ecosystem: advisory.ecosystem,
    name: advisory.name,
    fixedVersions: [...advisory.fixedVersions],
    modified: advisory.modified,
  };
}

function suppressionJson(suppression: Suppression): object {
  const { vex } = suppression;
  return {
    finding: findingJson(suppression.finding),
    by: suppression.by,
    reason: suppression.reason,
    vex: vex && { status: vex.status, justification: vex.justification || undefined, document: vex.document },
    expires: suppression.expires || undefined,
  };
}

function compareAdvisories(a: MatchedAdvisory, b: MatchedAdvisory): number {
  return compareText(a.id, b.id) || compareText(a.ecosystem, b.ecosystem) || compareText(a.name, b.name);
}

function compareSuppressions(a: Suppression, b: Suppression): number {
  return compareFindings(a.finding, b.finding) || compareText(a.by, b.by) || compareText(a.reason, b.reason);
}
