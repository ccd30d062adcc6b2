import type { Finding, ImageFindings, Suppression, VulnerabilityReport } from '../findings/model.ts';
import { advisoryUrl, isAbsoluteUrl, vulnerabilitySource, type VulnerabilitySource } from './advisory-links.ts';
import type { BomRefs } from './bom-refs.ts';
import { nonEmpty } from './non-empty.ts';

/** CycloneDX 1.6 `vulnerabilities`: the findings, and VEX-suppressed ones with their analysis. */
/** Per image, in report order: package id → the bom-ref its component got. */
export type PackageRefs = Map<string, string>;

interface Analysis {
  readonly state?: 'not_affected' | 'resolved' | 'in_triage' | 'exploitable';
  readonly justification?: string;
  readonly detail?: string;
}

/** The findings one `vulnerabilities` entry stands for: one ID, one analysis (none for live findings). */
interface VulnerabilityGroup {
  readonly id: string;
  readonly findings: Finding[];
  readonly affects: Map<string, string | undefined>;
  readonly analysis?: Analysis;
  readonly vexDocument?: string;
}

/** OpenVEX justifications (v0.2.0) that have a CycloneDX counterpart; the others go in `detail`. */
const VEX_JUSTIFICATIONS: Record<string, string> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

const VEX_STATES: Record<string, Analysis['state']> = {
  not_affected: 'not_affected',
  fixed: 'resolved',
  under_investigation: 'in_triage',
  affected: 'exploitable',
};

/**
 * One entry per vulnerability ID listing every component it affects, which is how CycloneDX
 * consumers (Dependency-Track, the VEX tooling) expect them. A VEX statement is about some of those
 * components only, so VEX-suppressed findings get an entry of their own per analysis. Suppressions
 * by ignore entries, filters or thresholds are policy, not facts about the image, and are left out.
 */
export function cycloneDxVulnerabilities(report: VulnerabilityReport, packageRefs: readonly PackageRefs[], refs: BomRefs): object[] {
  const groups = new Map<string, VulnerabilityGroup>();
  const add = (finding: Finding, ref: string | undefined, suppression?: Suppression): void => {
    const analysis = suppression ? analysisOf(suppression) : undefined;
    const key = JSON.stringify([finding.id, analysis ?? null]);
    let group = groups.get(key);
    if (!group) {
      group = { id: finding.id, findings: [], affects: new Map(), analysis, vexDocument: suppression?.vex?.document };
      groups.set(key, group);
    }
    group.findings.push(finding);
    if (ref && !group.affects.has(ref)) group.affects.set(ref, finding.package.version || undefined);
  };
  report.images.forEach((image: ImageFindings, index) => {
    const refOf = (finding: Finding): string | undefined => packageRefs[index]?.get(finding.package.id);
    for (const finding of image.findings) add(finding, refOf(finding));
    for (const suppression of image.suppressed) if (suppression.by === 'vex') add(suppression.finding, refOf(suppression.finding), suppression);
  });
  return [...groups.values()].map((group) => vulnerabilityOf(group, refs));
}

function vulnerabilityOf(group: VulnerabilityGroup, refs: BomRefs): object {
  const { id, findings, analysis } = group;
  const first = findings[0]!;
  const status = analysis?.state === 'not_affected' || analysis?.state === 'resolved' ? 'unaffected' : 'affected';
  return {
    'bom-ref': refs.claim(analysis ? `vulnerability:${id}:${analysis.state ?? 'analysis'}` : `vulnerability:${id}`),
    id,
    source: vulnerabilitySource(id),
    references: nonEmpty(referencesOf(id, findings)),
    ratings: nonEmpty(ratingsOf(findings)),
    description: first.title,
    detail: first.description,
    recommendation: recommendationOf(findings),
    advisories: nonEmpty(advisoriesOf(findings)),
    published: publishedOf(findings),
    analysis,
    affects: nonEmpty(
      [...group.affects].map(([ref, version]) => ({ ref, ...(version ? { versions: [{ version, status }] } : {}) })),
    ),
    properties: group.vexDocument ? [{ name: 'customs:vex:document', value: group.vexDocument }] : undefined,
  };
}

/** Every alias and every advisory record the findings were matched from, other than the ID itself. */
function referencesOf(id: string, findings: readonly Finding[]): { id: string; source: VulnerabilitySource }[] {
  const ids = new Set(findings.flatMap((finding) => [...finding.aliases, ...finding.advisories.map((advisory) => advisory.id)]));
  ids.delete(id);
  return [...ids].sort().map((alias) => ({ id: alias, source: vulnerabilitySource(alias) }));
}

function ratingsOf(findings: readonly Finding[]): object[] {
  const ratings = new Map<string, object>();
  for (const { severity: rating } of findings) {
    if (rating.kind === 'none') continue;
    const entry = {
      source: rating.source ? { name: rating.source } : undefined,
      score: rating.score,
      severity: rating.severity.toLowerCase(),
      method: scoreMethodOf(rating.vector),
      vector: rating.vector,
    };
    ratings.set(JSON.stringify(entry), entry);
  }
  return [...ratings.values()];
}

function scoreMethodOf(vector: string | undefined): string {
  if (vector?.startsWith('CVSS:3.1/')) return 'CVSSv31';
  if (vector?.startsWith('CVSS:3.0/')) return 'CVSSv3';
  if (vector?.startsWith('CVSS:4.0/')) return 'CVSSv4';
  if (vector?.startsWith('AV:')) return 'CVSSv2';
  return 'other';
}

function recommendationOf(findings: readonly Finding[]): string | undefined {
  const upgrades = new Set(findings.filter((f) => f.fixedVersions.length > 0).map((f) => `${f.package.name} to ${f.fixedVersions[0]}`));
  return upgrades.size > 0 ? `Upgrade ${[...upgrades].join('; ')}` : undefined;
}

function advisoriesOf(findings: readonly Finding[]): { url: string }[] {
  const urls = new Set(findings.flatMap((finding) => [advisoryUrl(finding), ...finding.references.filter((ref) => ref.type === 'ADVISORY').map((ref) => ref.url)]));
  return [...urls].filter(isAbsoluteUrl).map((url) => ({ url }));
}

/** The earliest `published`, kept as written when it is already RFC 3339. */
function publishedOf(findings: readonly Finding[]): string | undefined {
  const dates = findings
    .map((finding) => finding.published)
    .filter((text): text is string => !!text && !Number.isNaN(Date.parse(text)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  const earliest = dates[0];
  if (!earliest) return undefined;
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(earliest) ? earliest : new Date(earliest).toISOString();
}

function analysisOf(suppression: Suppression): Analysis {
  const vex = suppression.vex;
  const justification = vex?.justification ? VEX_JUSTIFICATIONS[vex.justification] : undefined;
  // An OpenVEX justification CycloneDX has no word for still reaches the reader, in the detail.
  const unmapped = vex?.justification && !justification && !suppression.reason.includes(vex.justification) ? `${vex.justification}: ` : '';
  return {
    ...(vex && VEX_STATES[vex.status] ? { state: VEX_STATES[vex.status] } : {}),
    ...(justification ? { justification } : {}),
    detail: `${unmapped}${suppression.reason}`,
  };
}
