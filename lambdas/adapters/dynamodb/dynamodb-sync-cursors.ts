import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { EcosystemCursor } from '../../core/advisories/sync-model.ts';
import { CustomsError } from '../../core/errors.ts';
import type { SyncCursorStore } from '../../core/ports.ts';

export const SYNC_CURSOR_PK = 'SYNC#CURSOR';
const CURSOR_PREFIX = 'ECOSYSTEM#';

const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const progressSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('full'), syncId: z.string().min(1), entriesDone: z.number().int().nonnegative(), startedAt: isoDate, listedThrough: isoDate.optional() }),
  z.object({ phase: z.literal('incremental'), syncId: z.string().min(1), since: isoDate, idsDone: z.number().int().nonnegative(), startedAt: isoDate }),
]);
const cursorItemSchema = z.object({
  ecosystem: z.object({ S: z.string().min(1) }),
  revision: z.object({ N: z.string().regex(/^\d+$/) }),
  modifiedThrough: z.object({ S: isoDate }).optional(),
  fullLoadAt: z.object({ S: isoDate }).optional(),
  syncedAt: z.object({ S: isoDate }).optional(),
  progress: z.object({ S: z.string() }).optional(),
});

/**
 * Each ecosystem's sync cursor as one item `pk = SYNC#CURSOR`, `sk = ECOSYSTEM#<base>` on the
 * advisory table (so `list` is one Query, for the cursor-age alarm). A put is conditional on the
 * revision read, and writes the next one, so a writer that lost its lease cannot move a cursor
 * another has moved since. Items are untrusted: one that does not match the schema is an error
 * naming it, never read as "no cursor" (that would start a full load over).
 */
export class DynamoDbSyncCursors implements SyncCursorStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async get(ecosystem: string): Promise<EcosystemCursor | undefined> {
    const output = await this.client.send(new GetItemCommand({ TableName: this.table, Key: key(ecosystem), ConsistentRead: true }));
    return output.Item ? readCursor(output.Item, ecosystem) : undefined;
  }

  async put(cursor: Omit<EcosystemCursor, 'revision'>, expectedRevision: number | undefined): Promise<boolean> {
    const revision = (expectedRevision ?? 0) + 1;
    const item: Record<string, AttributeValue> = {
      ...key(cursor.ecosystem),
      ecosystem: { S: cursor.ecosystem },
      revision: { N: String(revision) },
      ...(cursor.modifiedThrough ? { modifiedThrough: { S: cursor.modifiedThrough.toISOString() } } : {}),
      ...(cursor.fullLoadAt ? { fullLoadAt: { S: cursor.fullLoadAt.toISOString() } } : {}),
      ...(cursor.syncedAt ? { syncedAt: { S: cursor.syncedAt.toISOString() } } : {}),
      ...(cursor.progress ? { progress: { S: JSON.stringify(cursor.progress) } } : {}),
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: item,
          ...(expectedRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'revision = :expected', ExpressionAttributeValues: { ':expected': { N: String(expectedRevision) } } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async list(): Promise<readonly EcosystemCursor[]> {
    const cursors: EcosystemCursor[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: SYNC_CURSOR_PK }, ':prefix': { S: CURSOR_PREFIX } },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) cursors.push(readCursor(item, item.sk?.S?.slice(CURSOR_PREFIX.length) ?? ''));
      start = page.LastEvaluatedKey;
    } while (start);
    return cursors;
  }
}

function key(ecosystem: string): Record<string, AttributeValue> {
  return { pk: { S: SYNC_CURSOR_PK }, sk: { S: `${CURSOR_PREFIX}${ecosystem}` } };
}

function readCursor(item: Record<string, AttributeValue>, ecosystem: string): EcosystemCursor {
  const what = `advisory table: sync cursor ${JSON.stringify(ecosystem)}`;
  const parsed = cursorItemSchema.safeParse(item);
  if (!parsed.success) throw new CustomsError('malformed', `${what} is not a cursor: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`);
  const { data } = parsed;
  if (data.ecosystem.S !== ecosystem) throw new CustomsError('malformed', `${what} names ${JSON.stringify(data.ecosystem.S)}`);
  let progress: EcosystemCursor['progress'];
  if (data.progress) {
    let json: unknown;
    try {
      json = JSON.parse(data.progress.S);
    } catch {
      throw new CustomsError('malformed', `${what} has progress that is not JSON`);
    }
    const result = progressSchema.safeParse(json);
    if (!result.success) throw new CustomsError('malformed', `${what} has malformed progress: ${result.error.issues[0]?.path.join('.') ?? ''} ${result.error.issues[0]?.message ?? ''}`);
    const value = result.data;
    progress = value.phase === 'full' ? { phase: 'full', syncId: value.syncId, entriesDone: value.entriesDone, startedAt: value.startedAt, ...(value.listedThrough ? { listedThrough: value.listedThrough } : {}) } : value;
  }
  return {
    ecosystem,
    revision: Number(data.revision.N),
    ...(data.modifiedThrough ? { modifiedThrough: data.modifiedThrough.S } : {}),
    ...(data.fullLoadAt ? { fullLoadAt: data.fullLoadAt.S } : {}),
    ...(data.syncedAt ? { syncedAt: data.syncedAt.S } : {}),
    ...(progress ? { progress } : {}),
  };
}
