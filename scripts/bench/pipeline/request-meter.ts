import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Counts what a run asks of AWS, per service and operation (the table's role for DynamoDB), with
 * the request units the bench computes and, beside them, what DynamoDB Local reported.
 */
export interface MeterLine {
  readonly service: 'DynamoDB' | 'S3' | 'SQS' | 'ECR';
  /** Operation, and for DynamoDB the table's role: `Query advisories`. */
  readonly operation: string;
  calls: number;
  /** Billed requests where they differ from calls (SQS: one per 64 KB chunk of payload). */
  billedRequests: number;
  readUnits: number;
  writeUnits: number;
  /** Of writeUnits: the GSI copies. */
  indexWriteUnits: number;
  /** Sum of ReturnConsumedCapacity's CapacityUnits where DynamoDB Local returned it. */
  localReportedUnits: number;
  /** Calls DynamoDB Local answered without ConsumedCapacity (errors, some batch answers). */
  localUnreported: number;
  /** Items read or written, and their bytes (DynamoDB); object bytes (S3 PUT). */
  items: number;
  bytes: number;
}

export class RequestMeter {
  private readonly lines = new Map<string, MeterLine>();

  line(service: MeterLine['service'], operation: string): MeterLine {
    const key = `${service} ${operation}`;
    let line = this.lines.get(key);
    if (!line) {
      line = { service, operation, calls: 0, billedRequests: 0, readUnits: 0, writeUnits: 0, indexWriteUnits: 0, localReportedUnits: 0, localUnreported: 0, items: 0, bytes: 0 };
      this.lines.set(key, line);
    }
    return line;
  }

  /** What was counted since the last take, in a stable order; the meter starts again from zero. */
  take(): MeterLine[] {
    const taken = [...this.lines.values()].sort((a, b) => (a.service + a.operation < b.service + b.operation ? -1 : 1));
    this.lines.clear();
    return taken;
  }
}

const SQS_CHUNK = 64 * 1024;

/** Counts each S3 call; a PUT's body bytes are what a month of storage is priced on. */
export function meterS3(client: S3Client, meter: RequestMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const line = meter.line('S3', operationOf(context.commandName));
      line.calls++;
      line.billedRequests++;
      const body = (args.input as { Body?: unknown }).Body;
      if (body instanceof Uint8Array) line.bytes += body.byteLength;
      else if (typeof body === 'string') line.bytes += Buffer.byteLength(body);
      return next(args);
    },
    { step: 'initialize', name: 'benchMeterS3' },
  );
}

/** Counts each SQS call, billed per 64 KB chunk of the messages it carries (at least one). */
export function meterSqs(client: SQSClient, meter: RequestMeter, label = ''): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const line = meter.line('SQS', `${operationOf(context.commandName)}${label ? ` (${label})` : ''}`);
      const input = args.input as { MessageBody?: string; Entries?: { MessageBody?: string }[] };
      const output = result.output as { Messages?: { Body?: string }[] };
      const bodies = [input.MessageBody, ...(input.Entries ?? []).map((entry) => entry.MessageBody), ...(output.Messages ?? []).map((message) => message.Body)];
      const bytes = bodies.reduce((sum, body) => sum + (body ? Buffer.byteLength(body) : 0), 0);
      line.calls++;
      line.billedRequests += Math.max(1, Math.ceil(bytes / SQS_CHUNK));
      line.bytes += bytes;
      return result;
    },
    { step: 'initialize', name: 'benchMeterSqs' },
  );
}

export function operationOf(commandName: string | undefined): string {
  return (commandName ?? 'Unknown').replace(/Command$/, '');
}
