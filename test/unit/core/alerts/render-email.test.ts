import { describe, expect, it } from 'vitest';
import type { Alert, GroupAlert } from '../../../../lambdas/core/alerts/alert-model.ts';
import { planDelivery } from '../../../../lambdas/core/alerts/plan-delivery.ts';
import { clean, renderEmail, subjectOf } from '../../../../lambdas/core/alerts/render-email.ts';
import { alertOf, announcedOf, digestOf, finding, T0, verdictOf } from './alert-fixtures.ts';

/** SNS's subject rules: printable ASCII, no line breaks, under 100 characters. */
function expectValidSubject(subject: string): void {
  expect(subject).toMatch(/^[\x20-\x7e]+$/);
  expect(subject.length).toBeLessThan(100);
  expect(subject).toMatch(/^[A-Za-z0-9\p{P}]/u);
}

const failing = verdictOf({
  findings: [
    finding('CVE-2026-0001', 'CRITICAL', { title: 'Heap overflow in X.509 parsing' }),
    finding('CVE-2026-0002', 'CRITICAL', { fixedVersions: [] }),
    ...['3', '4', '5', '6', '7'].map((n) => finding(`CVE-2026-000${n}`, 'HIGH', { package: { name: 'zlib1g', version: '1:1.2.13', purl: 'pkg:deb/debian/zlib1g', type: 'deb', path: '/var/lib/dpkg/status' } })),
    finding('CVE-2026-0100', 'MEDIUM'),
  ],
  suppressedCount: 3,
});

describe('renderEmail for an image', () => {
  it('has the verdict, reference and failing counts in the subject', () => {
    const { subject } = renderEmail(alertOf({ verdict: failing }));
    expect(subject).toBe('[Customs] FAIL team-a/app:1.2 - 2 CRITICAL, 5 HIGH');
    expectValidSubject(subject);
  });

  it('tells a change of verdict, a failed scan and missing advisories apart in the subject', () => {
    const back = alertOf({ eventType: 'VERDICT_CHANGED', verdict: verdictOf({ findings: [] }), announced: announcedOf('FAIL', ['CVE-2026-0001']) });
    expect(renderEmail(back).subject).toBe('[Customs] PASS (was FAIL) team-a/app:1.2');
    const failed = alertOf({ eventType: 'SCAN_FAILED', tags: [], verdict: verdictOf({ verdict: 'FAILED', reason: 'layer 3 is not a valid gzip stream' }) });
    expect(renderEmail(failed).subject).toBe(`[Customs] SCAN FAILED team-a/app@${digestOf('app').slice(0, 19)} - layer 3 is not a valid gzip stream`);
    const stale = alertOf({ eventType: 'ADVISORIES_UNAVAILABLE', verdict: verdictOf({ verdict: 'ADVISORIES_UNAVAILABLE', reason: 'no advisories for Debian' }) });
    expect(renderEmail(stale).subject).toBe('[Customs] NO ADVISORIES team-a/app:1.2 - no advisories for Debian');
  });

  it('writes what, where, verdict, policy, counts, worst findings with fixes, what changed and the alertId', () => {
    const alert = alertOf({ eventType: 'VERDICT_CHANGED', tags: ['1.2', 'latest'], verdict: failing, announced: announcedOf('PASS', ['CVE-2026-0009']) });
    const { text } = renderEmail(alert);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Customs: the verdict of team-a/app:1.2 changed to FAIL (was PASS)');
    expect(lines).toContain('Repository: team-a/app (account 111122223333, eu-west-1)');
    expect(lines).toContain('Tags:       1.2, latest');
    expect(lines).toContain(`Digest:     ${digestOf('app')}`);
    expect(lines).toContain('Platform:   linux/amd64');
    expect(lines).toContain('Verdict:    FAIL (was PASS)  [VERDICT_CHANGED]');
    expect(lines).toContain('Policy:     version pv1-0000000000000001 from prefix:team-a/, mode audit, fails at HIGH and above');
    expect(lines).toContain('Findings after the policy: 2 CRITICAL, 5 HIGH, 1 MEDIUM, 0 LOW, 0 UNKNOWN');
    expect(lines).toContain('Failing: 7; suppressed by the policy: 3');
    expect(lines).toContain('  CVE-2026-0001  CRITICAL  openssl 3.0.11-1 (deb): fixed in 3.0.13-1');
    expect(lines).toContain('      Heap overflow in X.509 parsing');
    expect(lines).toContain('  CVE-2026-0002  CRITICAL  openssl 3.0.11-1 (deb): no fix yet');
    expect(lines).toContain('  CVE-2026-0003  HIGH  zlib1g 1:1.2.13 (deb): fixed in 3.0.13-1');
    expect(lines).toContain('  Newly failing: CVE-2026-0001, CVE-2026-0002, CVE-2026-0003, CVE-2026-0004, CVE-2026-0005, CVE-2026-0006, CVE-2026-0007');
    expect(lines).toContain('  No longer failing: CVE-2026-0009');
    expect(lines.at(-2)).toBe(`alertId ${alert.alertId}. The same alert as JSON (customs.alert/v1) goes to SQS, HTTPS and Lambda subscribers; de-duplicate on alertId.`);
  });

  it('lists an index platform by platform, with the reason of one that failed', () => {
    const platforms = [
      { digest: digestOf('amd64'), platform: { os: 'linux', architecture: 'amd64' }, verdict: 'PASS' as const, status: 'SCANNED' as const, scannedAt: T0 },
      { digest: digestOf('arm64'), platform: { os: 'linux', architecture: 'arm64' }, verdict: 'FAILED' as const, status: 'FAILED' as const, reason: 'layer unreadable', scannedAt: T0 },
    ];
    const alert = { ...alertOf({ eventType: 'SCAN_FAILED', verdict: verdictOf({ verdict: 'FAILED', reason: 'linux/arm64: layer unreadable', platforms }) }) };
    const text = renderEmail({ ...alert, image: { ...alert.image, kind: 'index' } }).text;
    expect(text).toContain('Platforms:  2 (an image index)\n');
    expect(text).toContain(`  linux/amd64  ${digestOf('amd64')}  PASS\n`);
    expect(text).toContain(`  linux/arm64  ${digestOf('arm64')}  FAILED: layer unreadable\n`);
    expect(text).toContain('  No vulnerability started or stopped failing; the verdict itself changed.');
  });
});

