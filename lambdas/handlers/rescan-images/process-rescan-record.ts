import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { messageOf } from '../../core/errors.ts';
import type { RescanMessage } from '../../core/ports.ts';
import type { RescanRun } from '../../core/use-cases/rescan-images.ts';
import { recordRescan } from './rescan-metrics.ts';
import { messageIdOf, parseRescanRecord } from './rescan-record.ts';

export interface RescanRecordDeps {
  /** rescanImages bound to its dependencies. */
  readonly rescan: (message: RescanMessage) => Promise<RescanRun>;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * One SQS record: parse → rescanImages → logs and metrics. Anything wrong (a body that is not a
 * rescan message, a change set that is missing, a store that failed) is thrown, so the batch reports
 * this record alone as failed: retried by the queue, then kept by its DLQ (alarmed). A redelivery is
 * harmless: rescanImages writes only what changed.
 */
export async function processRescanRecord(raw: unknown, deps: RescanRecordDeps): Promise<void> {
  let parsed: ReturnType<typeof parseRescanRecord>;
  try {
    parsed = parseRescanRecord(raw);
  } catch (error) {
    deps.logger.createChild({ persistentKeys: { messageId: messageIdOf(raw) } }).error('record refused', { error: messageOf(error) });
    throw error;
  }
  const { messageId, message } = parsed;
  const log = deps.logger.createChild({ persistentKeys: { messageId, syncId: message.syncId } });
  let run: RescanRun;
  try {
    run = await deps.rescan(message);
  } catch (error) {
    log.error('rescan failed; retried through the queue', { digests: message.digests.length, error: errorSummary(error) });
    throw error;
  }
  recordRescan(deps.metrics, run);
  logRun(log, run);
}

function logRun(log: Logger, run: RescanRun): void {
  for (const rescan of run.digests) {
    const line = log.createChild({ persistentKeys: { digest: rescan.digest } });
    switch (rescan.outcome) {
      case 'touched':
        line.info('findings changed', { added: rescan.changes.added, resolved: rescan.changes.resolved, updated: rescan.changes.updated, ...(rescan.status ? { status: rescan.status } : {}) });
        break;
      case 'untouched':
        line.debug('re-matched; nothing changed', { matchedPackages: rescan.matchedPackages });
        break;
      case 'skipped':
        line.info('not re-matched', { why: rescan.why });
        break;
    }
  }
  for (const image of run.evaluation?.images ?? []) {
    const { digest, repository, account, region } = image.key;
    const line = log.createChild({ persistentKeys: { digest, repository, account, region } });
    if (image.outcome !== 'judged') line.info('not judged', { outcome: image.outcome });
    else line.info('verdict', { verdict: image.verdict, ...(image.previous ? { previous: image.previous } : {}), decision: image.decision, ...(image.announced ? { alertId: image.announced.alertId } : {}) });
  }
  for (const outcome of run.enforcement) {
    const { key, ...rest } = outcome;
    log.createChild({ persistentKeys: { digest: key.digest, repository: key.repository, account: key.account, region: key.region } }).info('enforcement', rest);
  }
  for (const { key, outcome } of run.releases) {
    log.createChild({ persistentKeys: { digest: key.digest, repository: key.repository, account: key.account, region: key.region } }).info('release', { ...outcome });
  }
  log.info('rescan done', { counts: run.counts, ...(run.evaluation ? { published: run.evaluation.published } : {}) });
}

/** Name and message only: SDK errors carry request metadata, never anything secret, but keep lines short. */
function errorSummary(error: unknown): { name: string; message: string } {
  return { name: error instanceof Error ? error.name : 'Error', message: messageOf(error).slice(0, 500) };
}
