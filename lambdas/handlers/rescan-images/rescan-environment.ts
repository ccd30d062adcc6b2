import { z } from 'zod';
import type { JudgingEnvironment } from '../shared/judging-deps.ts';

/**
 * The rescan Lambda's configuration, from the environment the CDK construct sets
 * (lib/constructs/rescan-pipeline.ts, RESCAN_ENVIRONMENT; the names are repeated here so the bundle
 * does not pull in aws-cdk-lib). A missing or bad value fails the cold start naming it.
 */
const environmentSchema = z.object({
  AWS_REGION: z.string().min(1),
  FINDINGS_TABLE_NAME: z.string().min(3),
  ADVISORY_TABLE_NAME: z.string().min(3),
  SBOM_BUCKET_NAME: z.string().min(3),
  HISTORY_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  ALERTS_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'is not an SNS topic ARN'),
  POLICY_PARAMETER_NAME: z.string().min(1),
  /** Absent: no EventBridge events. A bus name or ARN. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  EMAIL_IMAGE_CAP: z.coerce.number().int().min(1).default(20),
  /** The scanner's advisory age limit (its default when unset): an unavailable image turns SCANNED only within it. */
  ADVISORY_MAX_AGE_HOURS: z.coerce.number().positive().default(48),
});

export interface RescanEnvironment extends JudgingEnvironment {
  readonly advisoryTable: string;
  readonly advisoryMaxAgeMs: number;
}

export function readRescanEnvironment(env: NodeJS.ProcessEnv): RescanEnvironment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`rescan environment is incomplete: ${problems}`);
  }
  const value = parsed.data;
  return {
    region: value.AWS_REGION,
    findingsTable: value.FINDINGS_TABLE_NAME,
    advisoryTable: value.ADVISORY_TABLE_NAME,
    sbomBucket: value.SBOM_BUCKET_NAME,
    ...(value.HISTORY_RETENTION_DAYS !== undefined ? { historyRetentionDays: value.HISTORY_RETENTION_DAYS } : {}),
    alertsTopicArn: value.ALERTS_TOPIC_ARN,
    policyParameterName: value.POLICY_PARAMETER_NAME,
    ...(value.EVENT_BUS_NAME !== undefined ? { eventBusName: value.EVENT_BUS_NAME } : {}),
    emailImageCap: value.EMAIL_IMAGE_CAP,
    advisoryMaxAgeMs: value.ADVISORY_MAX_AGE_HOURS * 3_600_000,
  };
}
