import { z } from 'zod';
import type { RepositoryKey } from '../../core/pipeline/model.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import type { VerdictListing, VerdictSummary } from '../../core/review-ports.ts';
import { countsSchema, isoDate, issueOf, verdictValueSchema } from './alert-item-schemas.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { imagePk } from './findings-keys.ts';
import { queryAll } from './query-all.ts';
import { VERDICT_PREFIX } from './verdict-items.ts';

/** The plain attributes a summary is read from (the document is not projected). */
const summarySchema = z.object({
  digest: digestSchema,
  verdict: verdictValueSchema,
  policyVersion: z.string(),
  counts: countsSchema,
  failingCount: z.number().int().nonnegative(),
  evaluatedAt: isoDate,
  reviewAt: isoDate.optional(),
  pendingAlertId: z.string().optional(),
});

/**
 * A repository's verdicts as one Query of its image partition (`sk` begins_with `VERDICT#`, every
 * page), projecting the plain attributes only: about 0.2 KB an item read instead of the item with
 * its document, so 10,000 verdicts are ~500 read units, eventually consistent (a verdict written a
 * moment ago is judged from its own write anyway).
 */
export class DynamoDbVerdictListing implements VerdictListing {
  constructor(private readonly options: DynamoDbTableOptions) {}

  async listRepository(repository: RepositoryKey): Promise<readonly VerdictSummary[]> {
    const items = await queryAll(this.options.client, {
      TableName: this.options.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': imagePk(repository), ':prefix': VERDICT_PREFIX },
      ProjectionExpression: '#digest, #verdict, #policy, #counts, #failing, #evaluated, #review, #pending',
      ExpressionAttributeNames: { '#digest': 'digest', '#verdict': 'verdict', '#policy': 'policyVersion', '#counts': 'counts', '#failing': 'failingCount', '#evaluated': 'evaluatedAt', '#review': 'reviewAt', '#pending': 'pendingAlertId' },
    });
    return items.map((item) => {
      const parsed = summarySchema.safeParse(item);
      if (!parsed.success) throw new Error(`verdict item in ${imagePk(repository)} is malformed: ${issueOf(parsed.error)}`);
      const { digest, reviewAt, pendingAlertId, ...rest } = parsed.data;
      return { key: { ...repository, digest }, ...rest, ...(reviewAt ? { reviewAt } : {}), ...(pendingAlertId !== undefined ? { pendingAlertId } : {}) };
    });
  }
}
