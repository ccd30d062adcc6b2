import type { ImageListing, StorePage } from '../../core/api/api-ports.ts';
import type { ImageState, RepositoryKey } from '../../core/pipeline/model.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { repoIndexPk } from './findings-keys.ts';
import { imageItemSchema } from './image-items.ts';
import { queryPage, startKey } from './query-page.ts';

/** What an ExclusiveStartKey of gsi1 holds: the index key and the table key. */
const GSI1_KEY = ['gsi1pk', 'gsi1sk', 'pk', 'sk'] as const;

/**
 * A repository's image states a page at a time, newest push first: a Query of `gsi1`
 * (`gsi1pk = REPO#<account>#<region>#<repo>`, descending by `<pushedAt ISO>#<digest>`), the items
 * read with the image state store's own codec. Deleted images are listed too (with `deletedAt`):
 * which to show is the caller's choice. The position is the last item's key; one given back is
 * checked to be a key of this repository's partition before DynamoDB sees it.
 */
export class DynamoDbImageListing implements ImageListing {
  constructor(private readonly options: DynamoDbTableOptions) {}

  async page(repository: RepositoryKey, limit: number, position: unknown): Promise<StorePage<ImageState>> {
    const pk = repoIndexPk(repository);
    const page = await queryPage(
      this.options.client,
      { TableName: this.options.tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ScanIndexForward: false },
      GSI1_KEY,
      limit,
      startKey(position, GSI1_KEY, { attribute: 'gsi1pk', value: pk }, `the images of ${repository.repository}`),
    );
    return { items: page.items.map((item) => imageItemSchema.parse(item)), ...(page.next ? { next: page.next } : {}) };
  }
}
