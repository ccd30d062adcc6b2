import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * Every page of a query, for partitions that are read whole (one digest's findings, the catalogue),
 * or the first `limit` items (newest images first).
 */
export async function queryAll(client: DynamoDBDocumentClient, input: QueryCommandInput, limit = Infinity): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const left = limit - items.length;
    const page = await client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}), ...(Number.isFinite(left) ? { Limit: left } : {}) }));
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start && items.length < limit);
  return items;
}
