import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { RunnerResult } from './lambda-config.ts';

/**
 * Runs the bundled handler the way Lambda's Node.js runtime would, in a fresh process (pinned to one
 * CPU by the bench): init is the time from process start until the handler module is loaded, then
 * each event is one invocation. Everything the handler writes to stdout is kept per invocation (it
 * is what CloudWatch Logs would ingest) instead of being printed. CPU time is kept beside wall time:
 * the wall time includes waiting on the local stand-ins, which are not as fast as the services. Argv: handler bundle, events JSON
 * (an array of SQS events), result file.
 */
const [bundle, eventsFile, resultFile] = process.argv.slice(2);
if (!bundle || !eventsFile || !resultFile) throw new Error('usage: lambda-runner BUNDLE EVENTS RESULT');

let lines: string[] = [];
let partial = '';
process.stdout.write = ((chunk: string | Uint8Array): boolean => {
  partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  const parts = partial.split('\n');
  partial = parts.pop() ?? '';
  lines.push(...parts);
  return true;
}) as typeof process.stdout.write;
const take = (): string[] => {
  const taken = partial ? [...lines, partial] : lines;
  lines = [];
  partial = '';
  return taken;
};

const loaded = (await import(pathToFileURL(bundle).href)) as { handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> };
const initMs = performance.now();
const initCpu = process.cpuUsage();
const initLogLines = take();
const events = JSON.parse(readFileSync(eventsFile, 'utf8')) as SQSEvent[];
const invocations: RunnerResult['invocations'] = [];
for (const [index, event] of events.entries()) {
  const context = { functionName: 'customs-scanner', awsRequestId: `bench-${index}`, memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '1769' } as unknown as Context;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const response = await loaded.handler(event, context);
  const used = process.cpuUsage(cpu);
  invocations.push({ durationMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000, failures: response.batchItemFailures.length, logLines: take() });
}
writeFileSync(resultFile, JSON.stringify({ initMs, initCpuMs: (initCpu.user + initCpu.system) / 1000, initLogLines, invocations } satisfies RunnerResult));
