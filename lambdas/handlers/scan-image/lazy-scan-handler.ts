import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lazyHandler } from '../shared/lazy-handler.ts';
import { createScanHandler } from './scan-handler.ts';
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
  return lazyHandler({ serviceName: 'customs-scanner', namespace: 'Customs' }, (tools) => {
    const env = readScannerEnvironment(process.env);
    return createScanHandler(createScannerDeps({ ...wire(env), env, ...tools }));
  });
}
