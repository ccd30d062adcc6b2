import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ActionEntry, ActionLog, StorePage } from '../../core/api/api-ports.ts';
import type { RepositoryKey } from '../../core/pipeline/model.ts';
import { ACTIONS_PK, actionItem, readAction, repositoryActionsPk } from './action-items.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { queryPage, startKey } from './query-page.ts';

const TABLE_KEY = ['pk', 'sk'] as const;

/**
 * The action log in the findings table (action-items.ts). An entry with a repository is written to
 * both partitions in one transaction, so the registry-wide list and the repository's never
 * disagree; recording the same id and time again (the outcome after the act) puts the same items,
 * so a retry or a crash between the two records leaves one entry, never two.
 */
export class DynamoDbActionLog implements ActionLog {
  constructor(private readonly options: DynamoDbTableOptions) {}

  async record(entry: ActionEntry): Promise<void> {
    const all = actionItem(ACTIONS_PK, entry);
    if (!entry.repository) {
      await this.options.client.send(new PutCommand({ TableName: this.options.tableName, Item: all }));
      return;
    }
    await this.options.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.options.tableName, Item: all } },
          { Put: { TableName: this.options.tableName, Item: actionItem(repositoryActionsPk(entry.repository), entry) } },
        ],
      }),
    );
  }

  async page(repository: RepositoryKey | undefined, limit: number, position: unknown): Promise<StorePage<ActionEntry>> {
    const pk = repository ? repositoryActionsPk(repository) : ACTIONS_PK;
    const page = await queryPage(
      this.options.client,
      { TableName: this.options.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ScanIndexForward: false },
      TABLE_KEY,
      limit,
      startKey(position, TABLE_KEY, { attribute: 'pk', value: pk }, repository ? `the actions of ${repository.repository}` : 'the actions'),
    );
    return { items: page.items.map(readAction), ...(page.next ? { next: page.next } : {}) };
  }
}
