import type { ACCESS_LOG_FIELDS } from '../../../lib/constructs/findings-api.ts';
import { parseConfig } from '../../../lib/config/customs-config.ts';
import { PRICE_REGION, PRICES_AS_OF, type Price } from '../pipeline/price-table.ts';

/**
 * What the findings API adds to the pipeline bench's price table (same region and date): API
 * Gateway HTTP API requests, metered in 512 KB increments of a request and of its response.
 */
export const API_PRICES = {
  httpApiRequest: { usd: 1.0 / 1e6, per: 'HTTP API request (first 300 million a month; each 512 KB increment)', source: 'https://aws.amazon.com/api-gateway/pricing/' },
} as const satisfies Record<string, Price>;
export { PRICE_REGION, PRICES_AS_OF };

export const HTTP_API_INCREMENT = 512 * 1024;

/** The stack's defaults: the API Lambda's memory (config `api.memoryMiB`). */
export const API_MEMORY_MB = parseConfig({}).api.memoryMiB;
/** 1,769 MB is one vCPU ([Lambda memory](https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)); below it the CPU share shrinks in proportion. */
export const VCPU_SHARE = Math.min(1, API_MEMORY_MB / 1769);

/** Billed HTTP API requests for one call: the larger of the request and the response, in 512 KB increments. */
export const billedApiRequests = (requestBytes: number, responseBytes: number): number => Math.max(1, Math.ceil(Math.max(requestBytes, responseBytes) / HTTP_API_INCREMENT));

/**
 * The bytes CloudWatch Logs ingests for one access log line (the stage's JSON format with
 * representative values, plus 26 bytes of event overhead); the handler itself logs only errors and
 * the function's platform lines are off (system log level WARN).
 */
export function accessLogBytes(route: string, status: number, responseBytes: number, latencyMs: number): number {
  const values: Record<keyof typeof ACCESS_LOG_FIELDS, string> = {
    requestId: 'Xa1bCdEfIAMEJmQ=',
    requestTime: String(Date.UTC(2026, 11, 1)),
    caller: 'arn:aws:sts::123456789012:assumed-role/ci-payments-deploy/GitHubActions',
    accountId: '123456789012',
    sourceIp: '203.0.113.10',
    route,
    status: String(status),
    latency: String(Math.round(latencyMs)),
    integrationLatency: String(Math.round(latencyMs)),
    responseLength: String(responseBytes),
    error: '-',
    integrationError: '-',
  };
  return Buffer.byteLength(JSON.stringify(values)) + 26;
}
