import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbActionLog } from '../../../lambdas/adapters/dynamodb/dynamodb-action-log.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import type { ActionEntry } from '../../../lambdas/core/api/api-ports.ts';
import { PageTokenError } from '../../../lambdas/core/api/page-token.ts';
import type { RepositoryKey } from '../../../lambdas/core/pipeline/model.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const t = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 10, minutes));
const run = randomUUID().slice(0, 8);
const app: RepositoryKey = { account: '111122223333', region: 'eu-west-1', repository: `actions-${run}/app` };
const web: RepositoryKey = { ...app, repository: `actions-${run}/web` };
const principal = 'arn:aws:sts::111122223333:assumed-role/release/alice';

const release = (id: string, minutes: number, repository: RepositoryKey, outcome = 'requested'): ActionEntry => ({
  id,
  action: 'release',
  principal,
  at: t(minutes),
  reason: 'false positive, SEC-9',
  target: { repository: repository.repository, digest: 'sha256:' + 'a'.repeat(64) },
  outcome,
  repository,
});
const backfill = (id: string, minutes: number): ActionEntry => ({ id, action: 'backfill', principal: 'local', at: t(minutes), target: { runId: `run-${id}` }, outcome: 'queued' });

/** The action log on DynamoDB Local: newest first, registry-wide and per repository, one entry per action however often recorded. */
describe('DynamoDB action log', () => {
  const base = localDynamoDbClient();
  const documents = findingsDocumentClient(base);
  let tableName: string;
  let log: DynamoDbActionLog;

  beforeAll(async () => {
    tableName = await createLocalTable(base, FINDINGS_TABLE, 'action-log');
    log = new DynamoDbActionLog({ client: documents, tableName });
    await log.record(release('r1', 1, app));
    await log.record(backfill('b1', 2));
    await log.record(release('r2', 3, web));
    await log.record(release('r3', 4, app));
    await log.record(backfill('b2', 5));
    // The outcome recorded after the act replaces the entry, in both listings.
    await log.record(release('r1', 1, app, 'released'));
    await log.record(release('r1', 1, app, 'released'));
  });

  async function all(repository: RepositoryKey | undefined, limit: number): Promise<{ pages: ActionEntry[][] }> {
    const pages: ActionEntry[][] = [];
    let position: unknown;
    do {
      const page = await log.page(repository, limit, position);
      pages.push([...page.items]);
      position = page.next === undefined ? undefined : JSON.parse(JSON.stringify(page.next));
    } while (position !== undefined && pages.length < 10);
    return { pages };
  }

  it('lists every action newest first, each once, across pages', async () => {
    const { pages } = await all(undefined, 2);
    expect(pages.map((page) => page.map((entry) => entry.id))).toEqual([['b2', 'r3'], ['r2', 'b1'], ['r1']]);
    expect(pages.flat().find((entry) => entry.id === 'r1')).toEqual(release('r1', 1, app, 'released'));
    expect(pages.flat().find((entry) => entry.id === 'b1')).toEqual(backfill('b1', 2));
  });

  it('lists a repository its own actions only, with the same entries', async () => {
    const { pages } = await all(app, 1);
    expect(pages.map((page) => page.map((entry) => entry.id))).toEqual([['r3'], ['r1']]);
    expect(pages[1]![0]).toEqual(release('r1', 1, app, 'released'));
    expect((await log.page(web, 10, undefined)).items.map((entry) => entry.id)).toEqual(['r2']);
    expect(await log.page({ ...app, repository: `actions-${run}/none` }, 10, undefined)).toEqual({ items: [] });
  });

  it('keeps one item per listing for an action recorded again', async () => {
    const { Items = [] } = await documents.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ACTIONS#${app.account}#${app.region}#${app.repository}` } }));
    expect(Items.map((item) => item['id'])).toEqual(['r1', 'r3']);
  });

  it('refuses a position of another listing', async () => {
    const page = await log.page(app, 1, undefined);
    await expect(log.page(web, 1, page.next)).rejects.toThrow(PageTokenError);
    await expect(log.page(undefined, 1, page.next)).rejects.toThrow(PageTokenError);
    await expect(log.page(app, 1, { pk: 'x' })).rejects.toThrow(PageTokenError);
  });
});
