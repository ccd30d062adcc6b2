import { describe, expect, it } from 'vitest';
import { alertIdOf, eventIdOf, groupAlertIdOf, type AlertIdInput } from '../../../../lambdas/core/alerts/alert-id.ts';
import { announcedOf, digestOf, imageKey } from './alert-fixtures.ts';

const base: AlertIdInput = {
  key: imageKey(),
  eventType: 'VERDICT_CHANGED',
  verdict: 'FAIL',
  policyVersion: 'pv1-0000000000000001',
  failingIds: ['CVE-2026-0002', 'CVE-2026-0001'],
  announced: announcedOf('PASS'),
};

describe('alertIdOf', () => {
  it('is 32 hex characters, the same for the same change however its inputs were built', () => {
    const id = alertIdOf(base);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // A retry or a duplicate event decides from equal, separately built state.
    const again: AlertIdInput = {
      ...base,
      key: { ...imageKey() },
      failingIds: ['CVE-2026-0001', 'CVE-2026-0002', 'CVE-2026-0001'],
      announced: announcedOf('PASS', [], { at: new Date(base.announced!.at.getTime()) }),
    };
    expect(alertIdOf(again)).toBe(id);
  });

  it.each<[string, Partial<AlertIdInput>]>([
    ['account', { key: imageKey({ account: '444455556666' }) }],
    ['region', { key: imageKey({ region: 'us-east-1' }) }],
    ['repository', { key: imageKey({ repository: 'team-b/app' }) }],
    ['digest', { key: imageKey({ digest: digestOf('other') }) }],
    ['event type', { eventType: 'FAILED_POLICY' }],
    ['new verdict', { verdict: 'PASS' }],
    ['previous verdict', { announced: announcedOf('FAILED') }],
    ['no previous verdict', { announced: undefined }],
    ['previous state (same values, announced at another time)', { announced: announcedOf('PASS', [], { at: new Date('2026-03-01T09:00:01.000Z') }) }],
    ['policy version', { policyVersion: 'pv1-0000000000000002' }],
    ['failing IDs', { failingIds: ['CVE-2026-0001'] }],
    ['failing IDs that only concatenate alike', { failingIds: ['CVE-2026-0001CVE-2026-0002'] }],
  ])('differs for another %s', (_what, change) => {
    expect(alertIdOf({ ...base, ...change })).not.toBe(alertIdOf(base));
  });

  it('gives FAIL → PASS → FAIL with the same policy and IDs two different FAIL alerts', () => {
    const first = alertIdOf({ ...base, announced: announcedOf('PASS', [], { at: new Date('2026-03-01T00:00:00Z') }) });
    const second = alertIdOf({ ...base, announced: announcedOf('PASS', [], { at: new Date('2026-03-05T00:00:00Z'), alertId: 'b'.repeat(32) }) });
    expect(second).not.toBe(first);
  });
});

describe('groupAlertIdOf and eventIdOf', () => {
  it('a group ID depends on its members only, not their order', () => {
    const ids = ['c'.repeat(32), 'a'.repeat(32), 'b'.repeat(32)];
    expect(groupAlertIdOf(ids)).toBe(groupAlertIdOf([...ids].reverse()));
    expect(groupAlertIdOf(ids)).not.toBe(groupAlertIdOf(ids.slice(1)));
    expect(groupAlertIdOf(ids)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('an event ID depends on the alert and the part', () => {
    expect(eventIdOf('a'.repeat(32), 'NEW', 'k')).toBe(eventIdOf('a'.repeat(32), 'NEW', 'k'));
    expect(eventIdOf('a'.repeat(32), 'NEW', 'k')).not.toBe(eventIdOf('b'.repeat(32), 'NEW', 'k'));
    expect(eventIdOf('a'.repeat(32), 'NEW', 'k')).not.toBe(eventIdOf('a'.repeat(32), 'RESOLVED', 'k'));
  });
});
