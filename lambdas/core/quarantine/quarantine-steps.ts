import { CustomsError } from '../errors.ts';
import type { ImageKey } from '../pipeline/model.ts';
import type { KeptTag } from '../pipeline/quarantine-model.ts';
import type { QuarantineRegistry } from '../ports.ts';

export interface UntagResult {
  readonly removed: readonly string[];
  readonly kept: readonly KeptTag[];
}

/**
 * The registry half of `untag`: the marker first (so removing the last tag cannot delete the image),
 * then each tag, only while it still names this digest. Safe to repeat: the marker is `already`
 * there, and a tag the crashed attempt removed is `absent` now (it was written in `removing` before
 * any delete, so it counts as removed, not as someone else's).
 */
export async function putMarkerAndRemoveTags(registry: QuarantineRegistry, key: ImageKey, marker: string, removing: readonly string[]): Promise<UntagResult> {
  const manifest = await registry.manifest(key);
  const put = await registry.putTag(key, marker, manifest);
  if (put.outcome === 'taken') {
    // Markers are unique per digest: another digest holding this one is not ours to move.
    throw new CustomsError('unsupported', `marker tag ${marker} of ${key.repository}@${key.digest} names ${put.digest ?? 'another image'}; not quarantining over it`);
  }
  const removed: string[] = [];
  const kept: KeptTag[] = [];
  for (const tag of removing) {
    const outcome = await registry.deleteTag(key, tag);
    if (outcome.outcome === 'moved') kept.push({ tag, why: 'moved', ...(outcome.digest ? { digest: outcome.digest } : {}) });
    else removed.push(tag);
  }
  return { removed, kept };
}
