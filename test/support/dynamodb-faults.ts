import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from './dynamodb-tables.ts';

/** A PutItem (plain or through the document client) of the findings table's item with this sort key. */
export function putOfSortKey(sortKey: string): (commandName: string, input: unknown) => boolean {
  return (commandName, input) => commandName === 'PutItemCommand' && (input as { Item?: { sk?: { S?: string } } }).Item?.sk?.S === sortKey;
}

/**
 * A DynamoDB Local client whose first `times` matching calls fail as DynamoDB throttling does
 * (DynamoDB Local never throttles). The fault sits before the SDK's retries, so it reaches the caller
 * as it would once those are spent. `thrown` counts the faults raised.
 */
export function throttledDynamoDbClient(matches: (commandName: string, input: unknown) => boolean, times: number): { client: DynamoDBClient; thrown: () => number } {
  const client = localDynamoDbClient();
  let left = times;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (left > 0 && matches(String(context.commandName), args.input)) {
        left -= 1;
        const error = new Error('Rate of requests exceeds the allowed throughput.');
        error.name = 'ProvisionedThroughputExceededException';
        throw error;
      }
      return next(args);
    },
    { step: 'build', name: 'customsTestThrottle' },
  );
  return { client, thrown: () => times - left };
}
