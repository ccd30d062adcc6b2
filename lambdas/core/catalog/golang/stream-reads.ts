/** One read of a byte range still ahead in the stream. */
interface PendingRead {
  readonly offset: number;
  readonly bytes: Buffer;
  filled: number;
  readonly done: (bytes: Buffer) => void;
}

/**
 * Reads of byte ranges the stream has not reached yet (a pointer seen early to data further on):
 * each is filled as its bytes stream past, then handed over. Only the asked-for bytes are held.
 */
export class StreamReads {
  private pending: PendingRead[] = [];
  private reached = 0; // no byte before this offset will be fed again

  get size(): number {
    return this.pending.length;
  }

  /** False when the range is already behind the stream (the caller must find it another way). */
  request(offset: number, length: number, done: (bytes: Buffer) => void): boolean {
    if (offset < this.reached) return false;
    if (length === 0) {
      done(Buffer.alloc(0));
      return true;
    }
    this.pending.push({ offset, bytes: Buffer.alloc(length), filled: 0, done });
    return true;
  }

  /**
   * Offers `data`, which holds the file from `base`; windows may overlap earlier ones. `keep` bytes
   * at its end will be offered again, so a request may still start there.
   */
  feed(data: Buffer, base: number, keep: number): void {
    // A finished read may ask for another range (a string header leads to its bytes) in this window.
    for (let progress = true; progress; ) {
      progress = false;
      for (const read of [...this.pending]) {
        const from = read.offset + read.filled;
        if (from < base || from >= base + data.length) continue;
        read.filled += data.copy(read.bytes, read.filled, from - base, Math.min(data.length, read.offset + read.bytes.length - base));
        if (read.filled < read.bytes.length) continue;
        this.pending.splice(this.pending.indexOf(read), 1);
        read.done(read.bytes);
        progress = true;
      }
    }
    this.reached = base + data.length - keep;
  }
}
