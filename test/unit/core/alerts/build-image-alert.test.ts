import { describe, expect, it } from 'vitest';
import { alertIdOf } from '../../../../lambdas/core/alerts/alert-id.ts';
import { buildImageAlert, MAX_CHANGED_IDS, MAX_TITLE_LENGTH } from '../../../../lambdas/core/alerts/build-image-alert.ts';
import { alertOf, announcedOf, asJson, digestOf, finding, imageKey, schemaValidators, T0, verdictOf } from './alert-fixtures.ts';

const validators = schemaValidators({ strict: true });

describe('buildImageAlert', () => {
  it('states the image, the verdict with its policy, the counts and the worst findings, valid against the schema', () => {
    const verdict = verdictOf({
      findings: [finding('CVE-2026-0002', 'HIGH'), finding('CVE-2026-0001', 'CRITICAL', { title: 'overflow' }), finding('CVE-2026-0003', 'MEDIUM', { fixedVersions: [] })],
      suppressedCount: 2,
      reason: 'remaining findings at or above HIGH',
    });
    const announced = announcedOf('PASS');
    const alert = buildImageAlert({ eventType: 'VERDICT_CHANGED', key: imageKey(), tags: ['latest', '1.2', 'latest'], kind: 'image', verdict, announced, time: T0 });
    expect(alert).toMatchObject({
      schema: 'customs.alert/v1',
      kind: 'image',
      eventType: 'VERDICT_CHANGED',
      time: '2026-03-02T10:00:00.000Z',
      repository: { account: '111122223333', region: 'eu-west-1', name: 'team-a/app' },
      image: { digest: digestOf('app'), tags: ['1.2', 'latest'], kind: 'image', platforms: verdict.platforms },
      verdict: { value: 'FAIL', previous: 'PASS', reason: 'remaining findings at or above HIGH', policyVersion: verdict.policyVersion, policySource: 'prefix:team-a/', mode: 'audit', failOn: 'HIGH' },
      counts: { CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 0, UNKNOWN: 0 },
      failingCount: 2,
      suppressedCount: 2,
      changes: { newlyFailing: ['CVE-2026-0001', 'CVE-2026-0002'], noLongerFailing: [] },
      severity: 'CRITICAL',
    });
    expect(alert.worstFindings.map((f) => f.id)).toEqual(['CVE-2026-0001', 'CVE-2026-0002', 'CVE-2026-0003']);
    expect(alert.alertId).toBe(
      alertIdOf({ key: imageKey(), eventType: 'VERDICT_CHANGED', verdict: 'FAIL', policyVersion: verdict.policyVersion, failingIds: verdict.failingIds, announced }),
    );
    expect(validators.alert(asJson(alert)), JSON.stringify(validators.alert.errors)).toBe(true);
  });

  it('has no `previous` before anything was announced, and every failing ID is newly failing', () => {
    const alert = alertOf({ verdict: verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL'), finding('CVE-2026-0002', 'LOW')] }) });
    expect(alert.verdict).not.toHaveProperty('previous');
    expect(alert.changes).toEqual({ newlyFailing: ['CVE-2026-0001'], noLongerFailing: [] });
  });

  it('lists what newly fails and what no longer does against the announced failing IDs', () => {
    const verdict = verdictOf({ findings: [finding('CVE-B', 'HIGH'), finding('CVE-C', 'CRITICAL'), finding('CVE-C', 'CRITICAL', { package: { name: 'libssl3', version: '1', purl: 'p', type: 'deb', path: '/' } })] });
    const alert = alertOf({ eventType: 'VERDICT_CHANGED', verdict, announced: announcedOf('FAIL', ['CVE-A', 'CVE-B']) });
    expect(alert.changes).toEqual({ newlyFailing: ['CVE-C'], noLongerFailing: ['CVE-A'] });
  });

  it('cuts each change list at 100 IDs, sorted', () => {
    const ids = Array.from({ length: 150 }, (_, index) => `CVE-2026-${String(1000 + index)}`);
    const verdict = verdictOf({ findings: ids.map((id) => finding(id, 'HIGH')) });
    const alert = alertOf({ eventType: 'VERDICT_CHANGED', verdict, announced: announcedOf('FAIL', [...ids.map((id) => id.replace('2026', '2025'))].reverse()) });
    expect(alert.changes.newlyFailing).toHaveLength(MAX_CHANGED_IDS);
    expect(alert.changes.newlyFailing).toEqual(ids.slice(0, MAX_CHANGED_IDS));
    expect(alert.changes.noLongerFailing).toEqual([...ids].sort().slice(0, MAX_CHANGED_IDS).map((id) => id.replace('2026', '2025')));
    expect(validators.alert(asJson(alert)), JSON.stringify(validators.alert.errors)).toBe(true);
  });

  it('takes the severity from the failing findings, else the worst remaining, else NONE', () => {
    expect(alertOf({ verdict: verdictOf({ findings: [finding('A', 'HIGH'), finding('B', 'MEDIUM')] }) }).severity).toBe('HIGH');
    expect(alertOf({ eventType: 'VERDICT_CHANGED', verdict: verdictOf({ findings: [finding('A', 'MEDIUM'), finding('B', 'LOW')] }) }).severity).toBe('MEDIUM');
    expect(alertOf({ eventType: 'SCAN_FAILED', verdict: verdictOf({ verdict: 'FAILED', reason: 'layer too large' }) }).severity).toBe('NONE');
    // failOn LOW: an UNKNOWN finding remains without failing.
    expect(alertOf({ eventType: 'VERDICT_CHANGED', verdict: verdictOf({ failOn: 'LOW', findings: [finding('A', 'UNKNOWN')] }) }).severity).toBe('UNKNOWN');
  });

  it('describes an index with one platform per child, valid against the schema', () => {
    const platforms = [
      { digest: digestOf('amd64'), platform: { os: 'linux', architecture: 'amd64' }, verdict: 'FAIL' as const, status: 'SCANNED' as const, scannedAt: T0 },
      { digest: digestOf('arm'), platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, verdict: 'FAILED' as const, status: 'FAILED' as const, reason: 'layer unreadable', scannedAt: T0 },
    ];
    const verdict = verdictOf({ verdict: 'FAILED', reason: 'linux/arm/v7: layer unreadable', findings: [finding('A', 'HIGH')], platforms });
    const alert = buildImageAlert({ eventType: 'SCAN_FAILED', key: imageKey(), tags: [], kind: 'index', verdict, time: T0 });
    expect(alert.image).toEqual({ digest: digestOf('app'), tags: [], kind: 'index', platforms });
    expect(validators.alert(asJson(alert)), JSON.stringify(validators.alert.errors)).toBe(true);
  });

  it('cuts advisory titles at 300 characters, whole code points', () => {
    const long = `${'🐳'.repeat(400)}`;
    const alert = alertOf({ verdict: verdictOf({ findings: [finding('CVE-1', 'HIGH', { title: long }), finding('CVE-2', 'HIGH', { title: 'short' })] }) });
    const titles = alert.worstFindings.map((f) => f.title!);
    expect([...titles[0]!]).toHaveLength(MAX_TITLE_LENGTH);
    expect(titles[0]).toBe(`${'🐳'.repeat(MAX_TITLE_LENGTH - 3)}...`);
    expect(titles[1]).toBe('short');
    expect(validators.alert(asJson(alert)), JSON.stringify(validators.alert.errors)).toBe(true);
  });

  it('the strict schema check notices an undocumented property (so the check above can fail)', () => {
    const alert = { ...(asJson(alertOf()) as Record<string, unknown>), surprise: true };
    expect(validators.alert(alert)).toBe(false);
    expect(schemaValidators({ strict: false }).alert(alert)).toBe(true);
  });
});
