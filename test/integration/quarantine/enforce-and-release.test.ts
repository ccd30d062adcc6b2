import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../../lambdas/core/digest.ts';
import { ACCOUNT } from '../../support/ecr-events.ts';
import { CVE, RELEASER, startQuarantineWorld, type QuarantineWorld } from './quarantine-world.ts';

/**
 * Enforce mode and release at the use-case level, through the real adapters: records on DynamoDB
 * Local, every ECR request exact (the stateful stub), alerts as the AlertPublisher receives them.
 * The tests of repository settings (mutability modes, warnings, pull-through cache) are in
 * enforce-and-release-settings.test.ts.
 */
describe('enforce and release through the adapters', () => {
  let w: QuarantineWorld;

  beforeAll(async () => {
    w = await startQuarantineWorld('customs-enforce-release');
  });

  afterAll(() => {
    w?.stop();
  });

  const storageClass = (repository: string, digest: Digest, target: 'ARCHIVE' | 'STANDARD') => ({
    command: 'UpdateImageStorageClass',
    input: { registryId: ACCOUNT, repositoryName: repository, imageId: { imageDigest: digest }, targetStorageClass: target },
  });
  const deleteTag = (repository: string, digest: Digest, tag: string) => ({
    command: 'BatchDeleteImage',
    input: { registryId: ACCOUNT, repositoryName: repository, imageIds: [{ imageDigest: digest, imageTag: tag }] },
  });

  it('archive: UpdateImageStorageClass to ARCHIVE and no tag touched; release asks for STANDARD and reports ACTIVATING in the outcome, record and RELEASED alert', async () => {
    const image = await w.seed('archive/app', ['1', 'latest']);
    const { key, digest } = image;
    const repository = key.repository;
    const writes = w.ecr.writes.length;
    const alerts = w.alerts.length;

    const quarantined = await w.enforce(key);
    expect(quarantined).toEqual({ key, action: 'quarantined', method: 'archive', removedTags: [], keptTags: [], storage: 'ARCHIVED', alertId: expect.any(String) });
    expect(w.ecr.writes.slice(writes)).toEqual([storageClass(repository, digest, 'ARCHIVE')]);
    expect(w.ecr.tags(repository, digest)).toEqual(['1', 'latest']);
    expect(w.ecr.status(repository, digest)).toBe('ARCHIVED');
    const stored = await w.quarantines.get(key);
    expect(stored?.pending).toBeUndefined();
    expect(stored?.record).toMatchObject({ state: 'QUARANTINED', method: 'archive', trigger: 'push', storage: 'ARCHIVED', removing: [], removedTags: [], keptTags: [] });
    expect(stored?.record.marker).toBeUndefined();
    const [alert, ...more] = w.alertsSince(alerts);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ alertId: quarantined.action === 'quarantined' ? quarantined.alertId : '', eventType: 'QUARANTINED', quarantine: { state: 'QUARANTINED', method: 'archive', storage: 'ARCHIVED', tags: [], keptTags: [] } });
    expect(alert!.quarantine!.marker).toBeUndefined();
    expect(w.events.filter((event) => event.detailType === 'Customs Quarantine').map((event) => event.detail.alertId)).toContain(alert!.alertId);

    w.advance(60_000);
    const released = await w.release(key);
    expect(released).toEqual({ action: 'released', restoredTags: [], keptTags: [], markerRemoved: false, storage: 'ACTIVATING', alertId: expect.any(String) });
    expect(w.ecr.writes.slice(writes)).toEqual([storageClass(repository, digest, 'ARCHIVE'), storageClass(repository, digest, 'STANDARD')]);
    expect(w.ecr.status(repository, digest)).toBe('ACTIVATING');
    expect(w.ecr.tags(repository, digest)).toEqual(['1', 'latest']);
    const record = (await w.quarantines.get(key))?.record;
    expect(record).toMatchObject({ state: 'RELEASED', storage: 'ACTIVATING', release: { by: RELEASER, trigger: 'request', storage: 'ACTIVATING', restoredTags: [], markerRemoved: false, failingIds: [CVE], releasedAt: w.now() } });
    const releasedAlert = w.alertsSince(alerts).at(-1)!;
    expect(releasedAlert).toMatchObject({ alertId: released.action === 'released' ? released.alertId : '', eventType: 'RELEASED', quarantine: { state: 'RELEASED', method: 'archive', storage: 'ACTIVATING', release: { by: RELEASER, trigger: 'request' } } });
  });

  it('a rescan that fails policy without enforceOnRescan quarantines nothing and asks ECR nothing; with enforceOnRescan it quarantines', async () => {
    const image = await w.seed('alerted/app', ['1']);
    const requests = w.ecr.requests.length;
    const alerts = w.alerts.length;
    const outcome = await w.enforce(image.key, 'rescan');
    expect(outcome).toEqual({ key: image.key, action: 'none', why: expect.stringContaining('enforceOnRescan') });
    expect(w.ecr.requests.slice(requests)).toEqual([]);
    expect(w.ecr.tags(image.key.repository, image.digest)).toEqual(['1']);
    expect(await w.quarantines.get(image.key)).toBeUndefined();
    expect(w.alerts.slice(alerts)).toEqual([]);

    const opted = await w.seed('rescan/app', ['1']);
    const writes = w.ecr.writes.length;
    expect(await w.enforce(opted.key, 'rescan')).toMatchObject({ action: 'quarantined', method: 'untag', removedTags: ['1'], keptTags: [] });
    expect(w.ecr.writes.slice(writes)).toEqual([{ command: 'PutImage', input: w.putImage(opted, opted.marker) }, deleteTag(opted.key.repository, opted.digest, '1')]);
    expect((await w.quarantines.get(opted.key))?.record).toMatchObject({ state: 'QUARANTINED', trigger: 'rescan' });
    expect(w.alertsSince(alerts).map((alert) => [alert.eventType, alert.quarantine?.trigger])).toEqual([['QUARANTINED', 'rescan']]);
  });

  it('a tag re-pushed between the marker and the delete keeps its new digest (ImageTagDoesNotMatchDigest); the record and alert list it as kept, moved', async () => {
    const image = await w.seed('raced/app', ['1', 'latest', 'stable']);
    const { key, digest, marker } = image;
    const repository = key.repository;
    const newer = w.other('raced/app:latest, pushed again');
    // Somebody pushes `latest` again right after the marker lands.
    w.ecr.after('PutImage', () => w.ecr.push(repository, 'latest', newer.digest, newer.manifest), { when: (input: { imageTag?: string }) => input.imageTag === marker });
    const requests = w.ecr.requests.length;
    const alerts = w.alerts.length;

    const outcome = await w.enforce(key);
    expect(outcome).toEqual({ key, action: 'quarantined', method: 'untag', removedTags: ['1', 'stable'], keptTags: [{ tag: 'latest', why: 'moved', digest: newer.digest }], alertId: expect.any(String) });
    // The writes in order, and the read that found where `latest` went (a BatchGetImage by tag) right after its failed delete.
    const sent = w.ecr.requests.slice(requests);
    expect(sent.filter((request) => request.command === 'PutImage' || request.command === 'BatchDeleteImage')).toEqual([
      { command: 'PutImage', input: w.putImage(image, marker) },
      deleteTag(repository, digest, '1'),
      deleteTag(repository, digest, 'latest'),
      deleteTag(repository, digest, 'stable'),
    ]);
    const failedDelete = sent.findIndex((request) => request.command === 'BatchDeleteImage' && JSON.stringify(request.input).includes('"latest"'));
    expect(sent[failedDelete + 1]).toMatchObject({ command: 'BatchGetImage', input: { repositoryName: repository, imageIds: [{ imageTag: 'latest' }] } });
    expect(w.ecr.tags(repository, digest)).toEqual([marker]);
    expect(w.ecr.tags(repository, newer.digest)).toEqual(['latest']);

    const record = (await w.quarantines.get(key))?.record;
    expect(record).toMatchObject({ state: 'QUARANTINED', marker, removing: [], keptTags: [{ tag: 'latest', why: 'moved', digest: newer.digest }] });
    expect(record!.removedTags.map((removed) => removed.tag)).toEqual(['1', 'stable']);
    const [alert, ...more] = w.alertsSince(alerts);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ eventType: 'QUARANTINED', quarantine: { tags: ['1', 'stable'], keptTags: [{ tag: 'latest', why: 'moved', digest: newer.digest }], marker } });
  });

  it('release restores only what nobody pushed since: a tag re-pushed during quarantine stays (moved), one pushed elsewhere and deleted again stays out (pushed-since)', async () => {
    const image = await w.seed('released/app', ['1', 'canary', 'stable']);
    const { key, digest, marker } = image;
    const repository = key.repository;
    expect(await w.enforce(key)).toMatchObject({ action: 'quarantined', removedTags: ['1', 'canary', 'stable'] });
    // ECR's DELETE events for quarantine's own deletes reach the image state as any untagging does.
    for (const tag of ['1', 'canary', 'stable']) await w.images.removeTag(key, tag, w.now());

    // During quarantine: a fixed image under `stable`; a trial image under `canary`, deleted again.
    w.advance(60_000);
    const fixed = w.other('released/app:stable, fixed');
    await w.userPush(repository, 'stable', fixed);
    const trial = w.other('released/app:canary, trial');
    await w.userPush(repository, 'canary', trial);
    w.advance(60_000);
    await w.userDelete(repository, 'canary', trial.digest);
    expect((await w.images.tagHistory(key, 'canary')).map((event) => [event.action, event.digest])).toEqual([
      ['tagged', digest],
      ['untagged', digest],
      ['tagged', trial.digest],
      ['untagged', trial.digest],
    ]);

    w.advance(60_000);
    const writes = w.ecr.writes.length;
    const alerts = w.alerts.length;
    const released = await w.release(key);
    expect(released).toEqual({
      action: 'released',
      restoredTags: ['1'],
      keptTags: [
        { tag: 'canary', why: 'pushed-since', digest: trial.digest },
        { tag: 'stable', why: 'moved', digest: fixed.digest },
      ],
      markerRemoved: true,
      alertId: expect.any(String),
    });
    expect(w.ecr.writes.slice(writes)).toEqual([{ command: 'PutImage', input: w.putImage(image, '1') }, deleteTag(repository, digest, marker)]);
    expect(w.ecr.tags(repository, digest)).toEqual(['1']);
    expect(w.ecr.tags(repository, fixed.digest)).toEqual(['stable']);
    expect(w.ecr.tagOwner(repository, 'canary')).toBeUndefined();

    const record = (await w.quarantines.get(key))?.record;
    expect(record?.release).toMatchObject({ restoredTags: ['1'], keptTags: released.action === 'released' ? released.keptTags : [], markerRemoved: true });
    const [alert, ...more] = w.alertsSince(alerts);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ eventType: 'RELEASED', quarantine: { state: 'RELEASED', tags: ['1'], keptTags: released.action === 'released' ? released.keptTags : [] } });
  });

  it('is idempotent: enforcing again writes nothing to ECR; releasing again answers the stored release with no ECR call and the same alertId', async () => {
    const image = await w.seed('repeated/app', ['1']);
    const first = await w.enforce(image.key);
    expect(first).toMatchObject({ action: 'quarantined', removedTags: ['1'] });
    const writes = w.ecr.writes.length;
    const alerts = w.alerts.length;
    const stored = await w.quarantines.get(image.key);

    expect(await w.enforce(image.key)).toEqual({ key: image.key, action: 'none', why: expect.any(String) });
    expect(w.ecr.writes.slice(writes)).toEqual([]);
    expect(w.alerts.slice(alerts)).toEqual([]);
    expect((await w.quarantines.get(image.key))?.revision).toBe(stored?.revision);

    w.advance(60_000);
    const released = await w.release(image.key);
    expect(released).toMatchObject({ action: 'released', restoredTags: ['1'], markerRemoved: true });
    const releasedAlerts = w.alertsSince(alerts);
    expect(releasedAlerts.map((alert) => [alert.eventType, alert.alertId])).toEqual([['RELEASED', released.action === 'released' ? released.alertId : '']]);
    const requests = w.ecr.requests.length;
    const revision = (await w.quarantines.get(image.key))?.revision;

    w.advance(60_000);
    expect(await w.release(image.key, 'asked again')).toEqual(released);
    expect(w.ecr.requests.slice(requests)).toEqual([]);
    expect(w.alertsSince(alerts)).toHaveLength(1);
    const record = await w.quarantines.get(image.key);
    expect(record?.revision).toBe(revision);
    expect(record?.record.release?.reason).toBe('SEC-7: not reachable in this service');
  });

  it('keeps the marker when every removed tag was taken meanwhile, so the image is not deleted (MARKER_KEPT)', async () => {
    const image = await w.seed('taken/app', ['1']);
    const { key, digest, marker } = image;
    const repository = key.repository;
    await w.enforce(key);
    w.advance(60_000);
    const fixed = w.other('taken/app:1, fixed');
    await w.userPush(repository, '1', fixed);

    w.advance(60_000);
    const writes = w.ecr.writes.length;
    const alerts = w.alerts.length;
    const released = await w.release(key);
    expect(released).toEqual({ action: 'released', restoredTags: [], keptTags: [{ tag: '1', why: 'moved', digest: fixed.digest }], markerRemoved: false, alertId: expect.any(String) });
    expect(w.ecr.writes.slice(writes)).toEqual([]);
    expect(w.ecr.tags(repository, digest)).toEqual([marker]);
    expect(w.ecr.tags(repository, fixed.digest)).toEqual(['1']);

    const record = (await w.quarantines.get(key))?.record;
    expect(record).toMatchObject({ state: 'RELEASED', marker, release: { restoredTags: [], markerRemoved: false } });
    expect(record!.warnings.map((warning) => warning.code)).toContain('MARKER_KEPT');
    const [alert] = w.alertsSince(alerts);
    expect(alert?.eventType).toBe('RELEASED');
    expect(alert!.quarantine!.warnings.map((warning) => warning.code)).toContain('MARKER_KEPT');
    expect(alert!.quarantine!.warnings.find((warning) => warning.code === 'MARKER_KEPT')?.message).toContain(marker);
  });
});
