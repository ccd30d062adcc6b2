import type { Digest } from '../digest.ts';
import type { Descriptor } from '../image/manifest-schema.ts';
import type { ImageSource } from '../ports.ts';

/**
 * The same source with its root replaced by a manifest already read and verified (so it is not
 * fetched twice) or by one child of an index (so each platform image is scanned under its own
 * digest and claim). Closing stays with the owner of the underlying source.
 */
export function pinnedSource(source: ImageSource, root: { readonly bytes: Uint8Array; readonly digest: Digest; readonly mediaType?: string }): ImageSource {
  return {
    reference: `${source.repository}@${root.digest}`,
    repository: source.repository,
    root: async () => ({ kind: 'document', content: oneChunk(root.bytes), expectedDigest: root.digest, ...(root.mediaType ? { mediaType: root.mediaType } : {}) }),
    open: (descriptor: Descriptor) => source.open(descriptor),
    close: async () => {},
  };
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
