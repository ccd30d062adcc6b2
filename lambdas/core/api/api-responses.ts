import { z } from 'zod';
import { SEVERITIES } from '../findings/model.ts';
import { severityParam, verdictParam } from './api-params.ts';

/**
 * Schemas of the findings API's answers: the OpenAPI document's response bodies and the typed
 * client's results. Times are RFC 3339 strings; counts are by severity.
 */

const isoTime = z.iso.datetime({ offset: true });
const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);

export const severityCounts = z.object(Object.fromEntries(SEVERITIES.map((severity) => [severity, z.number().int().min(0)])) as Record<(typeof SEVERITIES)[number], z.ZodNumber>);
export const verdictCounts = z.partialRecord(verdictParam, z.number().int().min(0)).describe('Images by verdict; verdicts with none are left out');

export const imageKeySchema = z.object({ account: z.string(), region: z.string(), repository: z.string(), digest });

/** A page of a listing: follow `nextToken` until it is absent. A filtered page may hold fewer than `limit`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextToken: z.string().optional() });
}

export const repositorySummary = z.object({
  account: z.string(),
  region: z.string(),
  repository: z.string(),
  images: z.number().int(),
  deleted: z.number().int(),
  lastPushAt: isoTime.optional(),
  verdicts: verdictCounts,
  quarantined: z.number().int().describe('Images quarantined now'),
  findings: severityCounts.describe('Findings of the images judged, by severity (suppressed ones left out)'),
});

export const verdictSummary = z.object({
  verdict: verdictParam,
  reason: z.string().optional(),
  policyVersion: z.string(),
  failOn: severityParam,
  counts: severityCounts,
  failingCount: z.number().int(),
  failingIds: z.array(z.string()),
  suppressedCount: z.number().int(),
  evaluatedAt: isoTime,
  reviewAt: isoTime.optional(),
});

export const imageSummary = imageKeySchema.extend({
  tags: z.array(z.string()),
  pushedAt: isoTime,
  kind: z.string(),
  deletedAt: isoTime.optional(),
  verdict: verdictSummary.optional().describe('Absent until the image is first judged'),
  quarantined: z.boolean(),
});

export const platformSummary = z.object({
  digest,
  platform: z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional(),
  status: z.string(),
  verdict: verdictParam,
  reason: z.string().optional(),
  scannedAt: isoTime,
});

export const imageDetail = imageSummary.extend({
  children: z.array(digest),
  parents: z.array(digest),
  platforms: z.array(platformSummary),
  scan: z
    .object({
      status: z.string(),
      scannerVersion: z.string(),
      finishedAt: isoTime,
      distro: z.object({ id: z.string(), version: z.string().optional(), name: z.string().optional() }).optional(),
      packages: z.number().int(),
      layers: z.array(z.object({ digest, size: z.number().int().describe('Compressed bytes') })),
      advisories: z.array(z.object({ ecosystem: z.string(), loadedAt: isoTime.optional() })),
    })
    .optional()
    .describe('For a platform manifest: its stored scan'),
  quarantine: z.object({ id: z.string(), state: z.string(), method: z.string(), startedAt: isoTime, removedTags: z.array(z.string()) }).optional(),
});

export const findingItem = z.object({
  id: z.string(),
  aliases: z.array(z.string()),
  severity: severityParam,
  severitySource: z.string().optional(),
  title: z.string().optional(),
  package: z.object({ name: z.string(), version: z.string(), type: z.string(), purl: z.string(), path: z.string().optional() }),
  installedVersion: z.string(),
  fixedVersions: z.array(z.string()),
  fixable: z.boolean(),
  manifestDigest: digest,
  firstSeenAt: isoTime,
  suppressed: z.object({ by: z.string(), reason: z.string(), expires: z.string().optional() }).optional().describe('Present when the current policy, an exception or VEX suppresses it'),
});

export const sbomAnswer = z.union([
  z.object({ format: z.literal('CycloneDX'), specVersion: z.literal('1.6'), document: z.record(z.string(), z.unknown()) }),
  z.object({ format: z.literal('CycloneDX'), specVersion: z.literal('1.6'), url: z.url(), expiresAt: isoTime, bytes: z.number().int() }).describe('Past the response cap: a short-lived presigned URL'),
]);

export const tagAnswer = z.object({
  repository: z.string(),
  tag: z.string(),
  digest: digest.optional().describe('Absent when the tag names nothing now (deleted or quarantined)'),
  verdict: verdictSummary.optional(),
  quarantined: z.boolean(),
  history: z.array(z.object({ at: isoTime, action: z.string(), digest })),
});

export const verdictAnswer = z.object({
  repository: z.string(),
  digest,
  verdict: verdictParam.or(z.literal('UNKNOWN')).describe('UNKNOWN: no image state or not judged yet'),
  allowed: z.boolean().describe('Whether an admission controller should let it run: PASS, the policy only audits, or it was released from quarantine with these same failures'),
  released: z.boolean().describe('Released from quarantine, and failing for nothing the release did not accept'),
  failingCount: z.number().int(),
  failingIds: z.array(z.string()),
  quarantined: z.boolean(),
  evaluatedAt: isoTime.optional(),
});

export const affectedImage = imageKeySchema.extend({ tags: z.array(z.string()), findingIds: z.array(z.string()), packages: z.array(z.string()) });
export const vulnerabilityAnswer = pageOf(affectedImage).extend({ id: z.string(), resolvedIds: z.array(z.string()).describe('The records the ID or alias named') });

export const ecosystemStatus = z.object({
  ecosystem: z.string(),
  modifiedThrough: isoTime.optional(),
  syncedAt: isoTime.optional(),
  fullLoadAt: isoTime.optional(),
  stale: z.boolean(),
  ageHours: z.number().optional(),
  requestedAt: isoTime.optional().describe('When scans first asked the sync to load it (an ecosystem with no cursor yet is listed stale)'),
  waitingImages: z.number().int().optional(),
});
export const advisoryStatusAnswer = z.object({ ecosystems: z.array(ecosystemStatus), staleAfterHours: z.number() });

export const quarantineItem = z.object({
  key: imageKeySchema,
  id: z.string(),
  state: z.string(),
  method: z.string(),
  trigger: z.string(),
  startedAt: isoTime,
  updatedAt: isoTime,
  failingIds: z.array(z.string()),
  removedTags: z.array(z.object({ tag: z.string() }).loose()),
  release: z.object({ by: z.string(), reason: z.string(), requestedAt: isoTime, releasedAt: isoTime.optional(), restoredTags: z.array(z.string()) }).optional(),
});

export const coverageAnswer = z.object({
  repositories: z.number().int(),
  images: z.number().int(),
  scanned: z.number().int(),
  failed: z.number().int(),
  unsupported: z.number().int(),
  notImages: z.number().int(),
  waitingForAdvisories: z.number().int(),
  notYetJudged: z.number().int(),
  stale: z.number().int().describe('Judged under an older policy or scanner version'),
});

export const historyItem = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), images: z.number().int(), findings: severityCounts, verdicts: verdictCounts });
export const historyAnswer = z.object({ repository: z.string().optional(), days: z.array(historyItem) });

export const actionRecord = z.object({
  id: z.string(),
  action: z.enum(['rescan', 'backfill', 'release', 'exception-add', 'exception-remove']),
  principal: z.string(),
  at: isoTime,
  reason: z.string().optional(),
  target: z.record(z.string(), z.string()),
  outcome: z.string(),
});

export const rescanAnswer = z.object({ action: actionRecord, queued: z.array(digest) });
export const backfillAnswer = z.object({
  action: actionRecord,
  runId: z.string().describe('Names the run; with complete false also how far it got: POST it back as is to go on'),
  repositories: z.number().int(),
  queued: z.number().int(),
  skipped: z.number().int(),
  complete: z.boolean().describe('false: out of time (or a repository failed); POST again with this runId to go on'),
});
export const releaseAnswer = z.object({ action: actionRecord, outcome: z.string(), restoredTags: z.array(z.string()), keptTags: z.array(z.object({ tag: z.string(), reason: z.string() }).loose()) });

export const exceptionRecord = z.object({
  id: z.string(),
  kind: z.enum(['ignore', 'vex']),
  vulnerability: z.string(),
  scope: z.object({ repositoryPrefix: z.string().optional() }).describe('No prefix: every repository'),
  package: z.string().optional(),
  path: z.string().optional(),
  reason: z.string(),
  expires: z.string().optional(),
  vex: z.record(z.string(), z.unknown()).optional().describe('The OpenVEX statement, as given'),
  createdBy: z.string(),
  createdAt: isoTime,
  lapsed: z.boolean(),
});
export const exceptionAnswer = z.object({ exception: exceptionRecord, action: actionRecord, reevaluated: z.number().int() });