describe('renderEmail for a group', () => {
  it('names the repository, advisory and count, and lists the images', () => {
    const alerts = Array.from({ length: 60 }, (_, index) =>
      alertOf({ eventType: 'VERDICT_CHANGED', key: { digest: digestOf(`img-${index}`) }, tags: [`v${index}`], verdict: verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL')] }), announced: announcedOf('PASS') }),
    );
    const group = planDelivery(alerts, { emailImageCap: 5, time: T0 }).find((o) => o.audience === 'people')!.alert as GroupAlert;
    const { subject, text } = renderEmail(group);
    expect(subject).toBe('[Customs] FAIL team-a/app - 60 images, CVE-2026-0001');
    expectValidSubject(subject);
    expect(text).toContain('Customs: 60 images in team-a/app are now FAIL (VERDICT_CHANGED), grouped by CVE-2026-0001\n');
    expect(text).toContain('Images (60, the first 50 by digest):\n');
    for (const listed of group.images.listed) expect(text).toContain(`  ${listed.digest}  ${listed.tags.join(', ')}\n`);
    expect(text).toContain('  ... and 10 more\n');
    expect(text).toContain(`alertId ${group.alertId}.`);
  });
});

describe('hostile strings', () => {
  const hostile = 'evil\r\nBcc: victim@example.com\u0000\u001b[31m\u202eTXT.EXE\u200b\u2028next';

  it('never lets a value break a line, hide text or spoof direction', () => {
    const verdict = verdictOf({ findings: [finding(`CVE-${hostile}`, 'CRITICAL', { title: hostile, fixedVersions: [hostile] })] });
    const alert = alertOf({ verdict, tags: [hostile] });
    const { subject, text } = renderEmail(alert);
    expectValidSubject(subject);
    for (const line of text.split('\n')) {
      expect(line).not.toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]/u);
      expect(line.startsWith('Bcc:')).toBe(false);
    }
    expect(text).toContain('evil Bcc: victim@example.com [31mTXT.EXE next');
  });

  it('cuts long values, and the subject below 100 characters', () => {
    const long = 'A'.repeat(5000);
    const verdict = verdictOf({ verdict: 'FAILED', reason: long });
    const { subject, text } = renderEmail(alertOf({ eventType: 'SCAN_FAILED', verdict, tags: [long] }));
    expectValidSubject(subject);
    expect(subject.endsWith('...')).toBe(true);
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThan(400);
  });

  it('gives SNS an ASCII subject for non-ASCII text, one ? per character', () => {
    expect(subjectOf('[Customs] FAIL équipe/app:ü🐳')).toBe('[Customs] FAIL ?quipe/app:??');
    expect(clean('a\tb\n\nc', 10)).toBe('a b c');
    expect(clean('🐳'.repeat(10), 5)).toBe('🐳🐳...');
  });

  it('opens each event type with its own headline', () => {
    const headlines = (['FAILED_POLICY', 'VERDICT_CHANGED', 'SCAN_FAILED', 'ADVISORIES_UNAVAILABLE'] as const).map((eventType) => {
      const alert: Alert = alertOf({ eventType, announced: announcedOf('PASS') });
      return renderEmail(alert).text.split('\n')[0];
    });
    expect(new Set(headlines).size).toBe(4);
  });
});
