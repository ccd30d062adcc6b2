import { describe, expect, it } from 'vitest';
import { groupAlertIdOf } from '../../../../lambdas/core/alerts/alert-id.ts';
import { MAX_GROUP_LISTED, type GroupAlert, type ImageAlert, type OutgoingAlert } from '../../../../lambdas/core/alerts/alert-model.ts';
import { advisoryOf, planDelivery } from '../../../../lambdas/core/alerts/plan-delivery.ts';
import { alertOf, announcedOf, asJson, digestOf, finding, schemaValidators, T0, verdictOf } from './alert-fixtures.ts';

const RUN = new Date('2026-03-02T11:00:00.000Z');

/** `count` images of `repository` that a new advisory (`cve`, CRITICAL) turns from PASS to FAIL. */
function storm(repository: string, cve: string, count: number, extra: readonly string[] = []): ImageAlert[] {
  return Array.from({ length: count }, (_, index) =>
    alertOf({
      eventType: 'VERDICT_CHANGED',
      key: { repository, digest: digestOf(`${repository}-${cve}-${index}`) },
      tags: [`v${index}`],
      verdict: verdictOf({ findings: [finding(cve, 'CRITICAL'), ...extra.map((id) => finding(id, 'HIGH'))] }),
      announced: announcedOf('PASS'),
    }),
  );
}

function audiences(out: readonly OutgoingAlert[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { audience } of out) counts[audience] = (counts[audience] ?? 0) + 1;
  return counts;
}

