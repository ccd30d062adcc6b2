import { CachedLookup } from '../advisories/cached-lookup.ts';
import { ecosystemKey, normalizePackageName, parseEcosystem } from '../advisories/ecosystem.ts';
import type { ChangedPackageKey, RescanChanges } from '../advisories/sync-model.ts';
import type { Digest } from '../digest.ts';
import type { Severity } from '../findings/model.ts';
import { distroEcosystem, type DistroEcosystem } from '../matching/distro-ecosystem.ts';
import { advisoryEcosystemsFor, packageQuery } from '../matching/package-query.ts';
import type { ImageKey, ImageState, RawFinding, ScanRecord, ScanStatus, StoredFinding } from '../pipeline/model.ts';
import { checkAdvisories, unavailableReason, type GateOutcome } from '../pipeline/advisory-gate.ts';
import { packageRefs } from '../pipeline/package-refs.ts';
import { toRawFinding } from '../pipeline/raw-findings.ts';
import { permanentReason } from '../pipeline/scan-errors.ts';
import { canonicalJson } from '../policy/canonical-json.ts';
import type { AdvisoryChangeSets, AdvisoryFreshness, AdvisoryLookup, Clock, QuarantineStore, RescanMessage, SbomStore, ScanResultStore } from '../ports.ts';
import type { ImageSbom } from '../sbom/model.ts';
import { mapLimit } from '../util/map-limit.ts';
import { assessVulnerabilities } from './assess-vulnerabilities.ts';
import type { EnforcementOutcome, EnforceRequest } from './enforce-verdicts.ts';
import type { EvaluateCall, EvaluationRun } from './evaluate-images.ts';
import type { ReleaseOutcome, ReleaseRequest } from './release-image.ts';

/** Every repository (any account and region) holding a digest: the image state store's gsi2 access. */
export interface DigestHolders {
  imagesWithDigest(digest: Digest): Promise<readonly ImageState[]>;
}

export interface RescanImagesOptions {
  /** As the scanner's `matchOsOwned`: the rescan must match the packages the scan matched. */
  readonly matchOsOwned?: boolean;
  /** Digests re-matched at once. Default 8. */
  readonly concurrency?: number;
}

export interface RescanImagesDeps {
  readonly results: Pick<ScanResultStore, 'get' | 'findings' | 'save'>;
  readonly sboms: Pick<SbomStore, 'get'>;
  readonly changeSets: Pick<AdvisoryChangeSets, 'get'>;
  /** The advisory table as it is now (after the sync wrote its changes). */
  readonly advisories: AdvisoryLookup;
  readonly holders: DigestHolders;
  /** evaluateImages bound to its dependencies; called with `{ cause: 'rescan' }`. */
  readonly judge: (keys: readonly ImageKey[], call: EvaluateCall) => Promise<EvaluationRun>;
  /** enforceVerdicts bound to its dependencies (enforce mode); quarantines only where enforceOnRescan. */
  readonly enforce?: (requests: readonly EnforceRequest[]) => Promise<readonly EnforcementOutcome[]>;
  /** releaseImage bound to its dependencies, and the quarantine records it releases (enforce mode). */
  readonly release?: {
    readonly quarantines: Pick<QuarantineStore, 'get'>;
    readonly release: (request: ReleaseRequest) => Promise<ReleaseOutcome>;
  };
  /**
   * The scanner's advisory gate: an ADVISORIES_UNAVAILABLE image whose ecosystems are all loaded
   * (and fresh) now is matched in full and becomes SCANNED, as a new scan would. Without it such an
   * image keeps its status: it is never judged clean on a guess.
   */
  readonly gate?: { readonly freshness: AdvisoryFreshness; readonly maxAdvisoryAgeMs: number };
  readonly clock: Clock;
  readonly options?: RescanImagesOptions;
}

/** What became of one digest of the message. */
export type DigestRescan =
  /** Its findings (or its status: advisories now available) changed and were written (RescanChanges names them). */
  | { readonly digest: Digest; readonly outcome: 'touched'; readonly changes: RescanChanges; readonly status?: { readonly from: ScanStatus; readonly to: ScanStatus } }
  /** Re-matched, nothing changed: nothing written. */
  | { readonly digest: Digest; readonly outcome: 'untouched'; readonly matchedPackages: number }
  /** Not re-matched: no committed scan with an SBOM, or none of its packages changed. */
  | { readonly digest: Digest; readonly outcome: 'skipped'; readonly why: string };

