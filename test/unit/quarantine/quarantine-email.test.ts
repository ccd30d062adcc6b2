import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../lambdas/core/alerts/render-email.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import { markerKeptWarning } from '../../../lambdas/core/quarantine/quarantine-warnings.ts';
import { digestOf, verdictOf } from '../core/alerts/alert-fixtures.ts';
import { quarantinedAlert, quarantinedRecord, T1 } from './quarantine-fixtures.ts';

const digest = digestOf('app');

describe('renderEmail for quarantine alerts', () => {
  it('QUARANTINED (untag): removed tags, the marker, the digest still pullable, warnings and how to release', () => {
    const { subject, text } = renderEmail(quarantinedAlert());
    expect(subject).toBe('[Customs] QUARANTINED team-a/app:1.2 - 1 CRITICAL, 1 HIGH');
    expect(text).toContain('Customs: team-a/app:1.2 was quarantined\n');
    expect(text).toContain('Quarantine (untag, on push), id q-0001:\n');
    expect(text).toContain('  Removed tags: 1.2, latest\n');
    expect(text).toContain(`  Marker tag:   customs-quarantine-${digest.slice(7, 19)} (keeps the image from being deleted with its last tag)\n`);
    expect(text).toContain(`  Still pullable by digest: team-a/app@${digest} keeps working`);
    expect(text).toContain('    LIFECYCLE_EXPIRY: the repository\'s lifecycle policy could expire the quarantined image: rule 1: expires untagged images after 1 day\n');
    expect(text).toContain('    DIGEST_PULLABLE: ');
    expect(text).toMatch(/ {2}To release: .*Customs API\. Release puts back each removed tag unless somebody pushed it since/);
    // The footer stays last.
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^alertId [0-9a-f]{32}\./);
  });

  it('QUARANTINED (archive): every pull fails, the minimum storage charge, the immutable tags kept', () => {
    const { marker: _marker, ...record } = quarantinedRecord({ method: 'archive', removedTags: [], keptTags: [{ tag: '1.2', why: 'immutable' }], storage: 'ARCHIVED', warnings: [] });
    const { text } = renderEmail(quarantinedAlert({ record, tags: [], keptTags: record.keptTags, warnings: [] }));
    expect(text).toContain('  Archived (ARCHIVED): every pull fails, by tag and by digest; the image and its tags stay listed. Archived images carry a minimum storage charge.\n');
    expect(text).toContain('  Tags left alone:\n    1.2: immutable, not removed\n');
    expect(text).not.toContain('Removed tags');
    expect(text).not.toContain('Still pullable');
    expect(text).not.toContain('Warnings:');
  });

  it('RELEASED: restored and kept tags with where they point, the marker kept, ACTIVATING, who and why', () => {
    const other = digestOf('other') as Digest;
    const record = quarantinedRecord({
      state: 'RELEASED',
      storage: 'ACTIVATING',
      release: {
        by: 'arn:aws:iam::111122223333:role/oncall',
        reason: 'false positive\nreally',
        trigger: 'request',
        requestedAt: T1,
        failingIds: ['CVE-2026-0001'],
        restoredTags: [],
        keptTags: [{ tag: 'latest', why: 'pushed-since', digest: other }],
        markerRemoved: false,
        storage: 'ACTIVATING',
        releasedAt: T1,
      },
    });
    const warnings = [markerKeptWarning(record.marker!)];
    const alert = quarantinedAlert({ eventType: 'RELEASED', record, verdict: verdictOf({ findings: [] }), imageTags: [], tags: [], keptTags: record.release!.keptTags, warnings: [], step: [T1.toISOString()] });
    const { subject, text } = renderEmail({ ...alert, quarantine: { ...alert.quarantine!, warnings } });
    expect(subject).toBe(`[Customs] RELEASED team-a/app@${digest.slice(0, 19)}`);
    expect(text).toContain('was released from quarantine');
    expect(text).toContain('  Restored tags: none\n');
    expect(text).toContain(`  Marker tag:    ${record.marker} kept (see the warnings)\n`);
    expect(text).toContain('  Storage: ACTIVATING - the image is being restored from archive; pulls fail until the registry reports it ACTIVE (not instant).\n');
    expect(text).toContain('  Released by arn:aws:iam::111122223333:role/oncall (request): false positive really\n');
    expect(text).toContain(`    latest: pushed to another image since quarantine removed it (the newer push wins) (now ${other})\n`);
    expect(text).toContain('    MARKER_KEPT: ');
    expect(text).not.toContain('To release');
  });

  it('RELEASED with the marker gone says so', () => {
    const record = quarantinedRecord({ state: 'RELEASED' });
    const { text } = renderEmail(quarantinedAlert({ eventType: 'RELEASED', record, tags: ['1.2', 'latest'], warnings: [] }));
    expect(text).toContain('  Restored tags: 1.2, latest\n');
    expect(text).toMatch(/ {2}Marker tag: {4}customs-quarantine-[0-9a-f]{12} removed\n/);
  });

  it('QUARANTINE_SKIPPED: why, and that nothing was changed', () => {
    const record = quarantinedRecord({ state: 'SKIPPED', removedTags: [], skippedReason: 'immutable tags 1.2 and immutableTags alert-only', warnings: [{ code: 'IMMUTABLE_TAGS', message: 'immutable tags 1.2: not quarantined' }] });
    const { subject, text } = renderEmail(quarantinedAlert({ eventType: 'QUARANTINE_SKIPPED', record, tags: [], warnings: record.warnings }));
    expect(subject).toMatch(/^\[Customs\] NOT QUARANTINED team-a\/app:1\.2/);
    expect(text).toContain('  Not quarantined: immutable tags 1.2 and immutableTags alert-only. Nothing in the registry was changed.\n');
    expect(text).toContain('    IMMUTABLE_TAGS: immutable tags 1.2: not quarantined\n');
    expect(text).not.toContain('To release');
  });

  it('has no quarantine section in a verdict alert', () => {
    const { quarantine: _quarantine, ...plain } = quarantinedAlert();
    expect(renderEmail({ ...plain, eventType: 'FAILED_POLICY' }).text).not.toContain('Quarantine (');
  });
});
