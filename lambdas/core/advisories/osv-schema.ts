import { z } from 'zod';

/**
 * The parts of an OSV record (schema 1.x, https://ossf.github.io/osv-schema/) Customs reads. Objects
 * are loose so fields added by later schema versions or by databases pass through untouched.
 */

/** One event of a range. The spec allows exactly one key per event; extra keys are ignored. */
export const osvEventSchema = z.looseObject({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

export const osvRangeSchema = z.looseObject({
  // Types other than these three are allowed by no schema 1.x version; refuse them so they are reported.
  type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
  repo: z.string().optional(),
  events: z.array(osvEventSchema).min(1),
});

export const osvPackageSchema = z.looseObject({
  ecosystem: z.string().min(1),
  name: z.string().min(1),
  purl: z.string().optional(),
});

export const osvSeveritySchema = z.looseObject({ type: z.string(), score: z.string() });

export const osvAffectedSchema = z.looseObject({
  package: osvPackageSchema.optional(),
  severity: z.array(osvSeveritySchema).optional(),
  ranges: z.array(osvRangeSchema).optional(),
  versions: z.array(z.string()).optional(),
  ecosystem_specific: z.record(z.string(), z.unknown()).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

export const osvReferenceSchema = z.looseObject({ type: z.string(), url: z.string() });

export const osvRecordSchema = z.looseObject({
  schema_version: z.string().optional(),
  id: z.string().min(1),
  modified: z.string().min(1),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  related: z.array(z.string()).optional(),
  upstream: z.array(z.string()).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(osvSeveritySchema).optional(),
  affected: z.array(osvAffectedSchema).optional(),
  references: z.array(osvReferenceSchema).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

export type OsvEvent = z.infer<typeof osvEventSchema>;
export type OsvRange = z.infer<typeof osvRangeSchema>;
export type OsvPackage = z.infer<typeof osvPackageSchema>;
export type OsvAffected = z.infer<typeof osvAffectedSchema>;
export type OsvRecord = z.infer<typeof osvRecordSchema>;
