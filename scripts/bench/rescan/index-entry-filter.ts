import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';

export interface DroppedEntries {
  count: number;
}

/**
 * Drops, on their way to DynamoDB Local, the package index puts (`PKG#…` items in BatchWriteItem)
 * whose partition is not in `kept`, and counts them. The bench stores its affected images through
 * the real save path with this in front: at DynamoDB Local's write rate, all 300 entries of 1,000
 * images would take most of the bench's time, and neither the fan-out (which reads only the
 * changed keys' partitions) nor the rescan (which writes only entries its scan did not have) ever
 * reads the others. What a push's index writes cost is the pipeline bench's.
 */
export function dropIndexEntries(client: DynamoDBClient, kept: ReadonlySet<string>, dropped: DroppedEntries): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as { RequestItems: Record<string, WriteRequest[]> };
      const requestItems: Record<string, WriteRequest[]> = {};
      for (const [table, requests] of Object.entries(input.RequestItems)) {
        const left = requests.filter((request) => {
          // The document client's items are plain here (it marshals just before serializing), a raw client's AttributeValues.
          const value = (request.PutRequest?.Item as Record<string, unknown> | undefined)?.pk;
          const pk = typeof value === 'string' ? value : (value as { S?: string } | undefined)?.S;
          const drop = pk !== undefined && pk.startsWith('PKG#') && !kept.has(pk);
          if (drop) dropped.count++;
          return !drop;
        });
        if (left.length > 0) requestItems[table] = left;
      }
      // Nothing left to send: answer as DynamoDB does when every item was written.
      if (Object.keys(requestItems).length === 0) return { output: { UnprocessedItems: {}, $metadata: {} }, response: {} } as Awaited<ReturnType<typeof next>>;
      return next({ ...args, input: { ...input, RequestItems: requestItems } });
    },
    { step: 'initialize', name: 'benchDropIndexEntries' },
  );
}
