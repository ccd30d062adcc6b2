import { z } from 'zod';
import { SEVERITIES } from '../../core/findings/model.ts';
import type { RawFinding, ScanRecord, StoredFinding } from '../../core/pipeline/model.ts';
import { findingKey } from '../../core/pipeline/raw-findings.ts';
import { digestSchema, distroSchema, packageTypeSchema, platformSchema } from '../../core/pipeline/sbom-schema.ts';

/**
 * Scan result and finding items as stored (dates as ISO strings), and the zod schemas that check
 * them when read back: the table is written by this code, but read as untrusted input all the same.
 */
const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const severitySchema = z.enum(SEVERITIES);

export const sbomRefSchema = z.object({ location: z.string().min(1), sha256: digestSchema, bytes: z.number().int().nonnegative(), storedBytes: z.number().int().nonnegative() });

export const resultItemSchema = z.object({
  digest: digestSchema,
  scannerVersion: z.string(),
  status: z.enum(['SCANNED', 'FAILED', 'NOT_AN_IMAGE', 'UNSUPPORTED', 'ADVISORIES_UNAVAILABLE']),
  reason: z.string().optional(),
  platform: platformSchema.optional(),
  distro: distroSchema.optional(),
  indexDigest: digestSchema.optional(),
  configDigest: digestSchema.optional(),
  layers: z.array(z.object({ digest: digestSchema, diffId: digestSchema, size: z.number().int().nonnegative() })),
  sbom: sbomRefSchema.optional(),
  packageCount: z.number().int().nonnegative(),
  findingCount: z.number().int().nonnegative(),
  severityCounts: z.partialRecord(severitySchema, z.number().int().nonnegative()),
  advisories: z.array(z.object({ ecosystem: z.string(), loadedAt: isoDate.optional() })),
  unavailableEcosystems: z.array(z.string()).optional(),
  startedAt: isoDate,
  finishedAt: isoDate,
  scanToken: z.string(),
});

export function resultAttributes(record: ScanRecord, scanToken: string): Record<string, unknown> {
  return {
    ...record,
    advisories: record.advisories.map((entry) => ({ ecosystem: entry.ecosystem, ...(entry.loadedAt ? { loadedAt: entry.loadedAt.toISOString() } : {}) })),
    startedAt: record.startedAt.toISOString(),
    finishedAt: record.finishedAt.toISOString(),
    scanToken,
  };
}

export function parseResult(item: unknown): ScanRecord & { scanToken: string } {
  return resultItemSchema.parse(item);
}

/** The key is not stored: it is derived from the ID and package ID, which are. */
const rawFindingSchema = z.object({
  id: z.string(),
  aliases: z.array(z.string()),
  package: z.object({ id: z.string(), purl: z.string(), name: z.string(), version: z.string(), type: packageTypeSchema, path: z.string(), layerIndex: z.number().int().nonnegative() }),
  installedVersion: z.string(),
  fixedVersions: z.array(z.string()),
  severity: z.object({
    severity: severitySchema,
    kind: z.enum(['distribution', 'cvss', 'database', 'none']),
    source: z.string().optional(),
    record: z.string().optional(),
    score: z.number().optional(),
    vector: z.string().optional(),
  }),
  advisories: z.array(z.object({ id: z.string(), ecosystem: z.string(), name: z.string(), fixedVersions: z.array(z.string()), modified: z.string() })),
  published: z.string().optional(),
  title: z.string().optional(),
}) satisfies z.ZodType<Omit<RawFinding, 'key'>, unknown>;

export function storedFinding(finding: RawFinding): Omit<RawFinding, 'key'> {
  const { key: _key, ...rest } = finding;
  return rest;
}

export const findingItemSchema = z.object({
  finding: rawFindingSchema,
  firstSeen: isoDate,
  lastSeen: isoDate,
  /** The save that last wrote the item, and the last committed save that included the finding. */
  lastScan: z.string(),
  committedScan: z.string().optional(),
});
export type FindingItem = z.infer<typeof findingItemSchema>;

export function toStoredFinding(item: FindingItem): StoredFinding {
  return { key: findingKey(item.finding), ...item.finding, firstSeen: item.firstSeen, lastSeen: item.lastSeen };
}
