import { z } from 'zod';
import { isDigest, type Digest } from '../digest.ts';
import { CustomsError, messageOf } from '../errors.ts';
import { SBOM_SCHEMA, SBOM_SCHEMA_VERSION } from '../report/sbom-json.ts';
import type { ImageSbom, Package, PackageType, ScanResult } from './model.ts';
import { parsePurl } from './parse-purl.ts';
import { describeIssue, type DocumentContext } from './sbom-document-context.ts';
import { withResolvedOwners } from './sbom-document-package.ts';
import { SbomDocumentWarnings } from './sbom-document-warnings.ts';

const PACKAGE_TYPES: readonly PackageType[] = ['deb', 'rpm', 'apk', 'npm', 'pypi', 'golang', 'maven', 'gem', 'cargo', 'nuget', 'composer'];

const digestSchema = z
  .string()
  .refine(isDigest, { message: 'not a valid sha256/sha512 digest' })
  .transform((value) => value as Digest);
const indexSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const packageSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  name: z.string().min(1),
  version: z.string().min(1),
  architecture: z.string().optional(),
  source: z.object({ name: z.string().min(1), version: z.string() }).optional(),
  purl: z.string().min(1),
  location: z.object({ path: z.string(), layerIndex: indexSchema, layerDigest: digestSchema, layerDiffId: digestSchema }),
  cataloger: z.string(),
  dev: z.boolean().optional(),
  alias: z.string().min(1).optional(),
  versionInferred: z.boolean().optional(),
  // Only the id is trusted: name and type are taken from the package it names (withResolvedOwners).
  owner: z.object({ id: z.string().min(1) }).optional(),
});

const imageSchema = z.object({
  reference: z.string(),
  repository: z.string(),
  tag: z.string().optional(),
  platform: z.object({ os: z.string().min(1), architecture: z.string().min(1), variant: z.string().optional() }),
  indexDigest: digestSchema.optional(),
  manifestDigest: digestSchema.optional(),
  configDigest: digestSchema,
  created: z.string().optional(),
  distro: z
    .object({
      id: z.string().min(1),
      versionId: z.string().optional(),
      codename: z.string().optional(),
      prettyName: z.string().optional(),
      idLike: z.array(z.string()).optional(),
      source: z.string(),
    })
    .optional(),
  layers: z.array(
    z.object({
      index: indexSchema,
      digest: digestSchema,
      diffId: digestSchema,
      mediaType: z.string(),
      size: indexSchema,
      status: z.enum(['read', 'cached', 'skipped']),
      note: z.string().optional(),
    }),
  ),
  // Packages are checked one by one so that one bad entry is skipped, not fatal.
  packages: z.array(z.unknown()),
  warnings: z.array(z.string()),
});

const documentSchema = z.object({
  schema: z.literal(SBOM_SCHEMA),
  schemaVersion: z.number(),
  images: z.array(imageSchema),
});

/** Customs' own SBOM JSON (report/sbom-json.ts): the model written out field by field, read back the same way. */
export function readNativeSbom(document: unknown, context: DocumentContext): ScanResult {
  const parsed = documentSchema.safeParse(document);
  if (!parsed.success) throw new CustomsError('malformed', `${context.source} is not a valid Customs SBOM ${describeIssue(parsed.error)}`);
  if (parsed.data.schemaVersion !== SBOM_SCHEMA_VERSION) {
    throw new CustomsError('unsupported', `${context.source} is a Customs SBOM of schema version ${parsed.data.schemaVersion}; this Customs reads version ${SBOM_SCHEMA_VERSION}`);
  }
  return { reference: context.source, images: parsed.data.images.map((image, index) => readImage(image, `images[${index}]`)) };
}

function readImage(image: z.infer<typeof imageSchema>, path: string): ImageSbom {
  const warnings = new SbomDocumentWarnings();
  const packages: Package[] = [];
  const owners = new Map<Package, string>();
  image.packages.forEach((value, index) => {
    const read = readPackage(value, `${path}.packages[${index}]`, warnings);
    if (!read) return;
    packages.push(read.package);
    if (read.ownerId) owners.set(read.package, read.ownerId);
  });
  const read: ImageSbom = { ...image, packages, warnings: [...image.warnings, ...warnings.list()] };
  return owners.size > 0 ? withResolvedOwners(read, (pkg) => owners.get(pkg)) : read;
}

/** A package and the id of its claimed owner, which can only be checked once the whole image is read. */
interface ReadPackage {
  readonly package: Package;
  readonly ownerId?: string;
}

function readPackage(value: unknown, path: string, warnings: SbomDocumentWarnings): ReadPackage | undefined {
  const parsed = packageSchema.safeParse(value);
  if (!parsed.success) {
    warnings.add(`${path} skipped: not a valid package ${describeIssue(parsed.error)}`);
    return undefined;
  }
  const { type, owner, ...pkg } = parsed.data;
  if (!(PACKAGE_TYPES as readonly string[]).includes(type)) {
    warnings.skippedType(type);
    return undefined;
  }
  try {
    parsePurl(pkg.purl);
  } catch (error) {
    warnings.add(`${path} skipped: ${messageOf(error)}`);
    return undefined;
  }
  return { package: { ...pkg, type: type as PackageType }, ...(owner ? { ownerId: owner.id } : {}) };
}
