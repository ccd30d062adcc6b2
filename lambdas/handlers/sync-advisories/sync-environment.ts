import { z } from 'zod';
import { readEnvironment } from '../shared/read-environment.ts';

/**
 * The sync Lambda's configuration, from the environment the CDK construct sets
 * (lib/constructs/advisory-sync.ts, SYNC_ENVIRONMENT; the names are repeated here so the bundle does
 * not pull in aws-cdk-lib). A missing or bad value fails the cold start naming it.
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** An OSV folder name as osv.dev's bucket spells it (`Debian`, `npm`, `Red Hat`, `crates.io`). */
const ecosystemName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, 'is not an OSV ecosystem folder name');

const ecosystemsSchema = z
  .string()
  .trim()
  .min(1, 'is empty: `derived` or a comma-separated list of ecosystems')
  .transform((value, context) => {
    if (value === 'derived') return 'derived' as const;
    const names = [...new Set(value.split(',').map((name) => name.trim()).filter((name) => name !== ''))];
    for (const name of names) {
      const parsed = ecosystemName.safeParse(name);
      if (!parsed.success) context.addIssue({ code: 'custom', message: `${JSON.stringify(name)} ${parsed.error.issues[0]?.message ?? 'is not valid'}` });
      // `Debian:12` is a release; the sync works per bucket folder (`Debian`).
    }
    if (names.length === 0) context.addIssue({ code: 'custom', message: 'names no ecosystem' });
    return names;
  });

const environmentSchema = z.object({
  AWS_REGION: z.string().min(1),
  ADVISORY_TABLE_NAME: z.string().min(3),
  FINDINGS_TABLE_NAME: z.string().min(3),
  SBOM_BUCKET_NAME: z.string().min(3),
  RESCAN_QUEUE_URL: z.url({ protocol: /^https?$/ }),
  CONTINUATION_QUEUE_URL: z.url({ protocol: /^https?$/ }),
  OSV_SOURCE_URL: z.url({ protocol: /^https?$/ }).default('https://osv-vulnerabilities.storage.googleapis.com/'),
  ADVISORY_ECOSYSTEMS: ecosystemsSchema.default('derived'),
  OVERLAP_HOURS: z.coerce.number().positive().max(24 * 30).default(48),
  FULL_COMPARE_EVERY_DAYS: z.coerce.number().positive().max(365).default(7),
  RESCAN_DIGESTS_PER_MESSAGE: z.coerce.number().int().min(1).max(1_000).default(50),
});

export interface SyncEnvironment {
  readonly region: string;
  readonly advisoryTable: string;
  readonly findingsTable: string;
  readonly sbomBucket: string;
  readonly rescanQueueUrl: string;
  readonly continuationQueueUrl: string;
  /** The export's base URL, ending in `/`. */
  readonly sourceUrl: string;
  /** `derived`: the ecosystems of the stored cursors and the scanner's load requests. */
  readonly ecosystems: 'derived' | readonly string[];
  readonly overlapMs: number;
  readonly fullCompareEveryMs: number;
  readonly digestsPerMessage: number;
}

export function readSyncEnvironment(env: NodeJS.ProcessEnv): SyncEnvironment {
  const value = readEnvironment(environmentSchema, env, 'advisory sync');
  return {
    region: value.AWS_REGION,
    advisoryTable: value.ADVISORY_TABLE_NAME,
    findingsTable: value.FINDINGS_TABLE_NAME,
    sbomBucket: value.SBOM_BUCKET_NAME,
    rescanQueueUrl: value.RESCAN_QUEUE_URL,
    continuationQueueUrl: value.CONTINUATION_QUEUE_URL,
    sourceUrl: value.OSV_SOURCE_URL.endsWith('/') ? value.OSV_SOURCE_URL : `${value.OSV_SOURCE_URL}/`,
    ecosystems: value.ADVISORY_ECOSYSTEMS,
    overlapMs: value.OVERLAP_HOURS * HOUR_MS,
    fullCompareEveryMs: value.FULL_COMPARE_EVERY_DAYS * DAY_MS,
    digestsPerMessage: value.RESCAN_DIGESTS_PER_MESSAGE,
  };
}
