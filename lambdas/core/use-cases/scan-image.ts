import type { Digest } from '../digest.ts';
import type { Severity } from '../findings/model.ts';
import type { Descriptor } from '../image/manifest-schema.ts';
import { readBounded } from '../image/read-bounded.ts';
import { withLimits, type ScanLimits } from '../limits.ts';
import { advisoryEcosystemsFor } from '../matching/package-query.ts';
import { checkAdvisories, unavailableReason } from '../pipeline/advisory-gate.ts';
import { classifyManifest } from '../pipeline/classify-manifest.ts';
import { deadlineSource, type ScanDeadline } from '../pipeline/deadline-source.ts';
import type { FindingChanges, RawFinding, ScanRecord, ScanRequest, ScanStatus } from '../pipeline/model.ts';
import { packageRefs } from '../pipeline/package-refs.ts';
import { pinnedSource } from '../pipeline/pinned-source.ts';
import { toRawFinding } from '../pipeline/raw-findings.ts';
import { permanentReason } from '../pipeline/scan-errors.ts';
import type {
  AdvisoryFreshness,
  AdvisoryLoadRequests,
  AdvisoryLookup,
  Clock,
  ImageSource,
  ImageSourceFactory,
  ImageStateStore,
  LayerAnalysisCache,
  SbomStore,
  ScanClaimStore,
  ScanResultStore,
} from '../ports.ts';
import type { ImageSbom } from '../sbom/model.ts';
import { assessVulnerabilities } from './assess-vulnerabilities.ts';
import { buildSbom } from './build-sbom.ts';

export interface ScanImageOptions {
  /** How long a claim is held before another invocation may take it (default 15 minutes, the Lambda maximum). */
  readonly leaseMs?: number;
  /** Advisories older than this count as unavailable (default 48 hours). */
  readonly maxAdvisoryAgeMs?: number;
  readonly limits?: Partial<ScanLimits>;
  /** Layer analyses by verified digest, so a new tag on a shared base reads only its new layers. */
  readonly layerCache?: LayerAnalysisCache;
  /** As `customs scan --match-os-owned`. */
  readonly matchOsOwned?: boolean;
}

/** Everything scanImage talks to; the handler builds these once per cold start. */
export interface ScanImageDeps {
  readonly sources: ImageSourceFactory;
  readonly claims: ScanClaimStore;
  readonly results: ScanResultStore;
  readonly images: ImageStateStore;
  readonly sboms: SbomStore;
  readonly advisories: AdvisoryLookup;
  readonly freshness: AdvisoryFreshness;
  /** Where an ADVISORIES_UNAVAILABLE scan queues its missing ecosystems for the advisory sync. */
  readonly loadRequests: AdvisoryLoadRequests;
  readonly clock: Clock;
  /** Part of the claim key: a new scanner version rescans every digest once (see scannerVersion()). */
  readonly scannerVersion: string;
  readonly options?: ScanImageOptions;
}

/** What happened to one manifest digest during this request. */
export type ManifestOutcome =
  /** This call scanned it and committed the result. */
  | {
      readonly digest: Digest;
      readonly outcome: 'scanned';
      readonly status: ScanStatus;
      readonly reason?: string;
      readonly changes: FindingChanges;
      readonly severityCounts: Readonly<Partial<Record<Severity, number>>>;
      /** Packages in the SBOM (0 without one). */
      readonly packageCount: number;
      /** Layer bytes this scan downloaded, and layers served by the layer cache instead. */
      readonly layerBytesRead: number;
      readonly layersCached: number;
      /** For ADVISORIES_UNAVAILABLE: the ecosystems to queue for loading. */
      readonly unavailableEcosystems?: readonly string[];
    }
  /** An index: linked to its children, each of which has its own outcome after it. */
  | { readonly digest: Digest; readonly outcome: 'indexed'; readonly children: readonly Digest[] }
  /** Already scanned by this scanner version: nothing but the tag was recorded. */
  | { readonly digest: Digest; readonly outcome: 'duplicate' }
  /** Another invocation holds the claim; its own retry finishes the scan. Acknowledge. */
  | { readonly digest: Digest; readonly outcome: 'busy' };

