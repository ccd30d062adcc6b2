import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processRescanRecord, type RescanRecordDeps } from './process-rescan-record.ts';
import { createRescanDeps, type RescanWiring } from './rescan-deps.ts';
import { readRescanEnvironment, type RescanEnvironment } from './rescan-environment.ts';

export type RescanHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The rescan's SQS handler: each record on its own (Powertools' batch processor), failures reported per record, metrics flushed per batch. */
export function createRescanHandler(deps: RescanRecordDeps): RescanHandler {
  return async (event, context) => {
    // Per invocation: the processor holds one batch's results.
    const processor = new BatchProcessor(EventType.SQS);
    deps.logger.addContext(context);
    try {
      // Every record failing is still a response: the queue retries each, then its DLQ keeps it.
      return await processPartialResponse(event, (record: SQSRecord) => processRescanRecord(record, deps), processor, { context, throwOnFullBatchFailure: false });
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

export const RESCAN_SERVICE = { serviceName: 'customs-rescan', namespace: 'Customs' } as const;

/** What a Lambda entry supplies once its environment is read: the clients. */
export type RescanClientWiring = (env: RescanEnvironment) => Omit<RescanWiring, 'env' | 'logger' | 'metrics'>;

/**
 * The rescan Lambda's entry point: logger and metrics at module scope, clients and stores built on
 * the first invocation from the environment and kept, so a warm invocation reuses them (and the
 * policy and advisory lookups they cache).
 */
export function lazyRescanHandler(wire: RescanClientWiring): RescanHandler {
  const logger = new Logger({ serviceName: RESCAN_SERVICE.serviceName });
  const metrics = new Metrics({ namespace: RESCAN_SERVICE.namespace, serviceName: RESCAN_SERVICE.serviceName });
  let rescan: RescanHandler | undefined;
  return async (event, context) => {
    if (!rescan) {
      const env = readRescanEnvironment(process.env);
      rescan = createRescanHandler(createRescanDeps({ ...wire(env), env, logger, metrics }));
    }
    return rescan(event, context);
  };
}
