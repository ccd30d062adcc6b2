import { z } from 'zod';
import { SEVERITIES } from '../../core/findings/model.ts';
import type { RawFinding, ScanRecord, StoredFinding } from '../../core/pipeline/model.ts';
import { findingKey } from '../../core/pipeline/raw-findings.ts';
import type { PackedFindingsRef } from './packed-findings.ts';
import { digestSchema, distroSchema, packageTypeSchema, platformSchema } from '../../core/pipeline/sbom-schema.ts';

/**
 * Scan result items and packed findings as stored (dates as ISO strings), and the zod schemas that check
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
  /** The save that committed it, and its packed findings (packed-findings.ts). */
  scanToken: z.string(),
  findingChunks: z.number().int().nonnegative(),
  findingsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  findingsBytes: z.number().int().nonnegative(),
});

export type CommittedResult = ScanRecord & { readonly scanToken: string; readonly findingChunks: number; readonly findingsSha256: string; readonly findingsBytes: number };

export function resultAttributes(record: ScanRecord, scanToken: string, findings: PackedFindingsRef): Record<string, unknown> {
  return {
    ...record,
    advisories: record.advisories.map((entry) => ({ ecosystem: entry.ecosystem, ...(entry.loadedAt ? { loadedAt: entry.loadedAt.toISOString() } : {}) })),
    startedAt: record.startedAt.toISOString(),
    finishedAt: record.finishedAt.toISOString(),
    scanToken,
    findingChunks: findings.chunks,
    findingsSha256: findings.sha256,
    findingsBytes: findings.bytes,
  };
}

export function parseResult(item: unknown): CommittedResult {
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

/** One finding of a packed findings document: the finding without its key, and when the digest had it. */
export const storedFindingSchema = z.object({ finding: rawFindingSchema, firstSeen: isoDate, lastSeen: isoDate }).transform((entry): StoredFinding => ({ key: findingKey(entry.finding), ...entry.finding, firstSeen: entry.firstSeen, lastSeen: entry.lastSeen }));
export interface StoredFindingEntry {
  readonly finding: Omit<RawFinding, 'key'>;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export function toStoredFindingEntry(finding: StoredFinding): StoredFindingEntry {
  const { firstSeen, lastSeen, ...raw } = finding;
  return { finding: storedFinding(raw), firstSeen: firstSeen.toISOString(), lastSeen: lastSeen.toISOString() };
}
