import { z } from 'zod';
import { ALERT_SCHEMA, type CustomsEvent, type ImageAlert, type QuarantineAlertDetail } from '../../core/alerts/alert-model.ts';
import { SEVERITIES } from '../../core/findings/model.ts';
import { digestSchema, platformSchema } from '../../core/pipeline/sbom-schema.ts';
import type { KeptTag, QuarantineWarning } from '../../core/pipeline/quarantine-model.ts';
import type { PlatformVerdict, VerdictFinding } from '../../core/pipeline/verdict-model.ts';

/**
 * Schemas of what the findings table keeps as JSON documents and reads back: the alerts and events
 * an outbox holds (verdict items and quarantine items alike), and the parts verdicts and quarantine
 * records share with them. One statement, so an alert reads back the same whichever item holds it.
 */

export const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
export const severitySchema = z.enum(SEVERITIES);
export const verdictValueSchema = z.enum(['PASS', 'FAIL', 'ADVISORIES_UNAVAILABLE', 'FAILED', 'NOT_AN_IMAGE', 'UNSUPPORTED']);
export const modeSchema = z.enum(['audit', 'enforce']);
export const countsSchema = z.record(severitySchema, z.number().int().nonnegative());

export const verdictFindingSchema = z.object({
  key: z.string(),
  id: z.string(),
  aliases: z.array(z.string()),
  severity: severitySchema,
  severitySource: z.string().optional(),
  package: z.object({ name: z.string(), version: z.string(), purl: z.string(), type: z.string(), path: z.string() }),
  installedVersion: z.string(),
  fixedVersions: z.array(z.string()),
  manifestDigest: digestSchema,
  title: z.string().optional(),
}) satisfies z.ZodType<VerdictFinding, unknown>;

export const platformVerdictSchema = z.object({
  digest: digestSchema,
  platform: platformSchema.optional(),
  verdict: verdictValueSchema,
  status: z.enum(['SCANNED', 'FAILED', 'NOT_AN_IMAGE', 'UNSUPPORTED', 'ADVISORIES_UNAVAILABLE']),
  reason: z.string().optional(),
  scannedAt: isoDate,
}) satisfies z.ZodType<PlatformVerdict, unknown>;

export const quarantineStateSchema = z.enum(['QUARANTINING', 'QUARANTINED', 'RELEASING', 'RELEASED', 'SKIPPED']);
export const quarantineMethodSchema = z.enum(['untag', 'archive']);
export const quarantineTriggerSchema = z.enum(['push', 'rescan']);
export const storageStatusSchema = z.enum(['ACTIVE', 'ARCHIVED', 'ACTIVATING']);
export const releaseTriggerSchema = z.enum(['request', 'findings-resolved']);

export const keptTagSchema = z.object({
  tag: z.string(),
  why: z.enum(['moved', 'pushed-since', 'immutable', 'gone']),
  digest: digestSchema.optional(),
}) satisfies z.ZodType<KeptTag, unknown>;

export const quarantineWarningSchema = z.object({
  code: z.enum(['LIFECYCLE_EXPIRY', 'REPLICATED', 'PULL_THROUGH_CACHE', 'IMMUTABLE_TAGS', 'DIGEST_PULLABLE', 'ARCHIVE_UNSUPPORTED', 'MARKER_KEPT']),
  message: z.string(),
}) satisfies z.ZodType<QuarantineWarning, unknown>;

const quarantineAlertDetailSchema = z.object({
  id: z.string().min(1),
  state: quarantineStateSchema,
  method: quarantineMethodSchema,
  trigger: quarantineTriggerSchema,
  tags: z.array(z.string()),
  keptTags: z.array(keptTagSchema),
  marker: z.string().optional(),
  storage: storageStatusSchema.optional(),
  warnings: z.array(quarantineWarningSchema),
  skippedReason: z.string().optional(),
  release: z.object({ by: z.string(), reason: z.string(), trigger: releaseTriggerSchema }).optional(),
}) satisfies z.ZodType<QuarantineAlertDetail, unknown>;

export const imageAlertSchema = z.object({
  schema: z.literal(ALERT_SCHEMA),
  kind: z.literal('image'),
  alertId: z.string().min(1),
  eventType: z.enum(['FAILED_POLICY', 'VERDICT_CHANGED', 'SCAN_FAILED', 'ADVISORIES_UNAVAILABLE', 'NEW_FINDINGS', 'RESOLVED', 'QUARANTINED', 'RELEASED', 'QUARANTINE_SKIPPED']),
  time: z.string(),
  repository: z.object({ account: z.string(), region: z.string(), name: z.string() }),
  image: z.object({ digest: digestSchema, tags: z.array(z.string()), kind: z.enum(['image', 'index']), platforms: z.array(platformVerdictSchema) }),
  verdict: z.object({
    value: verdictValueSchema,
    previous: verdictValueSchema.optional(),
    reason: z.string().optional(),
    policyVersion: z.string(),
    policySource: z.string(),
    mode: modeSchema,
    failOn: severitySchema,
  }),
  counts: countsSchema,
  failingCount: z.number().int().nonnegative(),
  suppressedCount: z.number().int().nonnegative(),
  worstFindings: z.array(verdictFindingSchema),
  changes: z.object({ newlyFailing: z.array(z.string()), noLongerFailing: z.array(z.string()) }),
  severity: z.enum([...SEVERITIES, 'NONE']),
  quarantine: quarantineAlertDetailSchema.optional(),
}) satisfies z.ZodType<ImageAlert, unknown>;

/** Event details are JSON by contract (EventBridge sends them as JSON), so they round-trip as JSON. */
export const customsEventSchema = z.object({
  detailType: z.enum(['Customs Verdict', 'Customs Finding', 'Customs Quarantine']),
  resources: z.array(z.string()),
  time: isoDate,
  detail: z.record(z.string(), z.unknown()),
}) satisfies z.ZodType<CustomsEvent, unknown>;

/** The first problem zod found, with its path, for one-line error messages. */
export function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || 'item'}: ${issue?.message ?? 'invalid'}`;
}