export interface ScanImageResult {
  readonly request: ScanRequest;
  /** `index` when the digest named an index; its platform manifests follow the index's own entry. */
  readonly kind: 'image' | 'index' | 'unknown';
  /** The request's digest first, then (for an index) each child. */
  readonly manifests: readonly ManifestOutcome[];
}

/** What varies per call rather than per cold start. */
export interface ScanCall {
  /** Stop reading (and record FAILED) past this, leaving time to store the result. */
  readonly deadline?: ScanDeadline;
}

const DEFAULT_LEASE_MS = 15 * 60_000;
const DEFAULT_MAX_ADVISORY_AGE_MS = 48 * 3_600_000;

/**
 * The pipeline's scan of one pushed manifest (no AWS here): record the tag, claim (digest, scanner
 * version), build the SBOM, match it against the advisories with no policy (raw findings; verdicts
 * are per repository policy, later), store SBOM, result and findings, complete the claim, and say
 * what changed. An index is linked to its children and each child is claimed and scanned under its
 * own digest, so arrival order does not matter and nothing is scanned twice.
 *
 * Never fail open: an image needing an ecosystem whose advisories are missing or older than
 * `maxAdvisoryAgeMs` is ADVISORIES_UNAVAILABLE (its findings so far stored, never called clean), and
 * the ecosystem is queued for loading; the result store indexes the digest as waiting for it, so it
 * is re-evaluated once the advisories are there.
 *
 * Errors: an image that cannot be read (digest mismatch, over a limit, malformed, unsupported) is
 * stored FAILED with the core's one-line reason and the call returns normally (acknowledge). Anything
 * transient (network, auth, throttling, a bug) is thrown after giving the claim back, so the queue
 * retries; nothing is marked done unless its result was stored. Safe to rerun after a crash anywhere.
 */
export async function scanImage(request: ScanRequest, deps: ScanImageDeps, call: ScanCall = {}): Promise<ScanImageResult> {
  await deps.images.recordPush(request, deps.clock.now());
  const limits = withLimits(deps.options?.limits);
  let kind: ScanImageResult['kind'] = 'unknown';
  let source: ImageSource | undefined;
  const children: ManifestOutcome[] = [];
  const own = await claimAndRun(request.digest, deps, async () => {
    // Opening can fail for the image's own reasons too (ECR no longer has the digest).
    const root = await deps.sources
      .open(request)
      .then((opened) => readRoot((source = call.deadline ? deadlineSource(opened, call.deadline) : opened), request.digest, limits))
      .catch((error: unknown) => failure(error));
    if ('failed' in root) return storeStatus(request.digest, 'FAILED', root.failed, deps);
    if (!source) throw new Error('unreachable: the source was opened');
    const shape = classifyManifest(root.bytes);
    if (shape.kind === 'index') {
      kind = 'index';
      await deps.images.linkChildren(request, shape.children.map((child) => child.digest));
      for (const child of shape.children) children.push(await scanChild(source, child, request.digest, limits, deps));
      return { digest: request.digest, outcome: 'indexed', children: shape.children.map((child) => child.digest) };
    }
    kind = 'image';
    if (shape.kind === 'not-an-image') return storeStatus(request.digest, 'NOT_AN_IMAGE', shape.reason, deps);
    return inventory(source, { bytes: root.bytes, digest: request.digest, ...(root.mediaType ? { mediaType: root.mediaType } : {}) }, undefined, limits, deps);
  }).finally(() => source?.close());
  return { request, kind, manifests: [own, ...children] };
}

