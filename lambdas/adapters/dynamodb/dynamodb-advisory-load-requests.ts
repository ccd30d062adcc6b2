import { QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { AdvisoryLoadRequest } from '../../core/pipeline/model.ts';
import type { AdvisoryLoadRequests } from '../../core/ports.ts';
import { LOAD_REQUEST_PK, LOAD_REQUEST_PREFIX, loadRequestSk } from './advisory-load-request-keys.ts';

const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const requestItemSchema = z.object({
  ecosystem: z.object({ S: z.string().min(1) }),
  firstRequestedAt: z.object({ S: isoDate }),
  lastRequestedAt: z.object({ S: isoDate }),
  count: z.object({ N: z.string().regex(/^\d+$/) }),
});

/**
 * Load requests as items `pk = LOAD_REQUEST`, `sk = ECOSYSTEM#<name>` on the advisory table. A
 * request is one UpdateItem per ecosystem that creates or refreshes the item (first time kept with
 * if_not_exists, the count added to), so concurrent and repeated requests converge on one item.
 * Listing reads the partition whole; an item that does not match the schema is left out rather
 * than trusted (the scan that needs it asks again).
 */
export class DynamoDbAdvisoryLoadRequests implements AdvisoryLoadRequests {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async request(ecosystems: readonly string[], at: Date): Promise<void> {
    const when = at.toISOString();
    await Promise.all(
      [...new Set(ecosystems)].map((ecosystem) =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: { pk: { S: LOAD_REQUEST_PK }, sk: { S: loadRequestSk(ecosystem) } },
            UpdateExpression: 'SET ecosystem = :ecosystem, firstRequestedAt = if_not_exists(firstRequestedAt, :at), lastRequestedAt = :at ADD #count :one',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':ecosystem': { S: ecosystem }, ':at': { S: when }, ':one': { N: '1' } },
          }),
        ),
      ),
    );
  }

  async list(): Promise<readonly AdvisoryLoadRequest[]> {
    const requests: AdvisoryLoadRequest[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: LOAD_REQUEST_PK }, ':prefix': { S: LOAD_REQUEST_PREFIX } },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = requestItemSchema.safeParse(item);
        if (!parsed.success) continue;
        const { ecosystem, firstRequestedAt, lastRequestedAt, count } = parsed.data;
        requests.push({ ecosystem: ecosystem.S, firstRequestedAt: firstRequestedAt.S, lastRequestedAt: lastRequestedAt.S, count: Number(count.N) });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return requests.sort((a, b) => (a.ecosystem < b.ecosystem ? -1 : a.ecosystem > b.ecosystem ? 1 : 0));
  }
}
