import { z } from 'zod';

/**
 * The scanner Lambda's configuration, from the environment the CDK construct sets
 * (lib/constructs/scanner-function.ts, SCANNER_ENVIRONMENT; the names are repeated here so the
 * bundle does not pull in aws-cdk-lib). A missing or bad value fails the cold start naming it.
 */
const environmentSchema = z.object({
  AWS_REGION: z.string().min(1),
  FINDINGS_TABLE_NAME: z.string().min(3),
  ADVISORY_TABLE_NAME: z.string().min(3),
  SBOM_BUCKET_NAME: z.string().min(3),
  ADVISORY_MAX_AGE_HOURS: z.coerce.number().positive().default(48),
  HISTORY_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
});

export interface ScannerEnvironment {
  readonly region: string;
  readonly findingsTable: string;
  readonly advisoryTable: string;
  readonly sbomBucket: string;
  readonly advisoryMaxAgeMs: number;
  /** Tag history expires this long after each change; kept when absent. */
  readonly historyRetentionDays?: number;
}

export function readScannerEnvironment(env: NodeJS.ProcessEnv): ScannerEnvironment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`scanner environment is incomplete: ${problems}`);
  }
  const value = parsed.data;
  return {
    region: value.AWS_REGION,
    findingsTable: value.FINDINGS_TABLE_NAME,
    advisoryTable: value.ADVISORY_TABLE_NAME,
    sbomBucket: value.SBOM_BUCKET_NAME,
    advisoryMaxAgeMs: value.ADVISORY_MAX_AGE_HOURS * 3_600_000,
    ...(value.HISTORY_RETENTION_DAYS !== undefined ? { historyRetentionDays: value.HISTORY_RETENTION_DAYS } : {}),
  };
}
