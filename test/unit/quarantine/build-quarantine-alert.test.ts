import { describe, expect, it } from 'vitest';
import { buildImageAlert } from '../../../lambdas/core/alerts/build-image-alert.ts';
import { quarantineEvents } from '../../../lambdas/core/alerts/quarantine-events.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import { markerKeptWarning } from '../../../lambdas/core/quarantine/quarantine-warnings.ts';
import { quarantineIdOf } from '../../../lambdas/core/quarantine/quarantine-ids.ts';
import { asJson, digestOf, imageKey, schemaValidators, T0, verdictOf } from '../core/alerts/alert-fixtures.ts';
import { failing, quarantinedAlert, quarantinedRecord, T1 } from './quarantine-fixtures.ts';

const validators = schemaValidators({ strict: true });
const ARN = 'arn:aws:ecr:eu-west-1:111122223333:repository/team-a/app';

function expectValid(alert: ReturnType<typeof quarantinedAlert>): void {
  expect(validators.alert(asJson(alert)), JSON.stringify(validators.alert.errors)).toBe(true);
  for (const event of quarantineEvents(alert, ARN)) expect(validators.event(asJson(event.detail)), JSON.stringify(validators.event.errors)).toBe(true);
}

describe('buildQuarantineAlert', () => {
  it('QUARANTINED (untag): the verdict alert fields plus what was removed, the marker and the warnings, valid against the schema', () => {
    const alert = quarantinedAlert();
    const verdictAlert = buildImageAlert({ eventType: 'QUARANTINED', key: imageKey(), tags: ['1.2', 'latest'], kind: 'image', verdict: failing, time: T1 });
    expect(alert).toMatchObject({
      eventType: 'QUARANTINED',
      image: verdictAlert.image,
      verdict: { ...verdictAlert.verdict, mode: 'enforce' },
      counts: verdictAlert.counts,
      worstFindings: verdictAlert.worstFindings,
      changes: { newlyFailing: ['CVE-2026-0001', 'CVE-2026-0002'], noLongerFailing: [] },
      severity: 'CRITICAL',
      quarantine: {
        id: 'q-0001',
        state: 'QUARANTINED',
        method: 'untag',
        trigger: 'push',
        tags: ['1.2', 'latest'],
        keptTags: [],
        marker: `customs-quarantine-${digestOf('app').slice(7, 19)}`,
        warnings: [{ code: 'LIFECYCLE_EXPIRY' }, { code: 'DIGEST_PULLABLE' }],
      },
    });
    expect(alert.quarantine).not.toHaveProperty('release');
    expectValid(alert);
  });

  it('QUARANTINED (archive) with kept immutable tags and the storage status', () => {
    const record = quarantinedRecord({ method: 'archive', removedTags: [], keptTags: [{ tag: '1.2', why: 'immutable' }], storage: 'ARCHIVED', warnings: [] });
    const { marker: _marker, ...unmarked } = record;
    const alert = quarantinedAlert({ record: unmarked, tags: [], keptTags: unmarked.keptTags, warnings: [], step: ['archive', T0.toISOString()] });
    expect(alert.quarantine).toMatchObject({ method: 'archive', tags: [], keptTags: [{ tag: '1.2', why: 'immutable' }], storage: 'ARCHIVED' });
    expect(alert.quarantine).not.toHaveProperty('marker');
    expectValid(alert);
  });

  it('RELEASED: who and why, what was put back and kept, and changes against the failing IDs it was quarantined for', () => {
    const other = digestOf('other') as Digest;
    const record = quarantinedRecord({
      state: 'RELEASED',
      release: {
        by: 'arn:aws:iam::111122223333:role/oncall',
        reason: 'false positive',
        trigger: 'request',
        requestedAt: T1,
        failingIds: ['CVE-2026-0001', 'CVE-2026-0002'],
        restoredTags: ['1.2'],
        keptTags: [{ tag: 'latest', why: 'pushed-since', digest: other }],
        markerRemoved: false,
        releasedAt: T1,
      },
      warnings: [markerKeptWarning('customs-quarantine-0123456789ab')],
    });
    const now = verdictOf({ findings: [] });
    const alert = quarantinedAlert({ eventType: 'RELEASED', record, verdict: now, imageTags: ['1.2'], tags: ['1.2'], keptTags: record.release!.keptTags, warnings: record.warnings, step: [T1.toISOString()] });
    expect(alert.verdict.value).toBe('PASS');
    expect(alert.changes).toEqual({ newlyFailing: [], noLongerFailing: ['CVE-2026-0001', 'CVE-2026-0002'] });
    expect(alert.quarantine).toMatchObject({
      state: 'RELEASED',
      tags: ['1.2'],
      keptTags: [{ tag: 'latest', why: 'pushed-since', digest: other }],
      release: { by: 'arn:aws:iam::111122223333:role/oncall', reason: 'false positive', trigger: 'request' },
      warnings: [{ code: 'MARKER_KEPT' }],
    });
    expectValid(alert);
  });

  it('QUARANTINE_SKIPPED: the reason, nothing removed', () => {
    const record = quarantinedRecord({ state: 'SKIPPED', removedTags: [], skippedReason: 'pull-through cache of registry-1.docker.io', warnings: [{ code: 'PULL_THROUGH_CACHE', message: 'not enforced' }] });
    const alert = quarantinedAlert({ eventType: 'QUARANTINE_SKIPPED', record, tags: [], warnings: record.warnings, step: [record.skippedReason!] });
    expect(alert.quarantine).toMatchObject({ state: 'SKIPPED', tags: [], skippedReason: 'pull-through cache of registry-1.docker.io' });
    expectValid(alert);
  });

  it('the schema refuses a quarantine detail it does not document (an unknown warning code, a stray field)', () => {
    const alert = asJson(quarantinedAlert()) as { quarantine: { warnings: { code: string }[] } & Record<string, unknown> };
    expect(validators.alert({ ...alert, quarantine: { ...alert.quarantine, warnings: [{ code: 'SOMETHING', message: 'x' }] } })).toBe(false);
    expect(validators.alert({ ...alert, quarantine: { ...alert.quarantine, removedAt: T1.toISOString() } })).toBe(false);
  });

  it('names an index an index', () => {
    const index = { ...failing, platforms: [{ ...failing.platforms[0]!, digest: digestOf('amd64') }, { ...failing.platforms[0]!, digest: digestOf('arm64') }] };
    expect(quarantinedAlert({ verdict: index }).image.kind).toBe('index');
  });
});

