import { ECRClient } from '@aws-sdk/client-ecr';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbActionLog } from '../../../lambdas/adapters/dynamodb/dynamodb-action-log.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { RegionalEcrClients } from '../../../lambdas/adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../../lambdas/adapters/ecr/ecr-quarantine-registry.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import type { ApiAccessRule } from '../../../lambdas/core/api/access-rules.ts';
import { actionRoutes } from '../../../lambdas/core/api/action-routes/action-routes.ts';
import { parseDigest } from '../../../lambdas/core/digest.ts';
import { releaseImage } from '../../../lambdas/core/use-cases/release-image.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { startQuarantineWorld, type QuarantineWorld } from '../quarantine/quarantine-world.ts';
import { actionApi, everyAction, rolePrincipal, untouched } from './action-routes-world.ts';

/**
 * POST /images/{digest}/release through the API's router: the release use case on DynamoDB Local
 * and the stateful ECR stub (exact requests, aws-sdk-client-mock), quarantined first by the enforce
 * use case. A tag pushed again during quarantine is kept (named in keptTags), never overwritten;
 * who asked and why are on the quarantine record and in the action log.
 */
const run = randomUUID().slice(0, 8);
const releaser = rolePrincipal(`releaser-${run}`);
const reader = rolePrincipal(`reader-${run}`);
const RULES: ApiAccessRule[] = [
  { principal: releaser.arn, read: [''], act: ['released/', 'other/'] },
  { principal: reader.arn, read: [''] },
];

describe('release route', () => {
  let w: QuarantineWorld;
  let log: DynamoDbActionLog;
  let api: ReturnType<typeof actionApi>;

  beforeAll(async () => {
    w = await startQuarantineWorld('api-release');
    const dynamodb = localDynamoDbClient();
    log = new DynamoDbActionLog({ client: findingsDocumentClient(dynamodb), tableName: await createLocalTable(dynamodb, FINDINGS_TABLE, 'api-release-log') });
    const clock = { now: () => w.now() };
    const alerts = { publish: async () => undefined };
    api = actionApi(
      actionRoutes({
        actions: log,
        images: w.images,
        rescans: untouched('rescans'),
        backfill: untouched('backfill'),
        release: (request) =>
          releaseImage(request, {
            quarantines: w.quarantines,
            registry: new EcrQuarantineRegistry({ clients: new RegionalEcrClients({ create: (region) => new ECRClient({ region }) }) }),
            tags: w.images,
            verdicts: w.verdicts,
            alerts,
            clock,
            options: { repositoryId: ecrRepositoryArn },
          }),
        exceptions: untouched('exceptions'),
        affected: () => Promise.reject(new Error('not under test')),
        holders: untouched('holders'),
        judge: () => Promise.reject(new Error('not under test')),
      }),
      RULES,
      clock,
    );
  });

  afterAll(() => w?.stop());

  const release = (digest: string, repository: string, body: unknown, principal = releaser) => api({ method: 'POST', path: `/images/${encodeURIComponent(digest)}/release`, query: { repository }, body, principal });

  it('restores the tags nobody pushed since and keeps the one re-pushed meanwhile, recorded with who and why', async () => {
    const image = await w.seed('released/app', ['1', 'stable']);
    const { key, digest } = image;
    expect(await w.enforce(key)).toMatchObject({ action: 'quarantined', removedTags: ['1', 'stable'] });
    for (const tag of ['1', 'stable']) await w.images.removeTag(key, tag, w.now());
    w.advance(60_000);
    const fixed = w.other('released/app:stable, fixed');
    await w.userPush(key.repository, 'stable', fixed);
    w.advance(60_000);

    // Only the act permission releases: a reader is refused before anything runs.
    const writesBefore = w.ecr.writes.length;
    expect(await release(digest, key.repository, { reason: 'SEC-12: accepted' }, reader)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(w.ecr.writes.length).toBe(writesBefore);
    expect((await w.quarantines.get(key))?.record.state).toBe('QUARANTINED');
    expect(await everyAction(log)).toEqual([]);

    const answer = await release(digest, key.repository, { reason: 'SEC-12: the finding is not reachable' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({
      outcome: 'released',
      restoredTags: ['1'],
      keptTags: [{ tag: 'stable', reason: expect.stringMatching(/^moved/), digest: fixed.digest }],
      action: { action: 'release', principal: releaser.display, reason: 'SEC-12: the finding is not reachable', outcome: 'released', target: { repository: key.repository, digest, restoredTags: '1', keptTags: 'stable' } },
    });
    // The re-pushed tag still names the fixed image; the released one got back only what was free.
    expect(w.ecr.tags(key.repository, fixed.digest)).toEqual(['stable']);
    expect(w.ecr.tags(key.repository, digest)).toEqual(['1']);
    expect((await w.quarantines.get(key))?.record).toMatchObject({ state: 'RELEASED', release: { by: releaser.display, reason: 'SEC-12: the finding is not reachable', trigger: 'request' } });

    // Asked again: the same release answered, nothing written to ECR.
    const writes = w.ecr.writes.length;
    const again = await release(digest, key.repository, { reason: 'SEC-12: the finding is not reachable' });
    expect(again).toMatchObject({ status: 200, body: { restoredTags: ['1'], keptTags: [{ tag: 'stable' }] } });
    expect(w.ecr.writes.length).toBe(writes);

    const actions = await everyAction(log);
    expect(actions.map((entry) => [entry.action, entry.outcome, entry.principal, entry.target['digest']])).toEqual([
      ['release', 'released', releaser.display, digest],
      ['release', 'released', releaser.display, digest],
    ]);
    expect(actions[0]!.repository).toEqual({ account: key.account, region: key.region, repository: key.repository });
  });

  it('refuses an image that is not quarantined (409, recorded refused) and an unknown one (404, not recorded)', async () => {
    const image = await w.seed('other/app', ['2']);
    const before = (await everyAction(log)).length;
    const conflict = await release(image.digest, 'other/app', { reason: 'nothing to release' });
    expect(conflict).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    const refused = (await everyAction(log)).filter((entry) => entry.target['digest'] === image.digest);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.outcome).toMatch(/^refused: CONFLICT/);
    expect(w.ecr.tags('other/app', image.digest)).toEqual(['2']);

    const unknown = parseDigest(`sha256:${'0'.repeat(63)}1`);
    expect(await release(unknown, 'other/app', { reason: 'no such image' })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect((await everyAction(log)).length).toBe(before + 1);
  });

  it.each([
    ['no body', undefined, 'body'],
    ['no reason', {}, 'body.reason'],
    ['a reason too short', { reason: 'ok' }, 'body.reason'],
    ['an unknown field', { reason: 'a reason', force: true }, 'body.force'],
  ])('refuses %s (400 naming the field)', async (_what, body, field) => {
    const answer = await release(`sha256:${'a'.repeat(64)}`, 'released/app', body);
    expect(answer).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', field } });
  });

  it('refuses a malformed digest or repository (400 naming the parameter)', async () => {
    expect(await release('sha256:abc', 'released/app', { reason: 'a reason' })).toMatchObject({ status: 400, body: { field: 'digest' } });
    expect(await release(`sha256:${'a'.repeat(64)}`, 'Released/App', { reason: 'a reason' })).toMatchObject({ status: 400, body: { field: 'repository' } });
  });
});
