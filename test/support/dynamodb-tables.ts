import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { TableSchema } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { createTableInput } from '../../lambdas/local/stack/local-tables.ts';

/** A client for the suite's DynamoDB Local (credentials are not checked there, but must be present). */
export function localDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** Creates a table with the schema under a unique name, so test files never share state. */
export async function createLocalTable(client: DynamoDBClient, schema: TableSchema, prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID()}`;
  const input = createTableInput(schema, name);
  await client.send(new CreateTableCommand(input));
  return name;
}
