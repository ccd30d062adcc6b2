import { z } from 'zod';
import type { ImageState, RepositoryEntry } from '../../core/pipeline/model.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';

/** Image state and catalogue items as read back, checked like any other untrusted input. */
const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
/** The document client reads a string set as a Set; absent means empty. */
const stringSet = z
  .set(z.string())
  .optional()
  .transform((value) => [...(value ?? [])].sort());

export const imageItemSchema = z.object({
  account: z.string(),
  region: z.string(),
  repository: z.string(),
  digest: digestSchema,
  tags: stringSet,
  pushedAt: isoDate,
  firstSeenAt: isoDate,
  kind: z.enum(['push', 'replication', 'pull-through-cache', 'rescan']),
  children: stringSet.pipe(z.array(digestSchema)),
  parents: stringSet.pipe(z.array(digestSchema)),
  deletedAt: isoDate.optional(),
}) satisfies z.ZodType<ImageState, unknown>;

export const catalogueItemSchema = z.object({
  account: z.string(),
  region: z.string(),
  repository: z.string(),
  images: z.number().int().default(0),
  deleted: z.number().int().default(0),
  lastPushAt: isoDate.optional(),
}) satisfies z.ZodType<RepositoryEntry, unknown>;
