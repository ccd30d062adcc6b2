import { z } from 'zod';
import { isDigest, type Digest } from '../digest.ts';
import type { ImageSbom, PackageType } from '../sbom/model.ts';

/**
 * The shape of a stored SBOM (ImageSbom as JSON), checked when it is read back: stored data is
 * untrusted too, and a rescan must never match a half-parsed inventory.
 */
export const digestSchema = z.string().refine(isDigest, { message: 'not a valid sha256/sha512 digest' }).transform((value) => value as Digest);

const PACKAGE_TYPES = ['deb', 'rpm', 'apk', 'npm', 'pypi', 'golang', 'maven', 'gem', 'cargo', 'nuget', 'composer'] as const satisfies readonly PackageType[];
export const packageTypeSchema = z.enum(PACKAGE_TYPES);

export const platformSchema = z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() });

export const distroSchema = z.object({
  id: z.string(),
  versionId: z.string().optional(),
  codename: z.string().optional(),
  prettyName: z.string().optional(),
  idLike: z.array(z.string()).optional(),
  source: z.string(),
});

const packageSchema = z.object({
  id: z.string(),
  type: packageTypeSchema,
  name: z.string(),
  version: z.string(),
  architecture: z.string().optional(),
  source: z.object({ name: z.string(), version: z.string() }).optional(),
  purl: z.string(),
  location: z.object({ path: z.string(), layerIndex: z.number().int().nonnegative(), layerDigest: digestSchema, layerDiffId: digestSchema }),
  cataloger: z.string(),
  dev: z.boolean().optional(),
  alias: z.string().optional(),
  versionInferred: z.boolean().optional(),
  owner: z.object({ id: z.string(), name: z.string(), type: z.enum(['deb', 'rpm', 'apk']) }).optional(),
});

const layerSchema = z.object({
  index: z.number().int().nonnegative(),
  digest: digestSchema,
  diffId: digestSchema,
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
  status: z.enum(['read', 'cached', 'skipped']),
  note: z.string().optional(),
});

export const imageSbomSchema = z.object({
  reference: z.string(),
  repository: z.string(),
  tag: z.string().optional(),
  platform: platformSchema,
  indexDigest: digestSchema.optional(),
  manifestDigest: digestSchema.optional(),
  configDigest: digestSchema,
  created: z.string().optional(),
  distro: distroSchema.optional(),
  layers: z.array(layerSchema),
  packages: z.array(packageSchema),
  warnings: z.array(z.string()),
}) satisfies z.ZodType<ImageSbom, unknown>;
