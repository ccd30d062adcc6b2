import { z } from 'zod';
import { digestSchema } from '../pipeline/sbom-schema.ts';
import type { LayerAnalysis, LayerRecord } from './layer-analysis.ts';

/**
 * The shape of a LayerAnalysis read back from a store outside the process (a persistent layer
 * cache): stored data is untrusted, and a half-valid analysis must never reach the squashed view.
 * Analyzer results stay opaque JSON here: each belongs to the analyzer named by its key, whose
 * name and version the analysis's fingerprint pins.
 */
const count = z.number().int().nonnegative();

const recordSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('file'), path: z.string(), size: count, results: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('unread'), path: z.string(), size: count, reason: z.string() }),
  z.object({ type: z.literal('node'), path: z.string() }),
  z.object({ type: z.literal('directory'), path: z.string() }),
  z.object({ type: z.literal('symlink'), path: z.string(), target: z.string() }),
  z.object({ type: z.literal('whiteout'), path: z.string() }),
  z.object({ type: z.literal('opaque'), path: z.string() }),
]) satisfies z.ZodType<LayerRecord, unknown>;

export const layerAnalysisSchema = z.object({
  digest: digestSchema,
  diffId: digestSchema,
  analyzers: z.string().min(1),
  records: z.array(recordSchema),
  warnings: z.array(z.string()),
  compressedBytes: count,
  uncompressedBytes: count,
  entries: count,
}) satisfies z.ZodType<LayerAnalysis, unknown>;
