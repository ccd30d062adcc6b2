import type { RepositoryEntry } from '../../core/pipeline/model.ts';
import type { RepositoryCatalogue } from '../../core/ports.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { CATALOGUE_PK } from './findings-keys.ts';
import { catalogueItemSchema } from './image-items.ts';
import { queryAll } from './query-all.ts';

/**
 * The repository catalogue: one item per repository under `CATALOGUE`, counted by the image state
 * store in the same transaction that creates (or deletes) an image, so counts never drift.
 */
export class DynamoDbRepositoryCatalogue implements RepositoryCatalogue {
  constructor(private readonly options: DynamoDbTableOptions) {}

  async list(): Promise<readonly RepositoryEntry[]> {
    const items = await queryAll(this.options.client, { TableName: this.options.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': CATALOGUE_PK } });
    return items.map((item) => catalogueItemSchema.parse(item));
  }
}
