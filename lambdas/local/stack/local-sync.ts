import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { findingsDocumentClient } from '../../adapters/dynamodb/document-client.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbAdvisoryWriter } from '../../adapters/dynamodb/dynamodb-advisory-writer.ts';
import { DynamoDbPendingFanOuts } from '../../adapters/dynamodb/dynamodb-pending-fan-outs.ts';
import { DynamoDbRescanMarks } from '../../adapters/dynamodb/dynamodb-rescan-marks.ts';
import type { DynamoDbScanResultStore } from '../../adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbSyncCursors } from '../../adapters/dynamodb/dynamodb-sync-cursors.ts';
import { DynamoDbSyncLease } from '../../adapters/dynamodb/dynamodb-sync-lease.ts';
import { HttpOsvExport } from '../../adapters/osv/http-osv-export.ts';
import { LocalOsvExport } from '../../adapters/osv/local-osv-export.ts';
import type { AdvisoryChangeSets, Clock, RescanQueue } from '../../core/ports.ts';
import { runSync, type SyncRunOutcome } from '../../handlers/sync-advisories/run-sync.ts';
import { LOCAL_DEFAULTS } from './local-defaults.ts';

export interface LocalSyncParts {
  readonly dynamodb: DynamoDBClient;
  readonly tables: { readonly findings: string; readonly advisories: string };
  readonly dataDir: string;
  /** An OSV directory or zip, or an http(s) base URL laid out like osv.dev's export. */
  readonly advisories: string;
  readonly changeSets: AdvisoryChangeSets;
  readonly rescans: RescanQueue;
  readonly results: DynamoDbScanResultStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** One advisory sync, run to its end (a continuation is the next pass of the same loop). */
export type LocalSync = () => Promise<SyncRunOutcome>;

const MAX_CONTINUATIONS = 100;

/**
 * The sync Lambda's runSync on the local adapters. A directory or zip is read afresh each run and
 * its ecosystems are the ones it holds; a URL is synced as the Lambda syncs osv.dev (ecosystems the
 * scans asked for). Where the Lambda sends itself a continuation, the loop runs again at once.
 */
export function createLocalSync(parts: LocalSyncParts): LocalSync {
  const remote = /^https?:\/\//i.test(parts.advisories);
  const path = remote ? parts.advisories : isAbsolute(parts.advisories) ? parts.advisories : resolve(parts.advisories);
  const local = remote ? undefined : new LocalOsvExport({ path });
  const source = local ?? new HttpOsvExport({ baseUrl: parts.advisories, scratchDir: join(parts.dataDir, 'scratch') });
  const findings = { client: findingsDocumentClient(parts.dynamodb), tableName: parts.tables.findings };
  const table = parts.tables.advisories;
  let continuation: string | undefined;
  const base = {
    source,
    writer: new DynamoDbAdvisoryWriter(parts.dynamodb, table),
    cursors: new DynamoDbSyncCursors(parts.dynamodb, table),
    lease: new DynamoDbSyncLease(parts.dynamodb, table),
    changeSets: parts.changeSets,
    loadRequests: new DynamoDbAdvisoryLoadRequests(parts.dynamodb, table),
    results: parts.results,
    pending: new DynamoDbPendingFanOuts(parts.dynamodb, table),
    marks: new DynamoDbRescanMarks({ ...findings, claimLeaseMs: 0 }),
    rescanQueue: parts.rescans,
    continuation: { send: async (syncId: string) => void (continuation = syncId) },
    clock: parts.clock,
    logger: parts.logger,
    metrics: parts.metrics,
  };
  const sourceName = remote ? parts.advisories.replace(/\/+$/, '') : `file://${path}`;
  return async () => {
    const ecosystems = local ? await local.ecosystemsOf() : ('derived' as const);
    const options = {
      ecosystems,
      overlapMs: LOCAL_DEFAULTS.overlapMs,
      fullCompareEveryMs: LOCAL_DEFAULTS.fullCompareEveryMs,
      sourceName,
      digestsPerMessage: LOCAL_DEFAULTS.digestsPerMessage,
    };
    const holder = randomUUID();
    let outcome = await runSync({ holder }, { ...base, options });
    for (let round = 0; outcome.outcome === 'continued' && round < MAX_CONTINUATIONS; round++) {
      const syncId = continuation;
      continuation = undefined;
      outcome = await runSync({ holder, ...(syncId ? { syncId } : {}) }, { ...base, options });
    }
    return outcome;
  };
}
