import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createScanHandler, type ScanHandler } from './scan-handler.ts';
import { createScannerDeps, type ScannerWiring } from './scanner-deps.ts';
import { readScannerEnvironment, type ScannerEnvironment } from './scanner-environment.ts';

/** What a Lambda entry supplies once its environment is read: the clients (and, off AWS, a stand-in's login endpoint). */
export type ScannerClientWiring = (env: ScannerEnvironment) => Omit<ScannerWiring, 'env' | 'logger' | 'metrics'>;

/**
 * The scanner's Lambda entry point: logger and metrics at module scope, clients, stores and the ECR
 * login cache built on the first invocation from the environment and kept, so a warm invocation
 * reuses them. The deployed handler and the bench's bundle differ only in `wire`.
 */
export function lazyScanHandler(wire: ScannerClientWiring): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const logger = new Logger({ serviceName: 'customs-scanner' });
  const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-scanner' });
  let scan: ScanHandler | undefined;
  return async (event, context) => {
    if (!scan) {
      const env = readScannerEnvironment(process.env);
      scan = createScanHandler(createScannerDeps({ ...wire(env), env, logger, metrics }));
    }
    return scan(event, context);
  };
}
