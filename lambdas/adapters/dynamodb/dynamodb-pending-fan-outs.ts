import { DeleteItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { CustomsError } from '../../core/errors.ts';
import type { PendingFanOuts } from '../../core/ports.ts';

export const PENDING_FAN_OUT_PK = 'SYNC#FANOUT';
const SYNC_PREFIX = 'SYNC#';
/** As long as the change sets live (the bucket's lifecycle rule): past that there is nothing left to fan out. */
const DEFAULT_RETENTION_MS = 15 * 86_400_000;

const markSchema = z.object({
  sk: z.object({ S: z.string().startsWith(SYNC_PREFIX).min(SYNC_PREFIX.length + 1) }),
  syncId: z.object({ S: z.string().min(1) }),
  openedAt: z.object({ S: z.iso.datetime({ offset: true }) }),
});

export interface PendingFanOutsOptions {
  /** DynamoDB TTL removes a mark this long after it was opened. Default 15 days. */
  readonly retentionMs?: number;
}

/**
 * Pending fan-outs as items `pk = SYNC#FANOUT`, `sk = SYNC#<syncId>` on the advisory table (one
 * partition, so `list` is one Query; there are only ever a few). Opening is an update that keeps
 * the first `openedAt`, so it may be repeated by every run that continues the sync; closing is a
 * delete. An item that does not match the schema is an error naming it, never skipped: skipping
 * would drop that sync's rescans.
 */
export class DynamoDbPendingFanOuts implements PendingFanOuts {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly options: PendingFanOutsOptions = {},
  ) {}

  async open(syncId: string, at: Date): Promise<void> {
    const expiresAt = Math.ceil((at.getTime() + (this.options.retentionMs ?? DEFAULT_RETENTION_MS)) / 1000);
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: key(syncId),
        UpdateExpression: 'SET syncId = :syncId, openedAt = if_not_exists(openedAt, :at), expiresAt = if_not_exists(expiresAt, :ttl)',
        ExpressionAttributeValues: { ':syncId': { S: syncId }, ':at': { S: at.toISOString() }, ':ttl': { N: String(expiresAt) } },
      }),
    );
  }

  async list(): Promise<readonly string[]> {
    const marks: { syncId: string; openedAt: string }[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: PENDING_FAN_OUT_PK } },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) marks.push(readMark(item));
      start = page.LastEvaluatedKey;
    } while (start);
    // ISO instants of one format sort as strings; the syncId breaks ties (it starts with its start time).
    return marks.sort((a, b) => (a.openedAt === b.openedAt ? compare(a.syncId, b.syncId) : compare(a.openedAt, b.openedAt))).map((mark) => mark.syncId);
  }

  async close(syncId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: key(syncId) }));
  }
}

function key(syncId: string): Record<string, AttributeValue> {
  return { pk: { S: PENDING_FAN_OUT_PK }, sk: { S: `${SYNC_PREFIX}${syncId}` } };
}

function readMark(item: Record<string, AttributeValue>): { syncId: string; openedAt: string } {
  const parsed = markSchema.safeParse(item);
  const what = `advisory table: pending fan-out ${JSON.stringify(item.sk?.S ?? '')}`;
  if (!parsed.success) throw new CustomsError('malformed', `${what} is not a pending fan-out: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`);
  const { sk, syncId, openedAt } = parsed.data;
  if (sk.S !== `${SYNC_PREFIX}${syncId.S}`) throw new CustomsError('malformed', `${what} names sync ${JSON.stringify(syncId.S)}`);
  // Normalised, so marks written with and without milliseconds or offsets still sort by time.
  return { syncId: syncId.S, openedAt: new Date(openedAt.S).toISOString() };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
