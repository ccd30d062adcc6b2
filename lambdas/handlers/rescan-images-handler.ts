import { createRescanClients } from './rescan-images/rescan-deps.ts';
import { lazyRescanHandler } from './rescan-images/rescan-handler.ts';

/**
 * The rescan Lambda: SQS (`customs.rescan/v1` messages from the advisory sync's fan-out) →
 * rescanImages → DynamoDB, with ReportBatchItemFailures. Logger and metrics live at module scope;
 * clients are built on the first invocation, from the environment, and reused while warm.
 */
export const handler = lazyRescanHandler((env) => ({ clients: createRescanClients(env.region) }));