export interface RescanRun {
  readonly syncId: string;
  readonly digests: readonly DigestRescan[];
  readonly counts: {
    readonly touched: number;
    readonly untouched: number;
    readonly skipped: number;
    readonly added: number;
    readonly resolved: number;
    readonly updated: number;
    /** Messages the verdict evaluation published (image and group alerts). */
    readonly alerts: number;
    readonly quarantined: number;
    readonly released: number;
  };
  readonly evaluation?: EvaluationRun;
  readonly enforcement: readonly EnforcementOutcome[];
  readonly releases: readonly { readonly key: ImageKey; readonly outcome: ReleaseOutcome }[];
}

const RESCANNABLE: ReadonlySet<ScanRecord['status']> = new Set(['SCANNED', 'ADVISORIES_UNAVAILABLE']);

/**
 * Re-evaluates stored images after an advisory sync, from their stored SBOMs (no layer is read):
 * for each digest of the message, the packages whose advisory keys the sync changed are matched
 * again with the CLI's matching code, the result diffed against the stored findings (added,
 * resolved, updated: severity, fixed versions or any other stored field), and only when something
 * changed the scan is saved again (first seen kept, last seen and finishedAt new, so verdicts see
 * new input). Then every image state holding the digests (and the indexes listing them) is judged
 * as a rescan (NEW_FINDINGS / RESOLVED), failing ones enforced as a rescan (quarantined only where
 * the policy sets enforceOnRescan), and quarantined ones passing now released by `customs`.
 *
 * With `all` (a rescan asked for through the findings API) no change set is read and every package
 * of each SBOM is matched again; the rest is as above.
 *
 * Idempotent: a rerun re-matches to the same findings, writes nothing, and the judging finds the
 * verdicts current (or finishes what a crash left: a saved rescan whose verdicts were not written
 * yet is judged because the image's digest is still in the message).
 */
export async function rescanImages(message: RescanMessage, deps: RescanImagesDeps): Promise<RescanRun> {
  // An on-demand rescan (`all`) re-matches every package and has no change set; undefined means every key.
  const changed = message.all === true ? undefined : changedKeySet((await deps.changeSets.get(message.syncId)).keys);
  // The table, not the records the sync handed on: see cached-lookup.ts.
  const lookup = new CachedLookup(deps.advisories);
  const digests = [...new Set(message.digests)].sort();
  const rescans = await mapLimit(digests, deps.options?.concurrency ?? 8, (digest) => rescanOne(digest, changed, lookup, deps));

  // Judged: every image whose digest was re-matched, changed or not, so a crash between a save and
  // its verdicts is finished by the retry (an unchanged image's verdict is found current, no write).
  const rematched = rescans.filter((rescan) => rescan.outcome !== 'skipped').map((rescan) => rescan.digest);
  const keys = (await mapLimit(rematched, 8, (digest) => deps.holders.imagesWithDigest(digest))).flatMap(holderKeys);
  const evaluation = keys.length > 0 ? await deps.judge(keys, { cause: 'rescan' }) : undefined;
  const judged = evaluation?.images.flatMap((image) => (image.outcome === 'judged' ? [image] : [])) ?? [];

  const failing = judged.filter((image) => image.verdict === 'FAIL').map((image): EnforceRequest => ({ key: image.key, trigger: 'rescan' }));
  const enforcement = deps.enforce && failing.length > 0 ? await deps.enforce(failing) : [];
  const releases = deps.release ? await releasePassing(judged.filter((image) => image.verdict === 'PASS').map((image) => image.key), deps.release) : [];

  const touched = rescans.flatMap((rescan) => (rescan.outcome === 'touched' ? [rescan.changes] : []));
  return {
    syncId: message.syncId,
    digests: rescans,
    counts: {
      touched: touched.length,
      untouched: rescans.filter((rescan) => rescan.outcome === 'untouched').length,
      skipped: rescans.filter((rescan) => rescan.outcome === 'skipped').length,
      added: touched.reduce((sum, change) => sum + change.added.length, 0),
      resolved: touched.reduce((sum, change) => sum + change.resolved.length, 0),
      updated: touched.reduce((sum, change) => sum + change.updated.length, 0),
      alerts: evaluation?.published.alerts ?? 0,
      quarantined: enforcement.filter((outcome) => outcome.action === 'quarantined').length,
      released: releases.filter((entry) => entry.outcome.action === 'released').length,
    },
    ...(evaluation ? { evaluation } : {}),
    enforcement,
    releases,
  };
}