describe('planDelivery', () => {
  it('sends a group no larger than the cap to everyone, image by image, in digest order', () => {
    const alerts = storm('team-a/app', 'CVE-2026-0001', 20);
    const out = planDelivery([...alerts].reverse(), { emailImageCap: 20, time: RUN });
    expect(out.map((o) => o.audience)).toEqual(Array(20).fill('all'));
    expect(out.map((o) => o.alert.alertId)).toEqual([...alerts].sort((a, b) => (a.image.digest < b.image.digest ? -1 : 1)).map((a) => a.alertId));
  });

  it('caps a storm of 500 images for people: 20 to all, 480 to machines, one group summary to people', () => {
    const alerts = storm('team-a/app', 'CVE-2026-0001', 500);
    const out = planDelivery(alerts, { emailImageCap: 20, time: RUN });
    expect(out).toHaveLength(501);
    expect(audiences(out)).toEqual({ all: 20, machines: 480, people: 1 });
    const byDigest = [...alerts].sort((a, b) => (a.image.digest < b.image.digest ? -1 : 1));
    expect(out.filter((o) => o.audience === 'all').map((o) => o.alert.alertId)).toEqual(byDigest.slice(0, 20).map((a) => a.alertId));
    expect(out.filter((o) => o.audience === 'machines').map((o) => o.alert.alertId)).toEqual(byDigest.slice(20).map((a) => a.alertId));

    const group = out.find((o) => o.audience === 'people')!.alert as GroupAlert;
    expect(group).toMatchObject({
      schema: 'customs.alert/v1',
      kind: 'group',
      alertId: groupAlertIdOf(alerts.map((a) => a.alertId)),
      eventType: 'VERDICT_CHANGED',
      time: RUN.toISOString(),
      repository: { account: '111122223333', region: 'eu-west-1', name: 'team-a/app' },
      advisory: 'CVE-2026-0001',
      verdict: { value: 'FAIL', mode: 'audit', policyVersion: 'pv1-0000000000000001' },
      severity: 'CRITICAL',
    });
    expect(group.images.total).toBe(500);
    expect(group.images.listed).toEqual(byDigest.slice(0, MAX_GROUP_LISTED).map((a) => ({ digest: a.image.digest, tags: a.image.tags, alertId: a.alertId })));
    expect(schemaValidators({ strict: true }).alert(asJson(group))).toBe(true);
  });

  it('is the same plan, group ID included, whatever order the alerts come in', () => {
    const alerts = [...storm('team-a/app', 'CVE-2026-0001', 30), ...storm('team-b/api', 'CVE-2026-0001', 5)];
    const plan = planDelivery(alerts, { emailImageCap: 10, time: RUN });
    expect(planDelivery([...alerts].reverse(), { emailImageCap: 10, time: RUN })).toEqual(plan);
  });

  it('groups per repository and per advisory', () => {
    const alerts = [
      ...storm('team-a/app', 'CVE-2026-0001', 30),
      ...storm('team-a/app', 'CVE-2026-0002', 3),
      ...storm('team-b/api', 'CVE-2026-0001', 25),
    ];
    const out = planDelivery(alerts, { emailImageCap: 10, time: RUN });
    const groups = out.filter((o) => o.alert.kind === 'group').map((o) => o.alert as GroupAlert);
    expect(groups.map((g) => [g.repository.name, g.advisory, g.images.total])).toEqual([
      ['team-a/app', 'CVE-2026-0001', 30],
      ['team-b/api', 'CVE-2026-0001', 25],
    ]);
    expect(audiences(out)).toEqual({ all: 10 + 3 + 10, machines: 20 + 15, people: 2 });
    // The small group of the second advisory goes out whole, image by image.
    const second = out.filter((o) => o.alert.kind === 'image' && o.alert.changes.newlyFailing.includes('CVE-2026-0002'));
    expect(second.map((o) => o.audience)).toEqual(['all', 'all', 'all']);
  });

  it('keeps apart what a summary could not state truthfully: another verdict, event type or account', () => {
    const failing = storm('team-a/app', 'CVE-2026-0001', 3);
    const firstFail = failing.map((a, index) => alertOf({ eventType: 'FAILED_POLICY', key: { digest: digestOf(`first-${index}`) }, verdict: verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL')] }) }));
    const elsewhere = failing.map((_, index) => alertOf({ eventType: 'VERDICT_CHANGED', key: { account: '444455556666', digest: digestOf(`acct-${index}`) }, verdict: verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL')] }), announced: announcedOf('PASS') }));
    const out = planDelivery([...failing, ...firstFail, ...elsewhere], { emailImageCap: 2, time: RUN });
    const groups = out.filter((o) => o.alert.kind === 'group').map((o) => o.alert as GroupAlert);
    expect(groups.map((g) => [g.repository.account, g.eventType, g.images.total])).toEqual([
      ['111122223333', 'FAILED_POLICY', 3],
      ['111122223333', 'VERDICT_CHANGED', 3],
      ['444455556666', 'VERDICT_CHANGED', 3],
    ]);
  });

  it('sends a repeated alert (same alertId) once', () => {
    const [alert] = storm('team-a/app', 'CVE-2026-0001', 1);
    expect(planDelivery([alert!, alert!], { emailImageCap: 5, time: RUN })).toEqual([{ alert, audience: 'all' }]);
  });

  it('with a cap of 0 people get only summaries', () => {
    const out = planDelivery(storm('team-a/app', 'CVE-2026-0001', 2), { emailImageCap: 0, time: RUN });
    expect(out.map((o) => o.audience)).toEqual(['machines', 'machines', 'people']);
  });

  it('uses the run time for groups, not the alerts', () => {
    const out = planDelivery(storm('team-a/app', 'CVE-2026-0001', 3), { emailImageCap: 1, time: RUN });
    expect(out.at(-1)!.alert.time).toBe(RUN.toISOString());
    expect(out[0]!.alert.time).toBe(T0.toISOString());
  });

  it('refuses a cap that is not a whole number', () => {
    expect(() => planDelivery([], { emailImageCap: -1, time: RUN })).toThrow(/emailImageCap/);
    expect(() => planDelivery([], { emailImageCap: 1.5, time: RUN })).toThrow(/emailImageCap/);
  });
});

describe('advisoryOf', () => {
  it('is the worst newly failing ID the alert rates, not the first by name', () => {
    const [alert] = storm('team-a/app', 'CVE-2026-9999', 1, ['CVE-2026-0001']);
    expect(alert!.changes.newlyFailing).toEqual(['CVE-2026-0001', 'CVE-2026-9999']);
    expect(advisoryOf(alert!)).toBe('CVE-2026-9999');
  });

  it('falls back to the first newly failing ID when the worst findings do not rate it', () => {
    const ids = Array.from({ length: 12 }, (_, index) => `CVE-2026-${String(100 + index)}`);
    // Twelve CRITICALs named after the HIGH ones: the ten worst listed are not newly failing.
    const verdict = verdictOf({ findings: [...ids.map((id) => finding(id, 'CRITICAL')), finding('CVE-2026-0001', 'HIGH')] });
    const alert = alertOf({ eventType: 'VERDICT_CHANGED', verdict, announced: announcedOf('FAIL', ids) });
    expect(alert.changes.newlyFailing).toEqual(['CVE-2026-0001']);
    expect(alert.worstFindings.some((f) => f.id === 'CVE-2026-0001')).toBe(false);
    expect(advisoryOf(alert)).toBe('CVE-2026-0001');
  });

  it('is the first ID no longer failing for a change back to PASS, else `policy`', () => {
    const resolved = alertOf({ eventType: 'VERDICT_CHANGED', verdict: verdictOf({ findings: [] }), announced: announcedOf('FAIL', ['CVE-B', 'CVE-A']) });
    expect(advisoryOf(resolved)).toBe('CVE-A');
    const failed = alertOf({ eventType: 'SCAN_FAILED', verdict: verdictOf({ verdict: 'FAILED', reason: 'x' }), announced: announcedOf('PASS') });
    expect(advisoryOf(failed)).toBe('policy');
  });
});
