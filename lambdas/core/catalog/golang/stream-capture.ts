/** Bytes collected from a file offset on, as chunks arrive, up to a cap. */
export class StreamCapture {
  private bytes: Buffer;

  constructor(
    readonly offset: number,
    first: Buffer,
    private readonly cap: number,
  ) {
    this.bytes = Buffer.from(first.subarray(0, cap));
  }

  /** Everything collected so far with `data` added; undefined once the cap is reached. */
  add(data?: Buffer): Buffer | undefined {
    if (data) {
      if (this.bytes.length >= this.cap) return undefined;
      this.bytes = Buffer.concat([this.bytes, data.subarray(0, this.cap - this.bytes.length)]);
    }
    return this.bytes;
  }
}
