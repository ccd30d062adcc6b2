import { lazyScanHandler } from './scan-image/lazy-scan-handler.ts';
import { createScannerClients } from './scan-image/scanner-deps.ts';

/**
 * The scanner Lambda: SQS (ECR events from EventBridge) → scan-image → DynamoDB and S3, with
 * ReportBatchItemFailures. Logger and metrics live at module scope; clients and the ECR login cache
 * are built on the first invocation, from the environment, and reused while warm.
 */
export const handler = lazyScanHandler((env) => ({ clients: createScannerClients(env.region) }));