async function rescanOne(digest: Digest, changed: ReadonlySet<string> | undefined, lookup: AdvisoryLookup, deps: RescanImagesDeps): Promise<DigestRescan> {
  const record = await deps.results.get(digest);
  if (!record) return { digest, outcome: 'skipped', why: 'no committed scan' };
  if (!RESCANNABLE.has(record.status) || !record.sbom) return { digest, outcome: 'skipped', why: `scan is ${record.status}${record.sbom ? '' : ' without an SBOM'}` };
  const sbom = await deps.sboms.get(record.sbom).catch((error: unknown) => {
    // A missing or altered SBOM cannot be re-matched; the image waits for its next full scan.
    const reason = permanentReason(error);
    if (reason === undefined) throw error;
    return reason;
  });
  if (typeof sbom === 'string') return { digest, outcome: 'skipped', why: `SBOM unusable: ${sbom}` };
  const options = { matchOsOwned: deps.options?.matchOsOwned === true };
  const now = deps.clock.now();
  const available = await availability(record, sbom, options, now, deps);
  // Advisories newly available, or a rescan of everything: every package is matched, as a scan would.
  const everything = available?.changed === true || changed === undefined;
  const affected = everything ? sbom.packages.filter((pkg) => packageQuery(pkg, osEcosystemOf(sbom), options) !== undefined) : changedPackages(sbom, changed, options);
  // The package index can name a digest a crashed save indexed, or a key its packages no longer have.
  // A rescan of everything goes on with none: it still drops stale findings and judges the image.
  if (affected.length === 0 && !everything) return { digest, outcome: 'skipped', why: 'none of its packages changed' };

  const report = await assessVulnerabilities({ reference: sbom.reference, images: [{ ...sbom, packages: affected }] }, lookup, {
    policy: { now },
    ...options,
    advisories: { sources: ['advisory table'], loaded: 0, withdrawn: 0, malformed: 0 },
  });
  const fresh = new Map(report.images[0]!.findings.map(toRawFinding).map((finding) => [finding.key, finding]));
  const stored = record.findingCount > 0 ? await deps.results.findings(digest) : [];
  const ids = new Set(affected.map((pkg) => pkg.id));
  // Findings of the packages that did not change stay as stored; those of the changed ones are replaced.
  const kept = stored.filter((finding) => !ids.has(finding.package.id));
  const before = new Map(stored.filter((finding) => ids.has(finding.package.id)).map((finding) => [finding.key, finding]));
  const diff: RescanChanges = {
    digest,
    added: [...fresh.keys()].filter((key) => !before.has(key)).sort(),
    resolved: [...before.keys()].filter((key) => !fresh.has(key)).sort(),
    updated: [...fresh.values()].filter((finding) => before.has(finding.key) && !sameFinding(before.get(finding.key)!, finding)).map((finding) => finding.key).sort(),
  };
  if (diff.added.length + diff.resolved.length + diff.updated.length === 0 && !available?.changed) return { digest, outcome: 'untouched', matchedPackages: affected.length };

  const findings: RawFinding[] = [...kept.map(rawOf), ...fresh.values()];
  const counted = { ...record, findingCount: findings.length, severityCounts: severityCounts(findings), finishedAt: deps.clock.now() };
  const next: ScanRecord = available?.changed ? withGate(counted, available.gate) : counted;
  await deps.results.save(next, findings, packageRefs(sbom));
  return { digest, outcome: 'touched', changes: diff, ...(next.status !== record.status ? { status: { from: record.status, to: next.status } } : {}) };
}

/**
 * For an ADVISORIES_UNAVAILABLE scan: the scanner's gate asked again. `changed` when an ecosystem it
 * lacked is loaded now (the sync loads what such scans asked for and queues their digests). A
 * Windows image is left to its next full scan: its status would be UNSUPPORTED, not SCANNED.
 */
