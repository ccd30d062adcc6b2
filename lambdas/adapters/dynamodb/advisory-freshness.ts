import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EcosystemFreshness } from '../../core/pipeline/model.ts';
import type { AdvisoryFreshness } from '../../core/ports.ts';
import { batchGet, itemKeyOf } from './advisory-batch-get.ts';
import { FRESHNESS_SK, freshnessPk } from './advisory-keys.ts';
import type { RetryOptions } from './batch-retry.ts';

/**
 * Each ecosystem's last load time, from the freshness items the loader writes after a load's records
 * are durable: one BatchGetItem for a scan's few ecosystems. An item that is missing or whose time
 * does not parse answers "never loaded", so a damaged item fails closed (ADVISORIES_UNAVAILABLE).
 */
export class DynamoDbAdvisoryFreshness implements AdvisoryFreshness {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly retry: RetryOptions = {},
  ) {}

  async freshness(ecosystems: readonly string[]): Promise<readonly EcosystemFreshness[]> {
    const items = await batchGet(this.client, this.table, ecosystems.map((ecosystem) => ({ pk: freshnessPk(ecosystem), sk: FRESHNESS_SK })), this.retry);
    return ecosystems.map((ecosystem) => {
      const item = items.get(itemKeyOf(freshnessPk(ecosystem), FRESHNESS_SK));
      const loadedAt = item?.ecosystem?.S === ecosystem && item.loadedAt?.S !== undefined ? new Date(item.loadedAt.S) : undefined;
      return loadedAt && !Number.isNaN(loadedAt.getTime()) ? { ecosystem, loadedAt } : { ecosystem };
    });
  }
}
