import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbCountsHistory } from '../../../lambdas/adapters/dynamodb/dynamodb-counts-history.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import type { DailyCounts } from '../../../lambdas/core/api/api-ports.ts';
import type { RepositoryKey } from '../../../lambdas/core/pipeline/model.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const run = randomUUID().slice(0, 8);
const app: RepositoryKey = { account: '111122223333', region: 'eu-west-1', repository: `history-${run}/app` };
const web: RepositoryKey = { ...app, repository: `history-${run}/web` };
const counts = (repository: RepositoryKey, date: string, high: number): DailyCounts => ({
  repository,
  date,
  images: high + 1,
  findings: { CRITICAL: 0, HIGH: high, MEDIUM: 2, LOW: 0, UNKNOWN: 1 },
  verdicts: { PASS: 1, ...(high > 0 ? { FAIL: high } : {}) },
});

/** Daily counts on DynamoDB Local: one item a repository a day, listed oldest first from a date, kept 400 days. */
describe('DynamoDB counts history', () => {
  const base = localDynamoDbClient();
  const documents = findingsDocumentClient(base);
  let tableName: string;
  let history: DynamoDbCountsHistory;

  beforeAll(async () => {
    tableName = await createLocalTable(base, FINDINGS_TABLE, 'counts-history');
    history = new DynamoDbCountsHistory({ client: documents, tableName });
    for (const [date, high] of [['2026-12-03', 3], ['2026-12-01', 1], ['2026-12-02', 2], ['2027-01-10', 0]] as const) await history.put(counts(app, date, high));
    await history.put(counts(web, '2026-12-02', 9));
  });

  it('lists the days from a date, oldest first, each as put', async () => {
    expect(await history.list(app, '2026-12-02')).toEqual([counts(app, '2026-12-02', 2), counts(app, '2026-12-03', 3), counts(app, '2027-01-10', 0)]);
    expect((await history.list(app, '2000-01-01')).map((day) => day.date)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03', '2027-01-10']);
    expect(await history.list(app, '2027-01-11')).toEqual([]);
    expect(await history.list(web, '2026-01-01')).toEqual([counts(web, '2026-12-02', 9)]);
  });

  it('replaces a day put again, and lets it expire 400 days after its date', async () => {
    await history.put(counts(app, '2026-12-01', 7));
    await history.put(counts(app, '2026-12-01', 5));
    expect(await history.list(app, '2026-12-01')).toHaveLength(4);
    expect((await history.list(app, '2026-12-01'))[0]).toEqual(counts(app, '2026-12-01', 5));
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: { pk: `HISTORY#${app.account}#${app.region}#${app.repository}`, sk: 'DAY#2026-12-01' } }));
    expect(Item?.['expiresAt']).toBe(Date.UTC(2026, 11, 1) / 1000 + 400 * 86_400);
  });

  it('refuses a date that is not YYYY-MM-DD', async () => {
    await expect(history.put(counts(app, '2026-12-1', 1))).rejects.toThrow();
    await expect(history.list(app, '2026/12/01')).rejects.toThrow();
  });
});
