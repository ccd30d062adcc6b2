import { lazySyncHandler } from './sync-advisories/lazy-sync-handler.ts';
import { createSyncClients } from './sync-advisories/sync-deps.ts';

/**
 * The advisory sync Lambda: EventBridge Scheduler's input (asynchronous) or the continuation queue
 * (SQS, ReportBatchItemFailures) → syncAdvisories → a continuation or the rescan fan-out. Logger and
 * metrics live at module scope; clients are built on the first invocation and reused while warm.
 */
export const handler = lazySyncHandler((env) => ({ clients: createSyncClients(env.region) }));
