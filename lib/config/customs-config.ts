import { z } from 'zod';
import { policyErrorMap } from '../../lambdas/core/policy/issue-messages.ts';
import { policyDocumentSchema, repositoryNameSchema, repositoryPrefixSchema } from '../../lambdas/core/policy/policy-document.ts';
import { alertSubscriptionSchema, operationsSubscriptionSchema, subscriptionKey, type SubscriptionConfig } from './subscription-config.ts';

/**
 * Customs' deployment settings, in one place. They come from the CDK context key `customs` (an
 * object in cdk.json, or a JSON string with `-c customs='{...}'`) or from the stack's props, and
 * are validated here so that a wrong setting fails `cdk synth` with the setting's name.
 */
export const CONFIG_CONTEXT_KEY = 'customs';

// The retention periods CloudWatch Logs accepts (RetentionDays), in days.
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const repositorySelection = z
  .object({
    names: z.array(repositoryNameSchema).default([]),
    prefixes: z.array(repositoryPrefixSchema).default([]),
  })
  .strict()
  .refine((selection) => selection.names.length + selection.prefixes.length > 0, 'names or prefixes must list at least one repository');

// EventBridge's rules for bus names; an ARN may name a bus of another account (its policy must allow PutEvents).
const EVENT_BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const EVENT_BUS_ARN = /^arn:aws(?:-[a-z]+)*:events:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:event-bus\/[/.\-_A-Za-z0-9]{1,256}$/;

const eventBus = z
  .string()
  .refine((bus) => (bus.startsWith('arn:') ? EVENT_BUS_ARN.test(bus) : EVENT_BUS_NAME.test(bus)), 'must be default, an event bus name or an event bus ARN');

const alerts = z
  .strictObject({
    subscriptions: z.array(alertSubscriptionSchema).default([]),
    /** Per-image messages to email per repository and advisory in one evaluation run; the rest reach people as one group summary. */
    emailImageCap: z.number().int().min(1).max(1000).default(20),
    /** `default`, a bus name or a bus ARN. */
    eventBus: eventBus.default('default'),
    /** Send `Customs Verdict` and `Customs Finding` events. */
    events: z.boolean().default(true),
  })
  .prefault({});

const operations = z
  .strictObject({
    /** `separate`: alarms go to an operations topic of their own; `alerts`: to the alerts topic. */
    topic: z.enum(['separate', 'alerts']).default('separate'),
    subscriptions: z.array(operationsSubscriptionSchema).default([]),
    /** The scan queue's oldest message, in seconds, that raises an alarm (up to the queue's 14-day retention). */
    oldestMessageAgeSeconds: z.number().int().min(60).max(1_209_600).default(3600),
    /** Manifests whose scan FAILED in one hour that raise an alarm. */
    scanFailuresPerHour: z.number().int().min(1).default(5),
  })
  .prefault({});

// EventBridge Scheduler's rate expressions: `rate(1 hour)`, `rate(30 minutes)`, `rate(2 days)`.
const RATE_EXPRESSION = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const RATE_UNIT_SECONDS: Readonly<Record<string, number>> = { minute: 60, hour: 3600, day: 86_400 };

/** A rate expression's interval in seconds; undefined when it is not one. */
export function rateSeconds(expression: string): number | undefined {
  const match = RATE_EXPRESSION.exec(expression);
  if (!match) return undefined;
  const count = Number(match[1]);
  const unit = match[2]!.replace(/s$/, '');
  // EventBridge Scheduler wants the singular for 1 and the plural otherwise.
  if (count < 1 || (count === 1) !== (match[2] === unit)) return undefined;
  return count * RATE_UNIT_SECONDS[unit]!;
}

// OSV base ecosystems as osv.dev's bucket names its folders (`Debian`, `npm`, `crates.io`, `Alpine`).
const OSV_ECOSYSTEM = /^[A-Za-z][A-Za-z0-9.-]{0,63}$/;

