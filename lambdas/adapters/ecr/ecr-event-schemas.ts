import { z } from 'zod';

/**
 * The EventBridge events ECR sends that can bring an image into a repository, as they arrive in an
 * SQS record's body (the rule's target delivers the whole event). Shapes follow AWS's documented
 * samples (Amazon ECR User Guide, "Amazon ECR events and EventBridge"). Fields are checked only as
 * far as the scanner relies on them; the digest is validated later, so that a failed action with an
 * odd digest is reported as failed rather than malformed.
 */

// ECR's own patterns (CreateRepository, PutImage): lowercase path components, tags up to 300.
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/;
// A timestamp as EventBridge writes it; the date itself is not checked (AWS's own sample has Feb 29, 2023).
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

export const repositoryNameSchema = z.string().min(2).max(256).regex(REPOSITORY_NAME, 'not an ECR repository name');
const imageTagSchema = z.string().regex(IMAGE_TAG, 'not an image tag');

/**
 * The source of Customs' own scan requests (backfill): ECR Image Action PUSH events in ECR's shape,
 * sent straight to the scan queue. EventBridge reserves `aws.*` sources, so they name themselves
 * apart; accepting them adds nothing a sender to the queue could not already do with `aws.ecr`.
 */
export const CUSTOMS_BACKFILL_SOURCE = 'customs.backfill';

export const ECR_DETAIL_TYPES = ['ECR Image Action', 'ECR Replication Action', 'ECR Pull Through Cache Action'] as const;
export type EcrDetailType = (typeof ECR_DETAIL_TYPES)[number];

/** What every EventBridge event from ECR carries, whatever its detail type. */
export const ecrEnvelopeSchema = z.object({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.enum(['aws.ecr', CUSTOMS_BACKFILL_SOURCE]),
  account: z.string().regex(/^\d{12}$/, 'not an AWS account ID'),
  time: z.string().regex(EVENT_TIME, 'not an EventBridge timestamp'),
  region: z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d+$/, 'not an AWS Region'),
  resources: z.array(z.string()),
  detail: z.unknown(),
});
export type EcrEnvelope = z.infer<typeof ecrEnvelopeSchema>;

/** What image and replication actions share: an action on one digest, its result, maybe a tag. */
const imageActionFields = {
  'action-type': z.string().min(1),
  result: z.string().min(1),
  'repository-name': repositoryNameSchema,
  'image-digest': z.string().min(1),
  // Absent for untagged pushes: the platform manifests of an index arrive that way.
  'image-tag': imageTagSchema.optional(),
};

/** `ECR Image Action`: PUSH, DELETE (and UPDATE_STORAGE_CLASS, which the scanner ignores). */
export const imageActionDetailSchema = z.object({
  ...imageActionFields,
  'manifest-media-type': z.string().optional(),
  'artifact-media-type': z.string().optional(),
});
export type ImageActionDetail = z.infer<typeof imageActionDetailSchema>;

/** `ECR Replication Action`: an image replicated into this repository from another account or Region. */
export const replicationActionDetailSchema = z.object({
  ...imageActionFields,
  'source-account': z.string().optional(),
  'source-region': z.string().optional(),
});
export type ReplicationActionDetail = z.infer<typeof replicationActionDetailSchema>;

/** `ECR Pull Through Cache Action`: an image cached from an upstream registry (never a PUSH). */
export const pullThroughCacheDetailSchema = z.object({
  'sync-status': z.string().min(1),
  'repository-name': repositoryNameSchema,
  // A failed sync may not name an image.
  'image-digest': z.string().min(1).optional(),
  'image-tag': imageTagSchema.optional(),
  'ecr-repository-prefix': z.string().optional(),
  'upstream-registry-url': z.string().optional(),
  'rule-version': z.string().optional(),
  'failure-code': z.string().optional(),
  'failure-reason': z.string().optional(),
});
export type PullThroughCacheDetail = z.infer<typeof pullThroughCacheDetailSchema>;
