import type { Context, SQSBatchResponse } from 'aws-lambda';
import { messageOf } from '../../core/errors.ts';
import { runSync, type SyncRunDeps, type SyncRunOutcome } from './run-sync.ts';
import { parseSyncEvent } from './sync-event.ts';

/**
 * The sync Lambda over its dependencies. The scheduled invoke (asynchronous) runs a sync and throws
 * when it fails, so Lambda retries it twice and then hands it to the on-failure destination. An SQS
 * event of continuations runs each record's sync in turn and reports the records that failed
 * (ReportBatchItemFailures), so SQS delivers them again and finally to their DLQ. Anything else is
 * refused with an error naming what was wrong.
 */
export type SyncHandler = (event: unknown, context: Context) => Promise<SyncRunOutcome | SQSBatchResponse>;

export function createSyncHandler(deps: SyncRunDeps): SyncHandler {
  return async (event, context) => {
    deps.logger.addContext(context);
    try {
      const invocation = parseSyncEvent(event);
      const request = { holder: context.awsRequestId, ...remaining(context) };
      if (invocation.kind === 'scheduled') {
        try {
          return await runSync(request, deps);
        } catch (error) {
          deps.logger.error('scheduled advisory sync failed; Lambda retries it', { error: errorSummary(error) });
          throw error;
        }
      }
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of invocation.records) {
        const log = deps.logger.createChild({ persistentKeys: { messageId: record.messageId, ...(record.ok ? { syncId: record.syncId } : {}) } });
        if (!record.ok) {
          // Not ours to guess at: failed, so it ends in the DLQ where the alarm shows it.
          log.error('continuation refused', { reason: record.reason });
          batchItemFailures.push({ itemIdentifier: record.messageId });
          continue;
        }
        try {
          await runSync({ ...request, syncId: record.syncId }, { ...deps, logger: log });
        } catch (error) {
          log.error('continuation failed; SQS delivers it again', { error: errorSummary(error) });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

function remaining(context: Context): { remainingMs?: () => number } {
  return typeof context.getRemainingTimeInMillis === 'function' ? { remainingMs: () => context.getRemainingTimeInMillis() } : {};
}

function errorSummary(error: unknown): { name: string; message: string } {
  return { name: error instanceof Error ? error.name : 'Error', message: messageOf(error).slice(0, 1_000) };
}
