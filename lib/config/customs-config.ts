import { z } from 'zod';

/**
 * Customs' deployment settings, in one place. They come from the CDK context key `customs` (an
 * object in cdk.json, or a JSON string with `-c customs='{...}'`) or from the stack's props, and
 * are validated here so that a wrong setting fails `cdk synth` with the setting's name.
 */
export const CONFIG_CONTEXT_KEY = 'customs';

// ECR's own pattern for repository names (namespaces separated by `/`), 2-256 characters.
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
// A prefix is the start of such a name: it may end in a separator (`team/`, `app-`).
const REPOSITORY_PREFIX = /^[a-z0-9][a-z0-9._/-]*$/;

// The retention periods CloudWatch Logs accepts (RetentionDays), in days.
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const repositorySelection = z
  .object({
    names: z.array(z.string().min(2).max(256).regex(REPOSITORY_NAME, 'is not an ECR repository name')).default([]),
    prefixes: z.array(z.string().min(1).max(255).regex(REPOSITORY_PREFIX, 'is not the start of an ECR repository name')).default([]),
  })
  .strict()
  .refine((selection) => selection.names.length + selection.prefixes.length > 0, 'names or prefixes must list at least one repository');

const configSchema = z
  .object({
    /** `"all"` (every repository of the account and region) or explicit names and prefixes. */
    watchedRepositories: z.union([z.literal('all'), repositorySelection]).default('all'),
    scanner: z
      .object({
        /** 1769 MB is one full vCPU: the scan is mostly one thread, so more memory mostly costs more. */
        memoryMiB: z.number().int().min(128).max(10_240).default(1769),
        timeoutSeconds: z.number().int().min(30).max(900).default(300),
        /** The SQS event source's maximum concurrency (Lambda accepts 2-1000). */
        maxConcurrency: z.number().int().min(2).max(1000).default(10),
        /** SQS messages per invocation; 1 keeps one scan from eating another's time. */
        batchSize: z.number().int().min(1).max(10).default(1),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        logDays: z
          .number()
          .int()
          .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), `must be one of ${LOG_RETENTION_DAYS.join(', ')}`)
          .default(30),
        /** TTL of superseded records (tag history, old scans); the handler sets `expiresAt` from it. */
        historyDays: z.number().int().min(1).max(3650).default(400),
        /** Noncurrent versions of large SBOM documents in S3 expire after this many days. */
        sbomNoncurrentVersionDays: z.number().int().min(1).max(3650).default(30),
        /** Cached layer analyses expire this many days after being written (a miss only re-reads the layer). */
        layerAnalysisDays: z.number().int().min(1).max(3650).default(30),
      })
      .strict()
      .prefault({}),
    /** `retain` keeps tables, bucket and logs when the stack goes (and turns deletion protection on). */
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    /** `sqs-managed` (SSE-SQS, no key policy, no KMS cost) or `kms` (a customer-managed key made here). */
    queueEncryption: z.enum(['sqs-managed', 'kms']).default('sqs-managed'),
    /** Scans a month assumed by the cost report, to spread fixed monthly costs over. */
    monthlyScanVolume: z.number().int().min(1).default(10_000),
    /** Advisories older than this make a verdict `ADVISORIES_UNAVAILABLE` (never fail open). */
    advisoryMaxAgeHours: z.number().int().min(1).max(24 * 30).default(48),
  })
  .strict();

/** What the settings may be written as (every key optional). */
export type CustomsConfigInput = z.input<typeof configSchema>;
/** The validated settings, every default filled in. */
export type CustomsConfig = z.output<typeof configSchema>;
export type RepositorySelection = CustomsConfig['watchedRepositories'];

export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

/** Validates settings; the error names every wrong setting by its path under `customs`. */
export function parseConfig(input: unknown): CustomsConfig {
  const result = configSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = [CONFIG_CONTEXT_KEY, ...issue.path.map(String)].join('.');
    return `${path}: ${issue.message}`;
  });
  throw new InvalidConfigError(`Invalid Customs configuration:\n  ${problems.join('\n  ')}`);
}

/** The context value as given: cdk.json holds an object, `-c customs=...` a JSON string. */
export function configFromContext(value: unknown): CustomsConfig {
  if (typeof value !== 'string') return parseConfig(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidConfigError(`Invalid Customs configuration: context ${CONFIG_CONTEXT_KEY} is not JSON`);
  }
  return parseConfig(parsed);
}
