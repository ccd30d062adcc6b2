import type { Digest } from '../digest.ts';
import type { KeptTag, QuarantineRecord, QuarantineWarning } from '../pipeline/quarantine-model.ts';
import type { ManifestBytes, QuarantineRegistry, TagHistory } from '../ports.ts';
import { markerKeptWarning } from './quarantine-warnings.ts';

export interface RestoreResult {
  readonly restored: readonly string[];
  readonly kept: readonly KeptTag[];
  readonly markerRemoved: boolean;
  readonly warnings: readonly QuarantineWarning[];
}

/**
 * The registry half of releasing an untag quarantine: each removed tag goes back on the digest
 * unless it names another image now or the tag history shows a push of it to another image since it
 * was removed (a newer push wins, always); then the marker goes, but only while another tag keeps
 * the image (a registry deletes an image with its last tag). Every step reads before it writes, so a
 * rerun after a crash finds what the last attempt did and answers the same.
 */
export async function restoreTags(record: QuarantineRecord, deps: { readonly registry: QuarantineRegistry; readonly tags: TagHistory }): Promise<RestoreResult> {
  const { key } = record;
  const repository = { account: key.account, region: key.region, repository: key.repository };
  const removedAt = new Map(record.removedTags.map((entry) => [entry.tag, entry.removedAt]));
  // Tags an interrupted attempt was removing: removed some time after the quarantine started, so
  // any push of them since then counts (the conservative bound).
  for (const tag of record.removing) if (!removedAt.has(tag)) removedAt.set(tag, record.startedAt);
  const restored: string[] = [];
  const kept: KeptTag[] = [];
  let manifest: ManifestBytes | undefined;
  for (const [tag, since] of [...removedAt].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const now = await deps.registry.tagDigest(repository, tag);
    if (now === key.digest) {
      restored.push(tag);
      continue;
    }
    if (now !== undefined) {
      kept.push({ tag, why: 'moved', digest: now });
      continue;
    }
    const pushed = await pushedSince(deps.tags, repository, tag, key.digest, since);
    if (pushed) {
      kept.push({ tag, why: 'pushed-since', digest: pushed });
      continue;
    }
    manifest ??= await deps.registry.manifest(key);
    const put = await deps.registry.putTag(key, tag, manifest);
    if (put.outcome === 'taken') kept.push({ tag, why: 'moved', ...(put.digest ? { digest: put.digest } : {}) });
    else restored.push(tag);
  }
  const marker = await removeMarker(record, deps.registry);
  return { restored, kept, markerRemoved: marker.removed, warnings: marker.warnings };
}

/** The newest push of `tag` to another image after `since`, per the tag history. */
async function pushedSince(history: TagHistory, repository: { account: string; region: string; repository: string }, tag: string, digest: Digest, since: Date): Promise<Digest | undefined> {
  const events = await history.tagHistory(repository, tag);
  const later = events.filter((event) => event.action === 'tagged' && event.digest !== digest && event.at.getTime() > since.getTime());
  return later.at(-1)?.digest;
}

async function removeMarker(record: QuarantineRecord, registry: QuarantineRegistry): Promise<{ removed: boolean; warnings: QuarantineWarning[] }> {
  const marker = record.marker;
  if (marker === undefined) return { removed: false, warnings: [] };
  const image = await registry.describe(record.key);
  if (!image.exists || !image.tags.includes(marker)) return { removed: image.exists, warnings: [] };
  if (!image.tags.some((tag) => tag !== marker)) return { removed: false, warnings: [markerKeptWarning(marker)] };
  const outcome = await registry.deleteTag(record.key, marker);
  return { removed: outcome.outcome !== 'moved', warnings: [] };
}