async function scanChild(source: ImageSource, child: Descriptor, indexDigest: Digest, limits: ScanLimits, deps: ScanImageDeps): Promise<ManifestOutcome> {
  return claimAndRun(child.digest, deps, async () => {
    // A child the registry no longer has fails alone, as the root does: opening is inside the catch.
    const read = await source
      .open(child)
      .then((stream) => readBounded(stream, { max: limits.maxManifestBytes, what: `manifest ${child.digest}`, expectedDigest: child.digest, expectedSize: child.size }))
      .catch((error: unknown) => failure(error));
    if ('failed' in read) return storeStatus(child.digest, 'FAILED', read.failed, deps, indexDigest);
    const shape = classifyManifest(read.bytes);
    // Attestations are told by content; a nested index inside an index is left to its own event.
    if (shape.kind === 'not-an-image') return storeStatus(child.digest, 'NOT_AN_IMAGE', shape.reason, deps, indexDigest);
    if (shape.kind === 'index') return storeStatus(child.digest, 'UNSUPPORTED', 'an index nested in an index: scanned when its own event arrives', deps, indexDigest);
    return inventory(source, { bytes: read.bytes, digest: child.digest, mediaType: child.mediaType }, indexDigest, limits, deps);
  });
}

/** Claims the digest, runs the work, completes the claim; gives the lease back when the work throws. */
async function claimAndRun(digest: Digest, deps: ScanImageDeps, work: () => Promise<ManifestOutcome>): Promise<ManifestOutcome> {
  const key = { digest, scannerVersion: deps.scannerVersion };
  const claim = await deps.claims.claim(key, { now: deps.clock.now(), leaseMs: deps.options?.leaseMs ?? DEFAULT_LEASE_MS });
  if (claim.outcome === 'done') return { digest, outcome: 'duplicate' };
  if (claim.outcome === 'busy') return { digest, outcome: 'busy' };
  let outcome: ManifestOutcome;
  try {
    outcome = await work();
  } catch (error) {
    await deps.claims.release(key, claim.token).catch(() => undefined);
    throw error;
  }
  await deps.claims.complete(key, claim.token, deps.clock.now());
  return outcome;
}

async function readRoot(source: ImageSource, digest: Digest, limits: ScanLimits): Promise<{ bytes: Buffer; mediaType?: string }> {
  const root = await source.root();
  const what = `manifest ${digest}`;
  if (root.kind === 'descriptor') {
    const { bytes } = await readBounded(await source.open(root.descriptor), { max: limits.maxManifestBytes, what, expectedDigest: digest, expectedSize: root.descriptor.size });
    return { bytes, mediaType: root.descriptor.mediaType };
  }
  // The request's digest is what the event named; the bytes must hash to it, whatever the adapter says.
  const { bytes } = await readBounded(root.content, { max: limits.maxManifestBytes, what, expectedDigest: digest });
  return { bytes, ...(root.mediaType ? { mediaType: root.mediaType } : {}) };
}

/** A permanent error becomes a FAILED reason; anything else is rethrown for the queue to retry. */
function failure(error: unknown): { failed: string } {
  const reason = permanentReason(error);
  if (reason === undefined) throw error;
  return { failed: reason };
}

