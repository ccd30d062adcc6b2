import { createHash, type Hash } from 'node:crypto';
import { CustomsError } from './errors.ts';

/** A content digest `algorithm:hex`, validated (see parseDigest). */
export type Digest = string & { readonly __digest: unique symbol };

const HEX_LENGTH = { sha256: 64, sha512: 128 } as const;
type Algorithm = keyof typeof HEX_LENGTH;

/**
 * Validates a digest string from untrusted input. Only sha256 and sha512 with lowercase hex of the
 * exact length are accepted, so a digest can be used safely as a file name or URL path segment.
 */
export function parseDigest(value: string, what = 'digest'): Digest {
  const match = /^(sha256|sha512):([0-9a-f]+)$/.exec(value);
  const algorithm = match?.[1] as Algorithm | undefined;
  if (!match || !algorithm || match[2]!.length !== HEX_LENGTH[algorithm]) {
    throw new CustomsError('malformed', `${what} ${JSON.stringify(truncate(value))} is not a valid sha256 or sha512 digest`);
  }
  return value as Digest;
}

export function isDigest(value: string): value is Digest {
  const match = /^(sha256|sha512):([0-9a-f]+)$/.exec(value);
  return !!match && match[2]!.length === HEX_LENGTH[match[1] as Algorithm];
}

export function digestAlgorithm(digest: Digest): Algorithm {
  return digest.slice(0, digest.indexOf(':')) as Algorithm;
}

export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

export function sha256Of(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
}

/** A running hash that produces a digest in the same algorithm as the one it will be compared to. */
export class DigestHasher {
  private readonly hash: Hash;
  bytes = 0;
  constructor(readonly algorithm: Algorithm = 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    this.hash.update(chunk);
  }
  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}` as Digest;
  }
}


export function digestMismatch(what: string, expected: Digest, actual: Digest): CustomsError {
  const subject = what.includes(expected) ? `${what} does not match its content` : `${what} does not match its digest ${expected}`;
  return new CustomsError('digest-mismatch', `${subject} (content hashes to ${actual})`);
}

export function shortDigest(digest: string): string {
  const hex = digest.slice(digest.indexOf(':') + 1);
  return hex.slice(0, 12);
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
