import type { ImageKey, RepositoryKey } from '../pipeline/model.ts';
import type { Clock, ImageStateStore, RegistryCatalog, RegistryImageReader } from '../ports.ts';
import { mapLimit } from '../util/map-limit.ts';

export interface CheckDeletedImagesDeps {
  readonly images: Pick<ImageStateStore, 'get' | 'markDeleted'>;
  /** Decides: only `exists: false` from the registry marks an image deleted. */
  readonly registry: RegistryImageReader;
  /**
   * Narrows: a digest the repository's listing shows is present and not asked about one by one
   * (one DescribeImages page answers for up to a thousand images). Without it every image is asked.
   */
  readonly listing?: Pick<RegistryCatalog, 'images'>;
  readonly clock: Clock;
}

export interface DeletedImagesCheck {
  /** Images asked about one by one. */
  readonly asked: number;
  /** Marked deleted by this check. */
  readonly marked: readonly ImageKey[];
  /** Every image of those given that is deleted now (marked here or before, or with no state left). */
  readonly gone: ReadonlySet<string>;
}

/**
 * Marks deleted the images of one repository whose digest the registry no longer has. A DELETE
 * event may only have removed a tag, so it is never taken as the image's deletion; the registry is
 * asked about the digest itself. A deleted image keeps its state and verdict (history), and is no
 * longer judged, rescanned or alerted (evaluateImages answers `gone` for it). Idempotent: marking
 * twice is a no-op, and a digest pushed again is restored by its push.
 */
export async function checkDeletedImages(repository: RepositoryKey, keys: readonly ImageKey[], deps: CheckDeletedImagesDeps, concurrency = 8): Promise<DeletedImagesCheck> {
  const present = new Set<string>();
  if (deps.listing) for await (const image of deps.listing.images(repository)) present.add(image.digest);
  const candidates = keys.filter((key) => !present.has(key.digest));
  const marked: ImageKey[] = [];
  const gone = new Set<string>();
  let asked = 0;
  await mapLimit(candidates, concurrency, async (key) => {
    const state = await deps.images.get(key);
    if (!state || state.deletedAt) {
      gone.add(key.digest);
      return;
    }
    asked++;
    const now = await deps.registry.describe(repository, key.digest);
    if (now.exists) return;
    await deps.images.markDeleted(key, deps.clock.now());
    marked.push(key);
    gone.add(key.digest);
  });
  return { asked, marked: marked.sort((a, b) => a.digest.localeCompare(b.digest)), gone };
}
