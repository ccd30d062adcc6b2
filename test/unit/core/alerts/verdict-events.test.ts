import { describe, expect, it } from 'vitest';
import { eventIdOf } from '../../../../lambdas/core/alerts/alert-id.ts';
import { MAX_FINDING_EVENTS, verdictEvents } from '../../../../lambdas/core/alerts/verdict-events.ts';
import { alertOf, announcedOf, asJson, digestOf, finding, schemaValidators, T0, verdictOf } from './alert-fixtures.ts';

const ARN = 'arn:aws:ecr:eu-west-1:111122223333:repository/team-a/app';
const validators = schemaValidators({ strict: true });

describe('verdictEvents', () => {
  const libssl = { name: 'libssl3', version: '3.0.11-1', purl: 'pkg:deb/debian/libssl3@3.0.11-1', type: 'deb', path: '/var/lib/dpkg/status' };
  const verdict = verdictOf({
    findings: [finding('CVE-NEW', 'CRITICAL', { title: 'overflow' }), finding('CVE-NEW', 'CRITICAL', { package: libssl }), finding('CVE-KEPT', 'HIGH'), finding('CVE-LOW', 'LOW')],
  });
  const alert = alertOf({ eventType: 'VERDICT_CHANGED', verdict, announced: announcedOf('FAIL', ['CVE-KEPT', 'CVE-GONE']) });
  const events = verdictEvents(alert, verdict, ARN);

  it('is one Customs Verdict with the alert facts, then a NEW finding per newly failing vulnerability (not per package) and a RESOLVED per ID gone', () => {
    expect(events.map((e) => [e.detailType, e.detail.state ?? null, (e.detail.finding as { id?: string } | undefined)?.id ?? null])).toEqual([
      ['Customs Verdict', null, null],
      ['Customs Finding', 'NEW', 'CVE-NEW'],
      ['Customs Finding', 'RESOLVED', 'CVE-GONE'],
    ]);
    for (const event of events) {
      expect(event.resources).toEqual([ARN]);
      expect(event.time).toEqual(T0);
      expect(event.detail.alertId).toBe(alert.alertId);
    }
    expect(events[0]!.detail).toMatchObject({
      schema: 'customs.verdict-event/v1',
      eventId: eventIdOf(alert.alertId, 'verdict'),
      eventType: 'VERDICT_CHANGED',
      repository: alert.repository,
      verdict: alert.verdict,
      counts: alert.counts,
      failingCount: 3,
      severity: 'CRITICAL',
      severityRank: 5,
      changes: { newlyFailing: ['CVE-NEW'], noLongerFailing: ['CVE-GONE'] },
    });
    expect((events[0]!.detail.image as { platforms: { scannedAt: unknown }[] }).platforms[0]!.scannedAt).toBe(T0.toISOString());
  });

  it('describes a NEW vulnerability by its worst finding’s package and fixed versions, a RESOLVED one by ID only', () => {
    const openssl = { name: 'openssl', version: '3.0.11-1', purl: 'pkg:deb/debian/openssl@3.0.11-1', type: 'deb', path: '/var/lib/dpkg/status' };
    expect(events[1]!.detail).toEqual({
      schema: 'customs.finding-event/v1',
      eventId: eventIdOf(alert.alertId, 'NEW', digestOf('app'), 'CVE-NEW|pkg:deb/debian/openssl@3.0.11-1|/var/lib/dpkg/status'),
      alertId: alert.alertId,
      eventType: 'VERDICT_CHANGED',
      time: T0.toISOString(),
      repository: alert.repository,
      state: 'NEW',
      image: { digest: digestOf('app'), tags: ['1.2'] },
      verdict: { value: 'FAIL', policyVersion: 'pv1-0000000000000001', mode: 'audit' },
      finding: {
        key: 'CVE-NEW|pkg:deb/debian/openssl@3.0.11-1|/var/lib/dpkg/status',
        id: 'CVE-NEW',
        aliases: [],
        severity: 'CRITICAL',
        package: openssl,
        installedVersion: '3.0.11-1',
        fixedVersions: ['3.0.13-1'],
        manifestDigest: digestOf('app'),
        title: 'overflow',
      },
    });
    expect(events[2]!.detail.finding).toEqual({ id: 'CVE-GONE' });
    expect(events[2]!.detail.eventId).toBe(eventIdOf(alert.alertId, 'RESOLVED', 'CVE-GONE'));
  });

  it('has distinct, stable event IDs, and details that are plain JSON valid against the event schema', () => {
    const ids = events.map((e) => e.detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(verdictEvents(alert, verdict, ARN).map((e) => e.detail.eventId)).toEqual(ids);
    for (const event of events) {
      expect(asJson(event.detail)).toEqual(event.detail);
      expect(validators.event(event.detail), JSON.stringify(validators.event.errors)).toBe(true);
    }
  });

  it('the strict event schema refuses a RESOLVED finding with more than its ID (so the check above can fail)', () => {
    const resolved = { ...events[2]!.detail, finding: { id: 'CVE-GONE', severity: 'HIGH' } };
    expect(validators.event(resolved)).toBe(false);
    const verdictEvent = { ...events[0]!.detail, severityRank: 9 };
    expect(validators.event(verdictEvent)).toBe(false);
  });

  it('puts at most 20 finding events per alert, NEW ones first', () => {
    const ids = Array.from({ length: 15 }, (_, index) => `CVE-2026-${String(1000 + index)}`);
    const big = verdictOf({ findings: ids.map((id) => finding(id, 'HIGH')) });
    const gone = ids.map((id) => id.replace('2026', '2025'));
    const many = verdictEvents(alertOf({ eventType: 'VERDICT_CHANGED', verdict: big, announced: announcedOf('FAIL', gone) }), big, ARN);
    const findings = many.filter((e) => e.detailType === 'Customs Finding');
    expect(findings).toHaveLength(MAX_FINDING_EVENTS);
    expect(findings.filter((e) => e.detail.state === 'NEW')).toHaveLength(15);
    expect(findings.slice(15).map((e) => (e.detail.finding as { id: string }).id)).toEqual(gone.slice(0, 5));
  });

  it('is a verdict event alone when no ID changed (a failed scan)', () => {
    const failed = verdictOf({ verdict: 'FAILED', reason: 'layer unreadable' });
    const only = verdictEvents(alertOf({ eventType: 'SCAN_FAILED', verdict: failed, announced: announcedOf('PASS') }), failed, ARN);
    expect(only.map((e) => e.detailType)).toEqual(['Customs Verdict']);
    expect(validators.event(only[0]!.detail), JSON.stringify(validators.event.errors)).toBe(true);
  });
});
