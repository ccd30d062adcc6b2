import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createScanHandler, type ScanHandler } from './scan-image/scan-handler.ts';
import { createScannerClients, createScannerDeps } from './scan-image/scanner-deps.ts';
import { readScannerEnvironment } from './scan-image/scanner-environment.ts';

/**
 * The scanner Lambda: SQS (ECR events from EventBridge) → scan-image → DynamoDB and S3, with
 * ReportBatchItemFailures. Logger, metrics, clients and the ECR login cache live at module scope, so
 * a warm invocation reuses them; they are built on the first invocation, from the environment.
 */
const logger = new Logger({ serviceName: 'customs-scanner' });
const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-scanner' });
let scan: ScanHandler | undefined;

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  if (!scan) {
    const env = readScannerEnvironment(process.env);
    scan = createScanHandler(createScannerDeps({ env, clients: createScannerClients(env.region), logger, metrics }));
  }
  return scan(event, context);
}
