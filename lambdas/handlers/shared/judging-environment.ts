import { z } from 'zod';
import { readEnvironment } from './read-environment.ts';

/**
 * The variables every function that judges images reads (scanner, rescan, daily pass), as their
 * CDK constructs set them (the names are repeated here so bundles do not pull in aws-cdk-lib).
 */
export const judgingVariables = {
  AWS_REGION: z.string().min(1),
  FINDINGS_TABLE_NAME: z.string().min(3),
  SBOM_BUCKET_NAME: z.string().min(3),
  HISTORY_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  ALERTS_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'is not an SNS topic ARN'),
  POLICY_PARAMETER_NAME: z.string().min(1),
  /** Absent: no EventBridge events. A bus name or ARN. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  EMAIL_IMAGE_CAP: z.coerce.number().int().min(1).default(20),
};

/** What judging, enforcing and releasing read from a Lambda's environment. */
export interface JudgingEnvironment {
  readonly region: string;
  readonly findingsTable: string;
  readonly sbomBucket: string;
  /** Tag history expires this long after each change; kept when absent. */
  readonly historyRetentionDays?: number;
  readonly alertsTopicArn: string;
  readonly policyParameterName: string;
  /** Where verdict and finding events go; none when absent. */
  readonly eventBusName?: string;
  /** Per-image messages to email per repository and advisory in one evaluation run. */
  readonly emailImageCap: number;
}

type JudgingValues = z.output<z.ZodObject<typeof judgingVariables>>;

export function judgingEnvironmentOf(value: JudgingValues): JudgingEnvironment {
  return {
    region: value.AWS_REGION,
    findingsTable: value.FINDINGS_TABLE_NAME,
    sbomBucket: value.SBOM_BUCKET_NAME,
    ...(value.HISTORY_RETENTION_DAYS !== undefined ? { historyRetentionDays: value.HISTORY_RETENTION_DAYS } : {}),
    alertsTopicArn: value.ALERTS_TOPIC_ARN,
    policyParameterName: value.POLICY_PARAMETER_NAME,
    ...(value.EVENT_BUS_NAME !== undefined ? { eventBusName: value.EVENT_BUS_NAME } : {}),
    emailImageCap: value.EMAIL_IMAGE_CAP,
  };
}

/**
 * The scanner and the rescan match against the advisory table with one advisory age limit (the
 * scanner's default when unset): a rescan judging by other advisories than the scan would not agree
 * with it, and an unavailable image turns SCANNED only within the limit.
 */
const matchingSchema = z.object({
  ADVISORY_TABLE_NAME: z.string().min(3),
  ADVISORY_MAX_AGE_HOURS: z.coerce.number().positive().default(48),
  ...judgingVariables,
});

export interface MatchingEnvironment extends JudgingEnvironment {
  readonly advisoryTable: string;
  readonly advisoryMaxAgeMs: number;
}

/** The judging variables and the advisory table and age limit; `what` names the function in the error. */
export function readMatchingEnvironment(env: NodeJS.ProcessEnv, what: string): MatchingEnvironment {
  const value = readEnvironment(matchingSchema, env, what);
  return { ...judgingEnvironmentOf(value), advisoryTable: value.ADVISORY_TABLE_NAME, advisoryMaxAgeMs: value.ADVISORY_MAX_AGE_HOURS * 3_600_000 };
}