const advisorySync = z
  .strictObject({
    /** How often the sync runs (EventBridge Scheduler rate expression). */
    // At most 12 hours: the cursor-age alarm's period is two intervals (so each holds a run's report), and CloudWatch allows one day.
    rate: z
      .string()
      .refine((rate) => (rateSeconds(rate) ?? 0) >= 300 && (rateSeconds(rate) ?? Infinity) <= 43_200, 'must be a rate expression from 5 minutes to 12 hours, e.g. rate(1 hour)')
      .default('rate(1 hour)'),
    /** A base URL laid out like osv.dev's bucket (`ECOSYSTEM/all.zip`, `ECOSYSTEM/modified_id.csv`, `ECOSYSTEM/ID.json`). */
    sourceUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }).default('https://osv-vulnerabilities.storage.googleapis.com'),
    /** OSV base ecosystems to keep in sync; `derived`: those of stored images and those a verdict asked for. */
    ecosystems: z.union([z.literal('derived'), z.array(z.string().regex(OSV_ECOSYSTEM, 'must be an OSV ecosystem folder name (Debian, npm, PyPI)')).min(1)]).default('derived'),
    /** How far before its cursor an incremental sync re-reads modified_id.csv (records exported late with an older `modified`). */
    overlapHours: z.number().int().min(1).max(24 * 14).default(48),
    /** How often all.zip is read whole and its ID list compared with the table, to retract records the export dropped. */
    fullCompareEveryDays: z.number().int().min(1).max(90).default(7),
    /** A cursor older than this raises an alarm; default three sync intervals (at least one hour). */
    maxCursorAgeHours: z.number().int().min(1).max(24 * 30).optional(),
    /** Memory, timeout and scratch space of the sync Lambda (all.zip is streamed to scratch space). */
    memoryMiB: z.number().int().min(256).max(10_240).default(1024),
    timeoutSeconds: z.number().int().min(60).max(900).default(900),
    ephemeralStorageMiB: z.number().int().min(512).max(10_240).default(2048),
  })
  .prefault({})
  .transform((sync) => ({ ...sync, maxCursorAgeHours: sync.maxCursorAgeHours ?? Math.max(1, Math.ceil((3 * rateSeconds(sync.rate)!) / 3600)) }));

/*
 * Rescan sizing (measured by the rescan bench, BENCHMARKS.md). An SQS event source starts with five
 * concurrent invocations and adds up to 300 a minute while messages wait; a new on-demand table
 * serves up to 4,000 writes a second before it adapts. A rescanned image costs about 20 write units
 * (its scan result, findings, package sets, verdicts), so a message of 50 digests is about 1,000
 * and takes about 4 s at 1024 MB: 5 at once peak near 1,200 writes a second, under a third of a new
 * table's, leaving room for the scanner's pushes, and re-evaluate a sync touching 1,000 images (a
 * tenth of 10,000: 20 messages) in about 20 s, inside the 60 s goal; 20 at once would hit the new
 * table's limit. 50 digests keep a message far inside the 300 s timeout and a retried one cheap
 * (its writes are idempotent); the queue's adapter allows up to 1,000 per message.
 */
const rescan = z
  .strictObject({
    /** The rescan queue's event source maximum concurrency (Lambda accepts 2-1000): the table's write rate is bounded by it. */
    maxConcurrency: z.number().int().min(2).max(1000).default(5),
    /** Digests per rescan message (one message, one invocation's work). */
    digestsPerMessage: z.number().int().min(1).max(1000).default(50),
    memoryMiB: z.number().int().min(128).max(10_240).default(1024),
    timeoutSeconds: z.number().int().min(30).max(900).default(300),
  })
  .prefault({});

