import { describe, expect, it } from 'vitest';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageEvent } from '../../../lambdas/core/pipeline/image-event.ts';
import type { ImageKey, ScanRequest } from '../../../lambdas/core/pipeline/model.ts';
import type { EnforcementOutcome } from '../../../lambdas/core/use-cases/enforce-verdicts.ts';
import type { ImageEvaluation } from '../../../lambdas/core/use-cases/evaluate-images.ts';
import type { ImageEventOutcome } from '../../../lambdas/core/use-cases/handle-image-event.ts';
import type { RescanRun } from '../../../lambdas/core/use-cases/rescan-images.ts';
import type { ManifestOutcome } from '../../../lambdas/core/use-cases/scan-image.ts';
import { workLines } from '../../../lambdas/local/stack/console-report.ts';
import type { WorkOutcome } from '../../../lambdas/local/stack/local-work.ts';

const DIGEST = parseDigest(`sha256:${'0123456789abcdef'.repeat(4)}`);
const CHILD = parseDigest(`sha256:${'f'.repeat(64)}`);
const SHORT = 'sha256:0123456789ab';
const AT = new Date('2026-01-02T03:04:05Z');

function event(overrides: Partial<ImageEvent> = {}): ImageEvent {
  return { kind: 'push', eventId: 'evt-1', account: '000000000000', region: 'xx-local-1', repository: 'team/app', digest: DIGEST, tag: '1.0', time: AT.toISOString(), ...overrides };
}

function key(repository = 'team/app', digest: Digest = DIGEST): ImageKey {
  return { account: '000000000000', region: 'xx-local-1', repository, digest };
}

function image(outcome: ImageEventOutcome, forEvent: ImageEvent = event()): WorkOutcome {
  return { kind: 'image', event: forEvent, outcome };
}

function scanned(manifests: readonly ManifestOutcome[], extra: { evaluation?: readonly ImageEvaluation[]; enforcement?: readonly EnforcementOutcome[] } = {}, forEvent: ImageEvent = event()): WorkOutcome {
  const request: ScanRequest = { ...key(forEvent.repository, forEvent.digest), ...(forEvent.tag ? { tag: forEvent.tag } : {}), pushedAt: AT, kind: 'push' };
  return image(
    {
      action: 'scanned',
      request,
      result: { request, kind: 'image', manifests },
      durationMs: 12,
      ...(extra.evaluation ? { evaluation: { images: extra.evaluation, published: { alerts: 0, events: 0 } } } : {}),
      ...(extra.enforcement ? { enforcement: extra.enforcement } : {}),
    },
    forEvent,
  );
}

function manifest(overrides: Partial<Extract<ManifestOutcome, { outcome: 'scanned' }>> = {}): ManifestOutcome {
  return { digest: DIGEST, outcome: 'scanned', status: 'SCANNED', changes: { added: [], removed: [] }, severityCounts: {}, packageCount: 42, layerBytesRead: 1000, layersCached: 0, ...overrides };
}

function rescan(counts: Partial<RescanRun['counts']>): WorkOutcome {
  return {
    kind: 'rescan',
    run: { syncId: 'sync-1', digests: [], counts: { touched: 0, untouched: 0, skipped: 0, added: 0, resolved: 0, updated: 0, alerts: 0, quarantined: 0, released: 0, ...counts }, enforcement: [], releases: [] },
  };
}

function quarantined(removedTags: readonly string[], repository = 'team/app'): EnforcementOutcome {
  return { key: key(repository), action: 'quarantined', method: 'untag', removedTags, keptTags: [], alertId: 'alert-1' };
}

