import { describe, expect, it, vi } from 'vitest';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import type { ImageEvent } from '../../../../lambdas/core/pipeline/image-event.ts';
import type { ImageKey, RegistryImage, RepositoryKey, ScanRequest } from '../../../../lambdas/core/pipeline/model.ts';
import { handleImageEvent, planImageEvent, type HandleImageEventDeps } from '../../../../lambdas/core/use-cases/handle-image-event.ts';
import type { ScanImageResult } from '../../../../lambdas/core/use-cases/scan-image.ts';

const digest = `sha256:${'e5'.repeat(32)}` as Digest;
const event = (kind: ImageEvent['kind'], tag?: string, time = '2026-11-16T01:54:34Z'): ImageEvent => ({
  kind,
  eventId: 'evt',
  account: '111122223333',
  region: 'eu-west-1',
  repository: 'app',
  digest,
  ...(tag !== undefined ? { tag } : {}),
  time,
});
const key: ImageKey = { account: '111122223333', region: 'eu-west-1', repository: 'app', digest };
const at = new Date('2026-11-16T01:54:34Z');
const received = new Date('2026-11-16T02:00:00Z');

describe('planImageEvent', () => {
  it.each([
    ['a push of a digest the registry no longer has', event('push', 'v1'), { exists: false } as const],
    ['an untagged DELETE of a digest the registry still has', event('delete'), { exists: true, tags: [] } as const],
    ['a DELETE of a tag pushed back onto the digest', event('delete', 'v1'), { exists: true, tags: ['v1'] } as const],
  ])('skips %s', (_name, input, now) => {
    expect(planImageEvent(input, now, received).action).toBe('skip');
  });

  it('marks the image deleted only when the registry no longer has the digest', () => {
    expect(planImageEvent(event('delete', 'v1'), { exists: false }, received)).toEqual({ action: 'mark-deleted', key, at });
    expect(planImageEvent(event('delete', 'v1'), { exists: true, tags: ['v2'] }, received)).toEqual({ action: 'remove-tag', key, tag: 'v1', at });
  });

  it('scans a pull-through-cache image with the push time the registry reports, falling back to the event time', () => {
    const pushedAt = new Date('2026-11-16T01:50:00Z');
    expect(planImageEvent(event('pull-through-cache', '3.17'), { exists: true, tags: ['3.17'], pushedAt }, received)).toEqual({
      action: 'scan',
      request: { ...key, tag: '3.17', pushedAt, kind: 'pull-through-cache' },
    });
    expect(planImageEvent(event('push'), { exists: true, tags: [] }, received)).toEqual({ action: 'scan', request: { ...key, pushedAt: at, kind: 'push' } });
  });

  it('records no tag for a push whose tag has moved to another digest since', () => {
    expect(planImageEvent(event('replication', 'latest'), { exists: true, tags: ['v2'] }, received)).toEqual({ action: 'scan', request: { ...key, pushedAt: at, kind: 'replication' } });
  });

  it('takes the time the event was received when its time is not a date', () => {
    expect(planImageEvent(event('delete', 'v1', '2026-02-31T25:61:00Z'), { exists: false }, received)).toEqual({ action: 'mark-deleted', key, at: received });
  });
});

describe('handleImageEvent', () => {
  function fakes(state: RegistryImage) {
    const asked: [RepositoryKey, Digest][] = [];
    const deps = {
      registry: {
        describe: vi.fn(async (repository: RepositoryKey, wanted: Digest) => {
          asked.push([repository, wanted]);
          return state;
        }),
      },
      images: { removeTag: vi.fn(async () => {}), markDeleted: vi.fn(async () => {}), get: vi.fn(async () => undefined) },
      scan: vi.fn(
        async (request: ScanRequest): Promise<ScanImageResult> => ({ request, kind: 'image', manifests: [{ digest: request.digest, outcome: 'duplicate' }] }),
      ),
      clock: { now: () => received },
    } satisfies HandleImageEventDeps;
    return { deps, asked };
  }

  it('asks the registry about the event’s own account, region, repository and digest', async () => {
    const { deps, asked } = fakes({ exists: false });
    await handleImageEvent(event('push', 'v1'), deps);
    expect(asked).toEqual([[{ account: key.account, region: key.region, repository: key.repository }, digest]]);
  });

  it('scans what the plan says and hands back the scan’s result', async () => {
    const { deps } = fakes({ exists: true, tags: ['v1'] });
    const outcome = await handleImageEvent(event('push', 'v1'), deps);
    const request: ScanRequest = { ...key, tag: 'v1', pushedAt: at, kind: 'push' };
    expect(deps.scan).toHaveBeenCalledExactlyOnceWith(request);
    expect(outcome).toMatchObject({ action: 'scanned', request, result: await deps.scan.mock.results[0]!.value, durationMs: 0 });
    expect(deps.images.removeTag).not.toHaveBeenCalled();
    expect(deps.images.markDeleted).not.toHaveBeenCalled();
  });

  it('removes a tag the registry no longer shows, and marks a digest it no longer has deleted', async () => {
    const moved = fakes({ exists: true, tags: ['v2'] });
    expect(await handleImageEvent(event('delete', 'v1'), moved.deps)).toEqual({ action: 'tag-removed', key, tag: 'v1', at });
    expect(moved.deps.images.removeTag).toHaveBeenCalledExactlyOnceWith(key, 'v1', at);

    const gone = fakes({ exists: false });
    expect(await handleImageEvent(event('delete', 'v1'), gone.deps)).toEqual({ action: 'deleted', key, at });
    expect(gone.deps.images.markDeleted).toHaveBeenCalledExactlyOnceWith(key, at);
    for (const { deps } of [moved, gone]) expect(deps.scan).not.toHaveBeenCalled();
  });

  it('changes nothing for an event with nothing to do', async () => {
    const { deps } = fakes({ exists: false });
    const outcome = await handleImageEvent(event('push', 'v1'), deps);
    expect(outcome.action).toBe('skipped');
    expect([deps.scan, deps.images.removeTag, deps.images.markDeleted].map((fn) => fn.mock.calls.length)).toEqual([0, 0, 0]);
  });

  it('lets a registry or store failure through for the caller to retry', async () => {
    const { deps } = fakes({ exists: true, tags: [] });
    deps.registry.describe.mockRejectedValueOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handleImageEvent(event('push'), deps)).rejects.toThrow('Rate exceeded');
    deps.images.removeTag.mockRejectedValueOnce(new Error('store down'));
    await expect(handleImageEvent(event('delete', 'v1'), deps)).rejects.toThrow('store down');
    expect(deps.scan).not.toHaveBeenCalled();
  });
});
