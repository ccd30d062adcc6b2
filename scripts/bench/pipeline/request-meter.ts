import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';

/**
 * Counts what a run asks of AWS, per service and operation (the table's role for DynamoDB), with
 * the request units the bench computes and, beside them, what DynamoDB Local reported.
 */
export interface MeterLine {
  readonly service: 'DynamoDB' | 'S3' | 'SQS' | 'ECR' | 'SNS' | 'EventBridge' | 'SSM';
  /** Operation, and for DynamoDB the table's role: `Query advisories`. */
  readonly operation: string;
  /** The step of the invocation the calls were made in: `scan`, or `verdict` (judging and announcing). */
  readonly phase: string;
  calls: number;
  /** Billed requests where they differ from calls (SQS, SNS: one per 64 KB chunk of a request's payload; EventBridge: of each entry). */
  billedRequests: number;
  readUnits: number;
  writeUnits: number;
  /** Of writeUnits: the GSI copies. */
  indexWriteUnits: number;
  /** Sum of ReturnConsumedCapacity's CapacityUnits where DynamoDB Local returned it. */
  localReportedUnits: number;
  /** Calls DynamoDB Local answered without ConsumedCapacity (errors, some batch answers). */
  localUnreported: number;
  /** Items read or written, and their bytes (DynamoDB); object bytes (S3 PUT); messages or events and their bytes as the service sizes them (SNS, EventBridge). */
  items: number;
  bytes: number;
  /** What was sent, counted by kind: SNS messages by `eventType` attribute, EventBridge entries by detail type. */
  readonly kinds: Record<string, number>;
}

export const SCAN_PHASE = 'scan';
export const VERDICT_PHASE = 'verdict';

export class RequestMeter {
  private readonly lines = new Map<string, MeterLine>();
  private phase = SCAN_PHASE;

  line(service: MeterLine['service'], operation: string): MeterLine {
    const key = `${this.phase} ${service} ${operation}`;
    let line = this.lines.get(key);
    if (!line) {
      line = { service, operation, phase: this.phase, calls: 0, billedRequests: 0, readUnits: 0, writeUnits: 0, indexWriteUnits: 0, localReportedUnits: 0, localUnreported: 0, items: 0, bytes: 0, kinds: {} };
      this.lines.set(key, line);
    }
    return line;
  }

  /**
   * Runs `work` with every call it makes counted under `phase`. The handler runs one step at a
   * time (one record per invocation), so a call made meanwhile is that step's.
   */
  async during<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const before = this.phase;
    this.phase = phase;
    try {
      return await work();
    } finally {
      this.phase = before;
    }
  }

  /** What was counted since the last take, in a stable order (the scan's calls first); the meter starts again from zero. */
  take(): MeterLine[] {
    const order = (line: MeterLine): string => `${line.phase === SCAN_PHASE ? 0 : 1}${line.phase} ${line.service} ${line.operation}`;
    const taken = [...this.lines.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1));
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

/**
 * Counts each SNS publish: PublishBatch is billed like Publish, one request per 64 KB chunk of
 * the request's published data (message, subject and attributes), so a batch of small messages is
 * one request. Messages are counted by their `eventType` attribute.
 */
export function meterSns(client: SNSClient, meter: RequestMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const operation = operationOf(context.commandName);
      const input = args.input as { Message?: string; Subject?: string; MessageAttributes?: Record<string, MessageAttributeValue>; PublishBatchRequestEntries?: { Message?: string; Subject?: string; MessageAttributes?: Record<string, MessageAttributeValue> }[] };
      const messages = operation === 'PublishBatch' ? (input.PublishBatchRequestEntries ?? []) : operation === 'Publish' ? [input] : [];
      const line = meter.line('SNS', operation);
      const bytes = messages.reduce((sum, message) => sum + publishedBytes(message), 0);
      line.calls++;
      line.billedRequests += Math.max(1, Math.ceil(bytes / SNS_CHUNK));
      line.items += messages.length;
      line.bytes += bytes;
      for (const message of messages) count(line, message.MessageAttributes?.eventType?.StringValue ?? 'no eventType');
      return result;
    },
    { step: 'initialize', name: 'benchMeterSns' },
  );
}

const SNS_CHUNK = 64 * 1024;
const EVENT_CHUNK = 64 * 1024;

function publishedBytes(message: { Message?: string; Subject?: string; MessageAttributes?: Record<string, MessageAttributeValue> }): number {
  let bytes = Buffer.byteLength(message.Message ?? '') + Buffer.byteLength(message.Subject ?? '');
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '') + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}

/** Counts each PutEvents entry, billed per 64 KB chunk of the entry as EventBridge sizes it, by detail type. */
export function meterEventBridge(client: EventBridgeClient, meter: RequestMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const line = meter.line('EventBridge', operationOf(context.commandName));
      const entries = (args.input as { Entries?: PutEventsRequestEntry[] }).Entries ?? [];
      line.calls++;
      for (const entry of entries) {
        const bytes = eventEntryBytes(entry);
        line.billedRequests += Math.max(1, Math.ceil(bytes / EVENT_CHUNK));
        line.items++;
        line.bytes += bytes;
        count(line, entry.DetailType ?? 'no detail type');
      }
      return result;
    },
    { step: 'initialize', name: 'benchMeterEventBridge' },
  );
}

/** EventBridge's documented entry size: 14 bytes for Time, then Source, DetailType, Detail and each resource in UTF-8. */
function eventEntryBytes(entry: PutEventsRequestEntry): number {
  let bytes = entry.Time ? 14 : 0;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) bytes += Buffer.byteLength(text ?? '');
  return bytes;
}

/** Counts each SSM call and the bytes of the parameter values it returned; standard-throughput calls are not billed. */
export function meterSsm(client: SSMClient, meter: RequestMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const line = meter.line('SSM', operationOf(context.commandName));
      const output = result.output as { Parameter?: { Value?: string }; Parameters?: { Value?: string }[] };
      const parameters = [...(output.Parameter ? [output.Parameter] : []), ...(output.Parameters ?? [])];
      line.calls++;
      line.items += parameters.length;
      line.bytes += parameters.reduce((sum, parameter) => sum + Buffer.byteLength(parameter.Value ?? ''), 0);
      return result;
    },
    { step: 'initialize', name: 'benchMeterSsm' },
  );
}

function count(line: MeterLine, kind: string): void {
  line.kinds[kind] = (line.kinds[kind] ?? 0) + 1;
}

export function operationOf(commandName: string | undefined): string {
  return (commandName ?? 'Unknown').replace(/Command$/, '');
}
