import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { CountsHistory, DailyCounts } from '../../core/api/api-ports.ts';
import type { RepositoryKey } from '../../core/pipeline/model.ts';
import { countsSchema, issueOf, verdictValueSchema } from './alert-item-schemas.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { queryAll } from './query-all.ts';

export interface DynamoDbCountsHistoryOptions extends DynamoDbTableOptions {
  /** Days a day's counts are kept (default 400: a year and a month to compare with). */
  readonly retentionDays?: number;
}

export const DEFAULT_HISTORY_DAYS = 400;
const DAY_PREFIX = 'DAY#';
const dateSchema = z.iso.date();
export const historyPk = (repository: RepositoryKey): string => `HISTORY#${repository.account}#${repository.region}#${repository.repository}`;

const itemSchema = z.object({
  date: dateSchema,
  images: z.number().int().nonnegative(),
  findings: countsSchema,
  verdicts: z.partialRecord(verdictValueSchema, z.number().int().nonnegative()),
});

/**
 * Daily counts per repository: `pk = HISTORY#<account>#<region>#<repo>`, `sk = DAY#<YYYY-MM-DD>`, one
 * ~250-byte item a repository a day (a put the same day replaces it), removed by the table's TTL
 * (`expiresAt`) the retention after its date. A listing is one Query of the partition from a date.
 */
export class DynamoDbCountsHistory implements CountsHistory {
  private readonly retentionDays: number;

  constructor(private readonly options: DynamoDbCountsHistoryOptions) {
    this.retentionDays = options.retentionDays ?? DEFAULT_HISTORY_DAYS;
  }

  async put(counts: DailyCounts): Promise<void> {
    const date = dateSchema.parse(counts.date);
    await this.options.client.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          pk: historyPk(counts.repository),
          sk: `${DAY_PREFIX}${date}`,
          type: 'daily-counts',
          date,
          images: counts.images,
          findings: { ...counts.findings },
          verdicts: { ...counts.verdicts },
          expiresAt: Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000) + this.retentionDays * 86_400,
        },
      }),
    );
  }

  async list(repository: RepositoryKey, fromDate: string): Promise<readonly DailyCounts[]> {
    const from = dateSchema.parse(fromDate);
    const items = await queryAll(this.options.client, {
      TableName: this.options.tableName,
      // `~` sorts after every digit: the rest of the partition's days.
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :end',
      ExpressionAttributeValues: { ':pk': historyPk(repository), ':from': `${DAY_PREFIX}${from}`, ':end': `${DAY_PREFIX}~` },
    });
    return items.map((item) => {
      const parsed = itemSchema.safeParse(item);
      if (!parsed.success) throw new Error(`daily counts item ${String(item['sk'])} of ${historyPk(repository)} is malformed: ${issueOf(parsed.error)}`);
      return { repository, ...parsed.data };
    });
  }
}
