import { DigestHasher, digestAlgorithm, digestMismatch, type Digest } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';

/**
 * ECR carries a manifest as a string (imageManifest) although its digest is of the bytes. These
 * convert between the two strictly and check the digest, so what is put under a tag is the image
 * the tag is meant for and nothing else: a lossy decode or a converted manifest is an error.
 */

// fatal: invalid UTF-8 throws rather than turning into U+FFFD, which would change the digest.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();

/** The digest of `bytes` in the algorithm `digest` uses. */
export function digestOfBytes(bytes: Uint8Array, like: Digest): Digest {
  const hasher = new DigestHasher(digestAlgorithm(like));
  hasher.update(bytes);
  return hasher.digest();
}

/** Throws a digest-mismatch error naming `digest` unless `bytes` hash to it. */
export function assertManifestDigest(bytes: Uint8Array, digest: Digest, what: string): void {
  const actual = digestOfBytes(bytes, digest);
  if (actual !== digest) throw digestMismatch(`${what} manifest ${digest}`, digest, actual);
}

/** The manifest string ECR returned, as the bytes its digest is of. */
export function manifestBytesOf(manifest: string): Uint8Array {
  return ENCODER.encode(manifest);
}

/** The bytes as the string PutImage takes; refused when they are not UTF-8 (ECR could not store them exactly). */
export function manifestStringOf(bytes: Uint8Array, digest: Digest): string {
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    throw new CustomsError('malformed', `manifest ${digest} is not UTF-8, so ECR cannot be given its exact bytes`, { cause: error });
  }
}
