import { z } from 'zod';
import { isDigest, type Digest } from '../digest.ts';

/**
 * Shapes of the JSON documents read from registries, layouts and archives. Only the fields Customs
 * uses are validated; unknown fields pass through untouched, as the specs require.
 */
const digestSchema = z.string().refine(isDigest, { message: 'not a valid sha256/sha512 digest' }).transform((value) => value as Digest);

export const platformSchema = z.object({
  os: z.string().min(1),
  architecture: z.string().min(1),
  variant: z.string().optional(),
});

export const descriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest: digestSchema,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
  artifactType: z.string().optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof indexSchema>;

export const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageManifest = z.infer<typeof manifestSchema>;

export const configSchema = z.object({
  architecture: z.string().default(''),
  os: z.string().default(''),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: z
    .object({
      Labels: z.record(z.string(), z.string()).nullish(),
      Env: z.array(z.string()).nullish(),
    })
    .nullish(),
  rootfs: z.object({
    type: z.literal('layers'),
    diff_ids: z.array(digestSchema),
  }),
});
export type ImageConfig = z.infer<typeof configSchema>;