describe('workLines: image events', () => {
  it('says nothing of a skipped event', () => {
    expect(workLines(image({ action: 'skipped', why: 'already handled' }))).toEqual([]);
  });

  it('names a removed tag and a deleted image by a short digest', () => {
    expect(workLines(image({ action: 'tag-removed', key: key(), tag: 'latest', at: AT }))).toEqual(['tag removed: team/app:latest']);
    expect(workLines(image({ action: 'deleted', key: key(), at: AT }))).toEqual([`image deleted: team/app@${SHORT}`]);
  });

  it('gives one line per scanned manifest with its status, package count and severities in severity order', () => {
    const lines = workLines(scanned([manifest({ severityCounts: { LOW: 3, CRITICAL: 1, HIGH: 2, MEDIUM: 0 } })]));
    expect(lines).toEqual([`scanned: team/app:1.0 ${SHORT} SCANNED: 42 packages, 1 CRITICAL, 2 HIGH, 3 LOW`]);
  });

  it('says no findings for a clean image, names an untagged one by repository only, and gives a failure\'s reason', () => {
    expect(workLines(scanned([manifest()]))).toEqual([`scanned: team/app:1.0 ${SHORT} SCANNED: 42 packages, no findings`]);
    const untagged = event({ tag: undefined });
    expect(workLines(scanned([manifest({ status: 'FAILED', reason: 'layer 3 is not gzip', packageCount: 0 })], {}, untagged))).toEqual([
      `scanned: team/app ${SHORT} FAILED (layer 3 is not gzip): 0 packages, no findings`,
    ]);
  });

  it('has a line only for manifests this call scanned (not an index entry, a duplicate or a busy one)', () => {
    const lines = workLines(
      scanned([
        { digest: DIGEST, outcome: 'indexed', children: [CHILD] },
        manifest({ digest: CHILD, severityCounts: { UNKNOWN: 1 } }),
        { digest: CHILD, outcome: 'duplicate' },
        { digest: CHILD, outcome: 'busy' },
      ]),
    );
    expect(lines).toEqual([`scanned: team/app:1.0 sha256:ffffffffffff SCANNED: 42 packages, 1 UNKNOWN`]);
  });

  it('adds a verdict line when a verdict is new or changed, not when it stayed', () => {
    const lines = workLines(
      scanned([manifest()], {
        evaluation: [
          { key: key(), outcome: 'judged', verdict: 'FAIL', previous: 'PASS', policyVersion: 'p1', decision: 'VERDICT_CHANGED' },
          { key: key('team/new'), outcome: 'judged', verdict: 'PASS', policyVersion: 'p1', decision: 'none' },
          { key: key('team/same'), outcome: 'judged', verdict: 'PASS', previous: 'PASS', policyVersion: 'p1', decision: 'none' },
          { key: key('team/pending'), outcome: 'pending-scan', missing: [CHILD] },
          { key: key('team/busy'), outcome: 'busy' },
          { key: key('team/gone'), outcome: 'gone' },
        ],
      }),
    );
    expect(lines.slice(1)).toEqual([`verdict: team/app@${SHORT} FAIL (was PASS)`, `verdict: team/new@${SHORT} PASS`]);
  });

  it('adds a quarantine line with the removed tags and the release command, and nothing for other enforcement', () => {
    const lines = workLines(
      scanned([manifest()], {
        enforcement: [
          quarantined(['1.0', 'latest']),
          quarantined([], 'team/other'),
          { key: key(), action: 'none', why: 'verdict passes' },
          { key: key(), action: 'skipped', reason: 'audit mode' },
          { key: key(), action: 'busy', why: 'release in progress' },
        ],
      }),
    );
    expect(lines.slice(1)).toEqual([
      `quarantined: team/app@${SHORT} (untagged 1.0, latest; release with \`npx customs api release team/app@${DIGEST} --reason …\`)`,
      `quarantined: team/other@${SHORT} (untagged no tags; release with \`npx customs api release team/other@${DIGEST} --reason …\`)`,
    ]);
  });
});

describe('workLines: rescans', () => {
  it('says nothing when a rescan changed nothing', () => {
    expect(workLines(rescan({ untouched: 5, skipped: 2 }))).toEqual([]);
  });

  it('counts what a rescan changed', () => {
    expect(workLines(rescan({ touched: 2, added: 3, resolved: 1, updated: 4, quarantined: 1 }))).toEqual(['rescan: 2 image(s) changed (+3 -1 findings, 4 updated), 1 quarantined']);
    expect(workLines(rescan({ quarantined: 1 }))).toHaveLength(1);
  });
});

describe('workLines: names from the registry cannot drive the terminal', () => {
  it('shows control characters in repository names, tags and reasons escaped', () => {
    const hostile = event({ repository: 'team/\u001b[2Japp', tag: 'v1\nFAKE: all clean' });
    const [line] = workLines(scanned([manifest({ status: 'FAILED', reason: 'bad\rlayer\u009b31m' })], {}, hostile));
    expect(line).toBe(`scanned: team/\\u001b[2Japp:v1\\u000aFAKE: all clean ${SHORT} FAILED (bad\\u000dlayer\\u009b31m): 42 packages, no findings`);

    const removed = workLines(image({ action: 'tag-removed', key: key(), tag: 'x\u0007y', at: AT }, hostile));
    expect(removed).toEqual(['tag removed: team/\\u001b[2Japp:x\\u0007y']);
    const quarantine = workLines(scanned([], { enforcement: [quarantined(['t\u007f'], 'r\u0000')] }));
    expect(quarantine).toEqual([`quarantined: r\\u0000@${SHORT} (untagged t\\u007f; release with \`npx customs api release r\\u0000@${DIGEST} --reason …\`)`]);
  });

  it('leaves no raw control character in any line', () => {
    const hostile = event({ repository: '\u0001\u001f\u0085', tag: '\t' });
    const lines = [
      ...workLines(scanned([manifest({ reason: '\u0000' })], { evaluation: [{ key: key('\u0008'), outcome: 'judged', verdict: 'FAIL', policyVersion: 'p', decision: 'FAILED_POLICY' }] }, hostile)),
      ...workLines(image({ action: 'deleted', key: key(), at: AT }, hostile)),
    ];
    expect(lines).toHaveLength(3);
    // eslint-disable-next-line no-control-regex
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