async function availability(
  record: ScanRecord,
  sbom: ImageSbom,
  options: { readonly matchOsOwned: boolean },
  now: Date,
  deps: RescanImagesDeps,
): Promise<{ readonly gate: GateOutcome; readonly changed: boolean } | undefined> {
  if (record.status !== 'ADVISORIES_UNAVAILABLE' || !deps.gate || sbom.platform.os === 'windows') return undefined;
  const gate = await checkAdvisories(advisoryEcosystemsFor([sbom], options), deps.gate.freshness, now, deps.gate.maxAdvisoryAgeMs);
  // A record from before the list was kept lacked, as far as we know, everything it needs.
  const before = new Set(record.unavailableEcosystems?.length ? record.unavailableEcosystems : gate.freshness.map((entry) => entry.ecosystem));
  // Only fewer missing ecosystems changes anything; one going stale again waits for its next load.
  const changed = gate.unavailable.length < before.size && gate.unavailable.every((ecosystem) => before.has(ecosystem));
  return { gate, changed };
}

/** The scan record as the scanner's gate leaves it: SCANNED once nothing is missing. */
function withGate(record: ScanRecord, gate: GateOutcome): ScanRecord {
  const { reason: _reason, unavailableEcosystems: _missing, ...rest } = record;
  if (gate.unavailable.length === 0) return { ...rest, status: 'SCANNED', advisories: gate.freshness };
  return { ...rest, status: 'ADVISORIES_UNAVAILABLE', reason: unavailableReason(gate.unavailable, gate.freshness), advisories: gate.freshness, unavailableEcosystems: gate.unavailable };
}

function osEcosystemOf(sbom: ImageSbom): DistroEcosystem | undefined {
  const os = distroEcosystem(sbom.distro);
  return 'ecosystem' in os ? os.ecosystem : undefined;
}

/**
 * The packages of the SBOM whose lookups the sync's changes reach: the query's ecosystem key
 * (`Debian:12`) or its base (`Debian`, as a lookup reads both), with the name as the ecosystem
 * compares names. Findings are built per package (match-image.ts), so re-matching only these and
 * keeping the others' findings as stored equals a full match.
 */
function changedPackages(sbom: ImageSbom, changed: ReadonlySet<string>, options: { readonly matchOsOwned: boolean }): ImageSbom['packages'] {
  const osEcosystem = osEcosystemOf(sbom);
  return sbom.packages.filter((pkg) => {
    const query = packageQuery(pkg, osEcosystem, options);
    if (!query) return false;
    const parsed = parseEcosystem(query.ecosystem);
    const name = normalizePackageName(parsed.base, query.name);
    return changed.has(`${ecosystemKey(parsed)}\0${name}`) || changed.has(`${parsed.base}\0${name}`);
  });
}

function changedKeySet(keys: readonly ChangedPackageKey[]): Set<string> {
  return new Set(
    keys.map((key) => {
      const parsed = parseEcosystem(key.ecosystem);
      return `${ecosystemKey(parsed)}\0${normalizePackageName(parsed.base, key.name)}`;
    }),
  );
}


/** The image states holding a digest, and the indexes listing it there (their verdicts cover it). */
function holderKeys(states: readonly ImageState[]): ImageKey[] {
  return states
    .filter((state) => !state.deletedAt)
    .flatMap((state) => {
      const own: ImageKey = { account: state.account, region: state.region, repository: state.repository, digest: state.digest };
      return [own, ...state.parents.map((digest) => ({ ...own, digest }))];
    });
}

async function releasePassing(keys: readonly ImageKey[], release: NonNullable<RescanImagesDeps['release']>): Promise<{ key: ImageKey; outcome: ReleaseOutcome }[]> {
  const records = await mapLimit(keys, 8, (key) => release.quarantines.get(key));
  const quarantined = keys.filter((_, index) => records[index]?.record.state === 'QUARANTINED');
  return mapLimit(quarantined, 4, async (key) => ({
    key,
    outcome: await release.release({ key, by: 'customs', reason: 'a rescan found the failing vulnerabilities resolved', trigger: 'findings-resolved' }),
  }));
}

/** Equal as stored, but for when it was seen. */
function sameFinding(stored: StoredFinding, fresh: RawFinding): boolean {
  return canonicalJson(JSON.parse(JSON.stringify(rawOf(stored)))) === canonicalJson(JSON.parse(JSON.stringify(fresh)));
}

function rawOf(finding: StoredFinding): RawFinding {
  const { firstSeen: _first, lastSeen: _last, ...raw } = finding;
  return raw;
}

function severityCounts(findings: readonly RawFinding[]): Partial<Record<Severity, number>> {
  const counts: Partial<Record<Severity, number>> = {};
  for (const finding of findings) counts[finding.severity.severity] = (counts[finding.severity.severity] ?? 0) + 1;
  return counts;
}
