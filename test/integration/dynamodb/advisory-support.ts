import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject, vi } from 'vitest';
import { CollectingAdvisoryStore } from '../../../lambdas/adapters/dynamodb/advisory-collecting-store.ts';
import { loadAdvisories } from '../../../lambdas/adapters/osv/load-advisories.ts';
import { runCli, type CliRun } from '../../support/cli.ts';

/** The CLI reads credentials the SDK's way; DynamoDB Local accepts any. */
export function stubLocalCredentials(): void {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_REGION', 'us-east-1');
}

export function loadWithCli(table: string, sources: readonly string[], ...options: string[]): Promise<CliRun> {
  return runCli(['advisories', 'load', '--table', table, ...sources.flatMap((source) => ['--source', source]), '--endpoint', inject('dynamodbEndpoint'), '--region', 'us-east-1', ...options]);
}

/** Records of a source as the loader offers them to the table (and as the CLI scan would hold them). */
export async function collect(source: string): Promise<CollectingAdvisoryStore> {
  const store = new CollectingAdvisoryStore();
  await loadAdvisories(source, store, { ecosystems: [] });
  return store;
}

/** Every item of a (small) test table, keyed `pk sk`, with the freshness items' load time blanked. */
export async function tableState(client: DynamoDBClient, table: string): Promise<Map<string, Record<string, AttributeValue>>> {
  const items = new Map<string, Record<string, AttributeValue>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of page.Items ?? []) {
      const { loadedAt: _loadedAt, ...rest } = item;
      items.set(`${item.pk?.S} ${item.sk?.S}`, rest);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
