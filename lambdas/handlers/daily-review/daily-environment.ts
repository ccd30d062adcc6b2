import { z } from 'zod';
import { judgingEnvironmentOf, judgingVariables, type JudgingEnvironment } from '../shared/judging-environment.ts';
import { readEnvironment } from '../shared/read-environment.ts';

/**
 * The daily pass's configuration, from the environment the CDK construct sets
 * (lib/constructs/daily-review.ts, DAILY_ENVIRONMENT; the names are repeated here so the bundle does
 * not pull in aws-cdk-lib). A missing or bad value fails the cold start naming it.
 */
const repositoryList = z
  .string()
  .transform((value) => value.split(',').map((name) => name.trim()).filter((name) => name.length > 0));

const environmentSchema = z.object({
  ...judgingVariables,
  SCAN_QUEUE_URL: z.url(),
  /** `all`, or absent with names and prefixes below. */
  WATCHED_REPOSITORIES: z.literal('all').optional(),
  WATCHED_REPOSITORY_NAMES: repositoryList.optional(),
  WATCHED_REPOSITORY_PREFIXES: repositoryList.optional(),
  /** Images pushed longer ago than this are not queued by the daily enumeration (they are still reconciled). Absent: no bound. */
  BACKFILL_MAX_AGE_DAYS: z.coerce.number().int().positive().optional(),
  REVIEW_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  REVIEW_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** Images re-indexed per run at most (the rate: this a day). */
  REINDEX_PER_RUN: z.coerce.number().int().min(0).default(500),
  /** Deleted images are kept this long, then forgotten (state, verdict, tag pointers); absent: kept forever. */
  DELETED_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
});

export type WatchedRepositories = 'all' | { readonly names: readonly string[]; readonly prefixes: readonly string[] };

export interface DailyEnvironment extends JudgingEnvironment {
  readonly scanQueueUrl: string;
  readonly watched: WatchedRepositories;
  readonly backfillMaxAgeDays?: number;
  readonly reviewBatchSize: number;
  readonly reviewConcurrency: number;
  readonly reindexPerRun: number;
  readonly deletedRetentionDays?: number;
}

export function readDailyEnvironment(env: NodeJS.ProcessEnv): DailyEnvironment {
  const value = readEnvironment(environmentSchema, env, 'daily review');
  const names = value.WATCHED_REPOSITORY_NAMES ?? [];
  const prefixes = value.WATCHED_REPOSITORY_PREFIXES ?? [];
  if (value.WATCHED_REPOSITORIES === 'all' && names.length + prefixes.length > 0) throw new Error('daily review environment: WATCHED_REPOSITORIES=all leaves no room for names or prefixes');
  // Neither given would watch nothing, silently: refuse it, as the configuration does.
  if (value.WATCHED_REPOSITORIES === undefined && names.length + prefixes.length === 0) throw new Error('daily review environment: WATCHED_REPOSITORIES=all or WATCHED_REPOSITORY_NAMES / _PREFIXES is required');
  return {
    ...judgingEnvironmentOf(value),
    scanQueueUrl: value.SCAN_QUEUE_URL,
    watched: value.WATCHED_REPOSITORIES === 'all' ? 'all' : { names, prefixes },
    ...(value.BACKFILL_MAX_AGE_DAYS !== undefined ? { backfillMaxAgeDays: value.BACKFILL_MAX_AGE_DAYS } : {}),
    reviewBatchSize: value.REVIEW_BATCH_SIZE,
    reviewConcurrency: value.REVIEW_CONCURRENCY,
    reindexPerRun: value.REINDEX_PER_RUN,
    ...(value.DELETED_RETENTION_DAYS !== undefined ? { deletedRetentionDays: value.DELETED_RETENTION_DAYS } : {}),
  };
}
