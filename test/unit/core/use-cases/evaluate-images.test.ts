import { describe, expect, it } from 'vitest';
import type { OutgoingAlert } from '../../../../lambdas/core/alerts/alert-model.ts';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import type { ImageKey, ImageState, RawFinding, ScanRecord, StoredFinding } from '../../../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../../../lambdas/core/pipeline/raw-findings.ts';
import { compilePolicyCatalogue } from '../../../../lambdas/core/policy/policy-catalogue.ts';
import { parsePolicyDocument, type PolicyDocumentInput } from '../../../../lambdas/core/policy/policy-document.ts';
import { StaticPolicySource } from '../../../../lambdas/core/policy/static-policy-source.ts';
import type { StoredVerdict, VerdictStore, VerdictWrite } from '../../../../lambdas/core/ports.ts';
import { evaluateImages, type EvaluateImagesDeps } from '../../../../lambdas/core/use-cases/evaluate-images.ts';
import { sampleFinding, samplePackage } from '../../../support/sample-findings.ts';
import { digestOf } from '../alerts/alert-fixtures.ts';

/**
 * The evaluation run's decisions over in-memory ports (the DynamoDB adapters have their own tests on
 * DynamoDB Local, and the whole run is tested there and through the handler).
 */
const NOW = new Date('2026-12-02T10:00:00Z');
const repository = 'team-a/app';
const keyOf = (digest: Digest, repo = repository): ImageKey => ({ account: '111122223333', region: 'eu-west-1', repository: repo, digest });
const id = (key: ImageKey): string => `${key.repository}@${key.digest}`;

function critical(): RawFinding {
  return toRawFinding(sampleFinding({ id: 'CVE-2021-44906', package: samplePackage({ name: 'minimist', version: '1.2.0' }), severity: { severity: 'CRITICAL', kind: 'cvss' }, fixedVersions: ['1.2.6'] }));
}

/** Rebuilt with every object's keys in reverse order, as a store may hand fields back in its own order. */
function reordered<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(reordered) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reordered(item)])) as T;
}

class MemoryVerdicts implements VerdictStore {
  readonly items = new Map<string, StoredVerdict>();
  puts = 0;
  /** Writes that happen between another writer's read and its put, to exercise conflicts. */
  interleave?: (key: ImageKey) => Promise<unknown>;
  async get(key: ImageKey) {
    return this.items.get(id(key));
  }
  async getMany(keys: readonly ImageKey[]) {
    return keys.map((key) => this.items.get(id(key)));
  }
  async put(key: ImageKey, write: VerdictWrite, expected: number | undefined) {
    const interleave = this.interleave;
    this.interleave = undefined;
    await interleave?.(key);
    const stored = this.items.get(id(key));
    if (stored?.revision !== expected) return false;
    this.puts++;
    this.items.set(id(key), reordered({ key, ...write, revision: (expected ?? 0) + 1 }));
    return true;
  }
  async confirm(key: ImageKey, alertId: string) {
    const stored = this.items.get(id(key));
    if (stored?.pending?.alert.alertId !== alertId) return;
    const { pending, ...rest } = stored;
    this.items.set(id(key), { ...rest, announced: pending.announced, revision: stored.revision + 1 });
  }
}

function world(policy: PolicyDocumentInput = {}) {
  const states = new Map<string, ImageState>();
  const scans = new Map<Digest, { record: ScanRecord; findings: StoredFinding[] }>();
  let findingReads = 0;
  const published: OutgoingAlert[][] = [];
  const verdicts = new MemoryVerdicts();
  const image = (digest: Digest, tags: string[], extra: Partial<ImageState> = {}, repo = repository): ImageKey => {
    const key = keyOf(digest, repo);
    states.set(id(key), { ...key, tags, pushedAt: NOW, firstSeenAt: NOW, kind: 'push', children: [], parents: [], ...extra });
    return key;
  };
  const scanned = (digest: Digest, findings: RawFinding[] = []): void => {
    const record: ScanRecord = { digest, scannerVersion: 'v', status: 'SCANNED', layers: [], packageCount: 1, findingCount: findings.length, severityCounts: {}, advisories: [], startedAt: NOW, finishedAt: NOW };
    scans.set(digest, { record, findings: findings.map((finding) => ({ ...finding, firstSeen: NOW, lastSeen: NOW })) });
  };
  const deps = (now = NOW): EvaluateImagesDeps => ({
    images: { get: async (key) => states.get(id(key)) },
    results: {
      get: async (digest) => scans.get(digest)?.record,
      findings: async (digest) => {
        findingReads++;
        return scans.get(digest)?.findings ?? [];
      },
    },
    sboms: { get: async () => Promise.reject(new Error('not needed')) },
    verdicts,
    policies: new StaticPolicySource(compilePolicyCatalogue(parsePolicyDocument(policy), new Map())),
    alerts: { publish: async (alerts) => void published.push([...alerts]) },
    clock: { now: () => now },
    options: { emailImageCap: 20, repositoryId: (key) => key.repository },
  });
  return { image, scanned, deps, verdicts, published, findingReads: () => findingReads };
}

