import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lazyHandler } from '../shared/lazy-handler.ts';
import { sqsBatchHandler } from '../shared/sqs-batch-handler.ts';
import { processRescanRecord, type RescanRecordDeps } from './process-rescan-record.ts';
import { createRescanDeps, type RescanWiring } from './rescan-deps.ts';
import { readRescanEnvironment, type RescanEnvironment } from './rescan-environment.ts';

export type RescanHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The rescan's SQS handler: each record on its own, failures reported per record, metrics flushed per batch (shared/sqs-batch-handler.ts). */
export function createRescanHandler(deps: RescanRecordDeps): RescanHandler {
  return sqsBatchHandler(deps, () => (record) => processRescanRecord(record, deps));
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
  return lazyHandler(RESCAN_SERVICE, (tools) => {
    const env = readRescanEnvironment(process.env);
    return createRescanHandler(createRescanDeps({ ...wire(env), env, ...tools }));
  });
}
