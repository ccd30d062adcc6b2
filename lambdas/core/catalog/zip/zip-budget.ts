import { CustomsError } from '../../errors.ts';

/** Caps on what one top-level archive may cost, nested archives included. */
export interface ZipLimits {
  /** How many archives deep to open (the top-level archive is depth 0). */
  readonly maxDepth: number;
  /** Bytes all inflated entries of one top-level archive may add up to. */
  readonly maxTotalBytes: number;
  /** Central directory entries all archives of one top-level archive may list together. */
  readonly maxEntries: number;
  /** Archives (the top-level one included) one top-level archive may open: fan-out bombs nest many copies. */
  readonly maxArchives: number;
  /** Declared inflated/compressed ratio above which a large entry is taken for a bomb. */
  readonly maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxDepth: 4, maxTotalBytes: 256 * 1024 * 1024, maxEntries: 500_000, maxArchives: 10_000, maxRatio: 200 };

/**
 * What is left of a top-level archive's limits. One budget is shared by every archive nested in it,
 * so a bomb cannot multiply its cost by nesting or by pointing many entries at the same data.
 */
export class ZipBudget {
  private bytes: number;
  private entries: number;
  private archives: number;

  constructor(readonly limits: ZipLimits = DEFAULT_ZIP_LIMITS) {
    this.bytes = limits.maxTotalBytes;
    this.entries = limits.maxEntries;
    this.archives = limits.maxArchives;
  }

  get remainingBytes(): number {
    return this.bytes;
  }

  spendBytes(count: number, what: string): void {
    if (count > this.bytes) throw new CustomsError('limit', `${what} would inflate past the ${this.limits.maxTotalBytes}-byte budget`);
    this.bytes -= count;
  }

  spendArchive(what: string): void {
    if (this.archives === 0) throw new CustomsError('limit', `${what} is past the ${this.limits.maxArchives}-archive budget`);
    this.archives--;
  }

  spendEntries(count: number, what: string): void {
    if (count > this.entries) throw new CustomsError('limit', `${what} lists more entries than the ${this.limits.maxEntries}-entry budget`);
    this.entries -= count;
  }
}
