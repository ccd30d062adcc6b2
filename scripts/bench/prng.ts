import { createCipheriv, createHash } from 'node:crypto';

/**
 * Seeded randomness for the bench fixtures: the same seed always yields the same image, so layer
 * digests are stable and cached images stay valid across runs.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** mulberry32: tiny, fast and good enough to pick names, sizes and kinds. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, maxExclusive: number): number {
    return min + Math.floor(this.next() * (maxExclusive - min));
  }

  /** Log-uniform in [min, max): many small values, a long tail of big ones, like file sizes. */
  logUniform(min: number, max: number): number {
    return Math.floor(Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min))));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/**
 * Incompressible bytes from AES-CTR keyed by (seed, stream id): far faster than a JS PRNG loop, and
 * each file's bytes depend only on its own id, so any layer can be built without the others.
 */
export function randomBytes(seed: number, streamId: number, length: number): Buffer {
  const key = createHash('sha256').update(`customs-bench:${seed}`).digest().subarray(0, 16);
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(streamId >>> 0, 0);
  return createCipheriv('aes-128-ctr', key, iv).update(Buffer.alloc(length));
}
