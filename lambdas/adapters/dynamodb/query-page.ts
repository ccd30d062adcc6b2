import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { PageTokenError } from '../../core/api/page-token.ts';

/** A page of a Query and, when more items follow, the key to continue after (an ExclusiveStartKey). */
export interface QueryPage {
  readonly items: Record<string, unknown>[];
  readonly next?: Record<string, string>;
}

/**
 * Up to `limit` items of a query from `start`. One item more is asked for, so the last page is known
 * as such (DynamoDB's own LastEvaluatedKey would often send callers to an empty page), and the
 * position handed back is the key attributes of the last item returned: exactly what DynamoDB would
 * continue from. Pages DynamoDB cuts at 1 MB are followed until the page is full.
 */
export async function queryPage(client: DynamoDBDocumentClient, input: QueryCommandInput, keyAttributes: readonly string[], limit: number, start: Record<string, string> | undefined): Promise<QueryPage> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a page holds at least one item, not ${String(limit)}`);
  const items: Record<string, unknown>[] = [];
  let from: Record<string, unknown> | undefined = start;
  do {
    const page = await client.send(new QueryCommand({ ...input, Limit: limit + 1 - items.length, ...(from ? { ExclusiveStartKey: from } : {}) }));
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    from = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (from && items.length <= limit);
  if (items.length <= limit) return { items };
  const kept = items.slice(0, limit);
  const last = kept[kept.length - 1]!;
  return { items: kept, next: Object.fromEntries(keyAttributes.map((name) => [name, z.string().parse(last[name])])) };
}

/**
 * A position given back (from a verified page token, but still input read from the network): the
 * exact key attributes, strings, with the partition the query reads. Anything else is refused as
 * the token that carried it would be (the API answers 400 naming `nextToken`).
 */
export function startKey(position: unknown, keyAttributes: readonly string[], partition: { readonly attribute: string; readonly value: string }, what: string): Record<string, string> | undefined {
  if (position === undefined || position === null) return undefined;
  const schema = z.strictObject(Object.fromEntries(keyAttributes.map((name) => [name, z.string().min(1).max(1024)])));
  const parsed = schema.safeParse(position);
  if (!parsed.success || parsed.data[partition.attribute] !== partition.value) throw new PageTokenError(`nextToken does not continue ${what}`);
  return parsed.data as Record<string, string>;
}