describe('quarantine alert IDs', () => {
  it('are the same for the same record and step, whenever and from whatever verdict the alert is built (a retry republishes the same ID)', () => {
    const first = quarantinedAlert();
    const retried = quarantinedAlert({ time: new Date('2026-03-02T11:00:00.000Z'), verdict: verdictOf({ findings: [] }), imageTags: ['other'] });
    expect(retried.alertId).toBe(first.alertId);
    expect(first.alertId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differ by record, event type and step (a re-tag, a second archive)', () => {
    const first = quarantinedAlert();
    const ids = [
      first.alertId,
      quarantinedAlert({ record: quarantinedRecord({ id: 'q-0002' }) }).alertId,
      quarantinedAlert({ eventType: 'RELEASED' }).alertId,
      quarantinedAlert({ step: ['untag', T1.toISOString(), 'latest'] }).alertId,
      quarantinedAlert({ step: ['untag', T1.toISOString(), '1.2', 'latest'] }).alertId,
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the record ID differs per quarantine of one image (after a release, a skip, or at another time)', () => {
    const key = imageKey();
    const ids = [quarantineIdOf(key, undefined, T0), quarantineIdOf(key, 'q-0001', T0), quarantineIdOf(key, undefined, T1), quarantineIdOf(imageKey({ repository: 'team-b/app' }), undefined, T0)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(quarantineIdOf(key, 'q-0001', T0)).toBe(quarantineIdOf(key, 'q-0001', new Date(T0.getTime())));
  });
});

describe('quarantineEvents', () => {
  it('is one Customs Quarantine event carrying the alertId, the quarantine detail and the repository ARN', () => {
    const alert = quarantinedAlert();
    const events = quarantineEvents(alert, ARN);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ detailType: 'Customs Quarantine', resources: [ARN], time: T1 });
    expect(events[0]!.detail).toMatchObject({ schema: 'customs.quarantine-event/v1', alertId: alert.alertId, eventType: 'QUARANTINED', severityRank: 5, quarantine: asJson(alert.quarantine) });
    expect(quarantineEvents(alert, ARN)[0]!.detail.eventId).toBe(events[0]!.detail.eventId);
  });

  it('refuses an alert without a quarantine detail', () => {
    const { quarantine: _quarantine, ...plain } = quarantinedAlert();
    expect(() => quarantineEvents(plain, ARN)).toThrow(/no quarantine detail/);
  });
});
