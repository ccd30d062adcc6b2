import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { TableSchema } from '../../lambdas/adapters/dynamodb/table-schema.ts';

/** A client for the suite's DynamoDB Local (credentials are not checked there, but must be present). */
export function localDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** Creates a table with the schema under a unique name, so test files never share state. */
export async function createLocalTable(client: DynamoDBClient, schema: TableSchema, prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID()}`;
  const keys = new Set([schema.partitionKey, schema.sortKey, ...schema.indexes.flatMap((index) => [index.partitionKey, index.sortKey])]);
  const input: CreateTableCommandInput = {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keys].map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: schema.partitionKey, KeyType: 'HASH' },
      { AttributeName: schema.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: schema.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
  await client.send(new CreateTableCommand(input));
  return name;
}
