import { z } from 'zod';
import { parseAccessRules, type ApiAccessRule } from '../../core/api/access-rules.ts';
import { judgingEnvironmentOf, judgingVariables, type JudgingEnvironment } from '../shared/judging-environment.ts';
import { readEnvironment } from '../shared/read-environment.ts';

/**
 * The findings API Lambda's configuration, from the environment its CDK construct sets (the names
 * are repeated here so the bundle does not pull in aws-cdk-lib). A missing or bad value fails the
 * cold start naming it; the access rules are parsed here, so a bad rule does too.
 */
const repositoryList = z
  .string()
  .transform((value) => value.split(',').map((name) => name.trim()).filter((name) => name.length > 0));

const environmentSchema = z.object({
  ...judgingVariables,
  ADVISORY_TABLE_NAME: z.string().min(3),
  SCAN_QUEUE_URL: z.url(),
  RESCAN_QUEUE_URL: z.url(),
  API_ACCESS_RULES: z.string().transform((text, context) => {
    try {
      return parseAccessRules(text);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  ADVISORY_STALE_AFTER_HOURS: z.coerce.number().positive().default(48),
  /** What a backfill through the API may enumerate: as the daily pass's (all, or names and prefixes). */
  WATCHED_REPOSITORIES: z.literal('all').optional(),
  WATCHED_REPOSITORY_NAMES: repositoryList.optional(),
  WATCHED_REPOSITORY_PREFIXES: repositoryList.optional(),
});

export type WatchedRepositories = 'all' | { readonly names: readonly string[]; readonly prefixes: readonly string[] };

export interface ApiEnvironment extends JudgingEnvironment {
  readonly advisoryTable: string;
  readonly scanQueueUrl: string;
  readonly rescanQueueUrl: string;
  readonly accessRules: readonly ApiAccessRule[];
  readonly advisoryStaleAfterHours: number;
  readonly watched: WatchedRepositories;
}

export function readApiEnvironment(env: NodeJS.ProcessEnv): ApiEnvironment {
  const value = readEnvironment(environmentSchema, env, 'findings API');
  const names = value.WATCHED_REPOSITORY_NAMES ?? [];
  const prefixes = value.WATCHED_REPOSITORY_PREFIXES ?? [];
  return {
    ...judgingEnvironmentOf(value),
    advisoryTable: value.ADVISORY_TABLE_NAME,
    scanQueueUrl: value.SCAN_QUEUE_URL,
    rescanQueueUrl: value.RESCAN_QUEUE_URL,
    accessRules: value.API_ACCESS_RULES,
    advisoryStaleAfterHours: value.ADVISORY_STALE_AFTER_HOURS,
    // Unset: every repository (the route narrows a backfill to what the caller may act on anyway).
    watched: value.WATCHED_REPOSITORIES === 'all' || names.length + prefixes.length === 0 ? 'all' : { names, prefixes },
  };
}

/** The account the API serves: the function's own, from its ARN (`arn:aws:lambda:<region>:<account>:function:…`). */
export function accountOfFunctionArn(arn: string): string {
  const account = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:(\d{12}):function:/.exec(arn)?.[1];
  if (account === undefined) throw new Error(`cannot read the account out of the function ARN ${arn}`);
  return account;
}