async function inventory(
  source: ImageSource,
  root: { readonly bytes: Buffer; readonly digest: Digest; readonly mediaType?: string },
  indexDigest: Digest | undefined,
  limits: ScanLimits,
  deps: ScanImageDeps,
): Promise<ManifestOutcome> {
  const startedAt = deps.clock.now();
  const options = deps.options ?? {};
  const built = await buildSbom(pinnedSource(source, root), { limits, ...(options.layerCache ? { cache: options.layerCache } : {}) })
    .then((result) => ({ sbom: result.images[0]! }))
    .catch((error: unknown) => failure(error));
  if ('failed' in built) return storeStatus(root.digest, 'FAILED', built.failed, deps, indexDigest, startedAt);
  const sbom: ImageSbom = indexDigest ? { ...built.sbom, indexDigest } : built.sbom;
  const matchOsOwned = options.matchOsOwned === true;
  const gate = await checkAdvisories(advisoryEcosystemsFor([sbom], { matchOsOwned }), deps.freshness, startedAt, options.maxAdvisoryAgeMs ?? DEFAULT_MAX_ADVISORY_AGE_MS);
  // Matched even when some ecosystem is missing: what is known is stored, but the status never says clean.
  const report = await assessVulnerabilities({ reference: sbom.reference, images: [sbom] }, deps.advisories, {
    policy: { now: startedAt },
    matchOsOwned,
    advisories: { sources: ['advisory table'], loaded: 0, withdrawn: 0, malformed: 0 },
  });
  const findings = report.images[0]!.findings.map(toRawFinding);
  const windows = windowsReason(sbom);
  const status: ScanStatus = gate.unavailable.length > 0 ? 'ADVISORIES_UNAVAILABLE' : windows ? 'UNSUPPORTED' : 'SCANNED';
  const reason = status === 'ADVISORIES_UNAVAILABLE' ? unavailableReason(gate.unavailable, gate.freshness) : status === 'UNSUPPORTED' ? windows : undefined;
  // Asked before the commit, so a crash after it asks again; a failure to ask is transient (thrown).
  if (status === 'ADVISORIES_UNAVAILABLE') await deps.loadRequests.request(gate.unavailable, startedAt);
  const sbomRef = await deps.sboms.put(root.digest, sbom);
  const record: ScanRecord = {
    digest: root.digest,
    scannerVersion: deps.scannerVersion,
    status,
    ...(reason ? { reason } : {}),
    platform: sbom.platform,
    ...(sbom.distro ? { distro: sbom.distro } : {}),
    ...(indexDigest ? { indexDigest } : {}),
    configDigest: sbom.configDigest,
    layers: sbom.layers.map(({ digest, diffId, size }) => ({ digest, diffId, size })),
    sbom: sbomRef,
    packageCount: sbom.packages.length,
    findingCount: findings.length,
    severityCounts: severityCounts(findings),
    advisories: gate.freshness,
    ...(gate.unavailable.length > 0 ? { unavailableEcosystems: gate.unavailable } : {}),
    startedAt,
    finishedAt: deps.clock.now(),
  };
  const changes = await deps.results.save(record, findings, packageRefs(sbom));
  return {
    digest: root.digest,
    outcome: 'scanned',
    status,
    ...(reason ? { reason } : {}),
    changes,
    severityCounts: record.severityCounts,
    packageCount: sbom.packages.length,
    layerBytesRead: sbom.layers.filter((layer) => layer.status === 'read').reduce((sum, layer) => sum + layer.size, 0),
    layersCached: sbom.layers.filter((layer) => layer.status === 'cached').length,
    ...(gate.unavailable.length > 0 ? { unavailableEcosystems: gate.unavailable } : {}),
  };
}

/** A result with no SBOM: FAILED, NOT_AN_IMAGE, UNSUPPORTED. */
async function storeStatus(digest: Digest, status: ScanStatus, reason: string, deps: ScanImageDeps, indexDigest?: Digest, startedAt = deps.clock.now()): Promise<ManifestOutcome> {
  const record: ScanRecord = {
    digest,
    scannerVersion: deps.scannerVersion,
    status,
    reason,
    ...(indexDigest ? { indexDigest } : {}),
    layers: [],
    packageCount: 0,
    findingCount: 0,
    severityCounts: {},
    advisories: [],
    startedAt,
    finishedAt: deps.clock.now(),
  };
  const changes = await deps.results.save(record, [], []);
  return { digest, outcome: 'scanned', status, reason, changes, severityCounts: {}, packageCount: 0, layerBytesRead: 0, layersCached: 0 };
}

/** Windows images keep their base layers outside the registry (non-distributable): Customs cannot see them. */
function windowsReason(sbom: ImageSbom): string | undefined {
  if (sbom.platform.os !== 'windows') return undefined;
  const skipped = sbom.layers.filter((layer) => layer.status === 'skipped').length;
  return `a Windows image${skipped > 0 ? ` with ${skipped} non-distributable base layer(s) that are not in the registry` : ''}: Customs does not catalog Windows packages`;
}

function severityCounts(findings: readonly RawFinding[]): Partial<Record<Severity, number>> {
  const counts: Partial<Record<Severity, number>> = {};
  for (const finding of findings) counts[finding.severity.severity] = (counts[finding.severity.severity] ?? 0) + 1;
  return counts;
}
