import { CustomsError } from '../errors.ts';
import { digestAlgorithm, DigestHasher, digestMismatch, type Digest } from '../digest.ts';
import { formatBytes } from '../limits.ts';
import type { ByteStream } from '../ports.ts';

/**
 * Reads a small document (manifest, index, config) into memory, refusing to hold more than `max`
 * bytes, and checks it against the size and digest that name it when they are known.
 */
export async function readBounded(
  stream: ByteStream,
  options: { max: number; what: string; expectedDigest?: Digest; expectedSize?: number },
): Promise<{ bytes: Buffer; digest: Digest }> {
  const { max, what, expectedDigest, expectedSize } = options;
  if (expectedSize !== undefined && expectedSize > max) {
    stream.destroy?.();
    throw new CustomsError('limit', `${what} is ${formatBytes(expectedSize)}, over the ${formatBytes(max)} cap`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > max) {
      stream.destroy?.();
      throw new CustomsError('limit', `${what} is larger than the ${formatBytes(max)} cap`);
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  if (expectedSize !== undefined && bytes.length !== expectedSize) {
    throw new CustomsError('digest-mismatch', `${what} is ${bytes.length} bytes, but its descriptor says ${expectedSize}`);
  }
  const hasher = new DigestHasher(expectedDigest ? digestAlgorithm(expectedDigest) : 'sha256');
  hasher.update(bytes);
  const digest = hasher.digest();
  if (expectedDigest && digest !== expectedDigest) throw digestMismatch(what, expectedDigest, digest);
  return { bytes, digest };
}