describe('evaluateImages', () => {
  it('announces a failing tagged image, confirms it, and announces nothing when judged again', async () => {
    const w = world();
    const key = w.image(digestOf('a'), ['1']);
    w.scanned(key.digest, [critical()]);
    const run = await evaluateImages([key, key], w.deps());
    expect(run.images).toEqual([expect.objectContaining({ outcome: 'judged', verdict: 'FAIL', decision: 'FAILED_POLICY' })]);
    expect(w.published.flat().map(({ alert, audience }) => [alert.eventType, audience])).toEqual([['FAILED_POLICY', 'all']]);
    expect(w.verdicts.items.get(id(key))?.pending).toBeUndefined();
    expect(w.verdicts.items.get(id(key))?.announced?.verdict).toBe('FAIL');

    const again = await evaluateImages([key], w.deps());
    expect(again.images).toEqual([expect.objectContaining({ decision: 'none' })]);
    expect(again.published).toEqual({ alerts: 0, events: 0 });
  });

  it('records an untagged platform manifest silently (its index reports it) and judges an index from its children', async () => {
    const w = world();
    const [amd, arm] = [digestOf('amd64'), digestOf('arm64')];
    const index = w.image(digestOf('index'), ['1'], { children: [amd, arm] });
    const child = w.image(amd, [], { parents: [index.digest] });
    w.scanned(amd, [critical()]);
    // The other platform is not scanned yet: the index waits for it.
    const early = await evaluateImages([child, index], w.deps());
    expect(early.images).toEqual([
      expect.objectContaining({ key: child, outcome: 'judged', verdict: 'FAIL', decision: 'silent' }),
      { key: index, outcome: 'pending-scan', missing: [arm] },
    ]);
    expect(w.published).toEqual([]);

    w.scanned(arm);
    const run = await evaluateImages([index], w.deps());
    expect(run.images).toEqual([expect.objectContaining({ verdict: 'FAIL', decision: 'FAILED_POLICY' })]);
    const [[{ alert }]] = w.published as [[OutgoingAlert]];
    expect(alert.kind === 'image' && alert.image.platforms.map((platform) => [platform.digest, platform.verdict])).toEqual([
      [amd, 'FAIL'],
      [arm, 'PASS'],
    ]);
  });

  it('leaves an image another evaluation is announcing alone, and takes over its alert once that writer is gone', async () => {
    const w = world();
    const key = w.image(digestOf('b'), ['1']);
    w.scanned(key.digest, [critical()]);
    const failing = { ...w.deps(), alerts: { publish: async () => Promise.reject(new Error('throttled')) } };
    await expect(evaluateImages([key], failing)).rejects.toThrow('throttled');
    const pending = w.verdicts.items.get(id(key))?.pending;
    expect(pending?.alert.eventType).toBe('FAILED_POLICY');

    // Within the grace the same change is the other writer's; a different one waits for it.
    expect((await evaluateImages([key], w.deps(new Date(NOW.getTime() + 5_000)))).images).toEqual([expect.objectContaining({ decision: 'none' })]);
    w.scanned(key.digest);
    expect((await evaluateImages([key], w.deps(new Date(NOW.getTime() + 5_000)))).images).toEqual([{ key, outcome: 'busy' }]);
    expect(w.published).toEqual([]);

    // Past the grace its alert is published as it was decided, then the new change (now PASS) after it.
    const later = await evaluateImages([key], w.deps(new Date(NOW.getTime() + 60_000)));
    expect(w.published.flat().map(({ alert }) => [alert.alertId, alert.eventType])).toEqual([
      [pending!.alert.alertId, 'FAILED_POLICY'],
      [expect.any(String), 'VERDICT_CHANGED'],
    ]);
    expect(later.images).toEqual([expect.objectContaining({ verdict: 'PASS', previous: 'FAIL', decision: 'VERDICT_CHANGED' })]);
  });

  it('decides again against a verdict another writer stored between its read and its write, announcing the change once', async () => {
    const w = world();
    const key = w.image(digestOf('c'), ['1']);
    w.scanned(key.digest, [critical()]);
    // A rival evaluation of the same image runs whole between this one's read and its conditional write.
    w.verdicts.interleave = () => evaluateImages([key], w.deps());
    const run = await evaluateImages([key], w.deps());
    expect(run.images).toEqual([expect.objectContaining({ verdict: 'FAIL', decision: 'none' })]);
    expect(run.published).toEqual({ alerts: 0, events: 0 });
    expect(w.published.flat().map(({ alert }) => alert.eventType)).toEqual(['FAILED_POLICY']);
  });

  it('announces an image pushed by digest alone once it is tagged', async () => {
    const w = world();
    const key = w.image(digestOf('by-digest'), []);
    w.scanned(key.digest, [critical()]);
    expect((await evaluateImages([key], w.deps())).images).toEqual([expect.objectContaining({ verdict: 'FAIL', decision: 'silent' })]);
    expect(w.published).toEqual([]);
    w.image(key.digest, ['release']);
    expect((await evaluateImages([key], w.deps())).images).toEqual([expect.objectContaining({ verdict: 'FAIL', decision: 'FAILED_POLICY' })]);
  });

  it('answers a repeated push from the stored verdict while its policy, scans and ignore entries still hold, reading no findings', async () => {
    const w = world({ default: { ignore: [{ id: 'CVE-2021-44906', reason: 'accepted until the fix ships', expires: '2026-12-31' }] } });
    const key = w.image(digestOf('repeat'), ['1']);
    w.scanned(key.digest, [critical()]);
    await evaluateImages([key], w.deps());
    const [reads, puts] = [w.findingReads(), w.verdicts.puts];
    expect((await evaluateImages([key], w.deps(new Date('2026-12-20T00:00:00Z')))).images).toEqual([expect.objectContaining({ verdict: 'PASS', decision: 'none' })]);
    expect([w.findingReads(), w.verdicts.puts]).toEqual([reads, puts]);
    // Past the entry's expiry the stored verdict no longer holds: judged again, and the change announced.
    expect((await evaluateImages([key], w.deps(new Date('2027-01-01T00:00:01Z')))).images).toEqual([expect.objectContaining({ verdict: 'FAIL', previous: 'PASS', decision: 'VERDICT_CHANGED' })]);
    expect(w.findingReads()).toBe(reads + 1);
  });

  it('writes nothing when judging again gives the verdict stored, whatever order the store gave its fields back in', async () => {
    // A VEX statement about the image itself can name tags, so every evaluation judges afresh.
    const vex = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/image',
      author: 'Security',
      timestamp: '2026-11-30T12:00:00Z',
      version: 1,
      statements: [{ vulnerability: { name: 'CVE-2099-0001' }, products: [{ '@id': 'pkg:oci/app?tag=1' }], status: 'not_affected', justification: 'component_not_present' }],
    };
    const w = world({ default: { vex: [{ inline: vex }] } });
    const key = w.image(digestOf('vex'), ['1']);
    w.scanned(key.digest, [critical()]);
    await evaluateImages([key], w.deps());
    const [reads, puts] = [w.findingReads(), w.verdicts.puts];
    expect((await evaluateImages([key], w.deps())).images).toEqual([expect.objectContaining({ verdict: 'FAIL', decision: 'none' })]);
    expect([w.findingReads(), w.verdicts.puts]).toEqual([reads + 1, puts]);
  });

  it('judges a deleted or unknown image as gone', async () => {
    const w = world();
    const gone = w.image(digestOf('d'), ['1'], { deletedAt: NOW });
    expect((await evaluateImages([gone, keyOf(digestOf('never'))], w.deps())).images.map((image) => image.outcome)).toEqual(['gone', 'gone']);
  });
});