// EventBridge Scheduler's cron expressions (six fields, in UTC here) or a rate expression.
const SCHEDULE_EXPRESSION = /^(cron\((\S+ ){5}\S+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;

const dailyReview = z
  .strictObject({
    /** When the daily pass runs: an EventBridge Scheduler cron or rate expression, UTC. */
    schedule: z.string().regex(SCHEDULE_EXPRESSION, 'must be an EventBridge Scheduler cron(…) or rate(…) expression, e.g. cron(15 3 * * ? *)').default('cron(15 3 * * ? *)'),
    memoryMiB: z.number().int().min(128).max(10_240).default(1024),
    timeoutSeconds: z.number().int().min(60).max(900).default(900),
    /** The daily enumeration queues lost images pushed within this many days (3650 for any age). */
    backfillMaxAgeDays: z.number().int().min(1).max(3650).default(30),
    /** Verdicts re-judged per batch, and batches at once. */
    reviewBatchSize: z.number().int().min(1).max(1000).default(200),
    reviewConcurrency: z.number().int().min(1).max(32).default(4),
    /** Images scanned by an older scanner version re-indexed per run at most, oldest first (the re-index rate). */
    reindexPerRun: z.number().int().min(0).max(100_000).default(500),
    /** How long an image ECR no longer has is kept (no longer judged, rescanned or alerted); absent: kept. */
    deletedRetentionDays: z.number().int().min(1).max(3650).optional(),
  })
  .prefault({});

// An IAM principal as the findings API's access rules name it: a user, a role (any path; an
// assumed-role session is matched by its role), an account's root, or a user/role prefix ending in *.
const IAM_PRINCIPAL_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:(?:root|(?:user|role)\/[\w+=,.@/-]{1,512}|(?:user|role)\/[\w+=,.@/-]{0,511}\*)$/;
// The start of a repository name; '' is every repository.
const accessPrefix = z.string().max(255).regex(/^[a-z0-9._/-]*$/, "must be the start of an ECR repository name ('' for every repository)");

const apiAccessRule = z.strictObject({
  /** The caller's IAM ARN (`arn:aws:iam::123456789012:role/ci`) or a prefix (`…:role/ci-*`); one rule per principal. */
  principal: z.string().regex(IAM_PRINCIPAL_ARN, 'must be an IAM user, role or root ARN, or a user or role ARN prefix ending in *'),
  /** Repository prefixes the principal may read; none: it reads nothing. */
  read: z.array(accessPrefix).default([]),
  /** Repository prefixes the principal may act on (rescan, release, backfill, exceptions). */
  act: z.array(accessPrefix).default([]),
});

const api = z
  .strictObject({
    /** Who may read and act on which repositories; IAM lets a caller in, these rules say where. Nobody by default. */
    access: z
      .array(apiAccessRule)
      .default([])
      .superRefine((rules, context) => {
        const seen = new Map<string, number>();
        rules.forEach((rule, index) => {
          const first = seen.get(rule.principal);
          if (first === undefined) seen.set(rule.principal, index);
          else context.addIssue({ code: 'custom', path: [index, 'principal'], message: `repeats rule ${first} (one rule per principal)`, input: rule.principal });
        });
      }),
    /** The stage's steady request rate (per second) and burst, across every caller. */
    throttle: z
      .strictObject({
        rateLimit: z.number().min(1).max(10_000).default(50),
        burstLimit: z.number().int().min(1).max(5_000).default(100),
      })
      .prefault({}),
    /** Access log retention (CloudWatch Logs' periods). */
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), `must be one of ${LOG_RETENTION_DAYS.join(', ')}`)
      .default(90),
    /** The API Lambda's memory; its timeout is the HTTP API's 30 s integration limit. */
    memoryMiB: z.number().int().min(128).max(10_240).default(1024),
  })
  .prefault({});

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
    /** How images are judged: a default and overrides by repository (lambdas/core/policy/policy-document.ts). */
    policies: policyDocumentSchema.prefault({}),
    /** Who hears about verdicts: SNS subscriptions and EventBridge events. */
    alerts,
    /** Who hears about the pipeline itself: CloudWatch alarms. */
    operations,
    /** Continuous assessment: the scheduled OSV sync. */
    advisorySync,
    /** Continuous assessment: re-evaluating the images a sync's changes affect. */
    rescan,
    /** Continuous assessment: the daily pass (reconcile and backfill, verdict review, re-index, retention). */
    dailyReview,
    /** The findings API: who may read and act where, the stage's throttling, its access logs. */
    api,
  })
  .strict()
  .superRefine((config, context) => {
    // One topic holds one subscription per protocol and endpoint; SNS refuses a second with other attributes.
    const seen = new Map<string, string>();
    const check = (list: readonly SubscriptionConfig[], path: readonly string[]): void =>
      list.forEach((subscription, index) => {
        const first = seen.get(subscriptionKey(subscription));
        if (first === undefined) seen.set(subscriptionKey(subscription), [CONFIG_CONTEXT_KEY, ...path, index].join('.'));
        else context.addIssue({ code: 'custom', path: [...path, index], message: `repeats ${first} (one topic, one subscription per protocol and endpoint)`, input: subscription });
      });
    check(config.alerts.subscriptions, ['alerts', 'subscriptions']);
    if (config.operations.topic === 'separate') seen.clear();
    check(config.operations.subscriptions, ['operations', 'subscriptions']);
  });

/** What the settings may be written as (every key optional). */
export type CustomsConfigInput = z.input<typeof configSchema>;
/** The validated settings, every default filled in. */
export type CustomsConfig = z.output<typeof configSchema>;
export type RepositorySelection = CustomsConfig['watchedRepositories'];
export type AlertsConfig = CustomsConfig['alerts'];
export type OperationsConfig = CustomsConfig['operations'];
export type AdvisorySyncConfig = CustomsConfig['advisorySync'];
export type RescanConfig = CustomsConfig['rescan'];
export type DailyReviewSettings = CustomsConfig['dailyReview'];
export type ApiConfig = CustomsConfig['api'];
export type ApiAccessRule = ApiConfig['access'][number];

export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

/** Validates settings; the error names every wrong setting by its path under `customs`. */
export function parseConfig(input: unknown): CustomsConfig {
  // The policy document's messages (`reason is required`) read after a path; so do the others'.
  const result = configSchema.safeParse(input ?? {}, { error: policyErrorMap });
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
