import { SNIFF_BYTES, type FileAnalyzer } from '../catalog/file-analyzer.ts';

/**
 * Collects one wanted file's bytes as they stream by. When every analyzer that wants the file can
 * sniff, nothing is allocated until the first bytes have been shown to them, and a file none of
 * them wants is never held.
 */
export class FileCapture {
  private bytes: Uint8Array | undefined;
  private head: Uint8Array[] = [];
  private headLength = 0;
  private filled = 0;
  private decided: boolean;

  constructor(
    private readonly size: number,
    private wanted: readonly FileAnalyzer[],
  ) {
    this.decided = !wanted.every((analyzer) => analyzer.sniff);
    if (this.decided) this.bytes = new Uint8Array(size);
  }

  /** The analyzers still interested (fewer after sniffing). */
  get analyzers(): readonly FileAnalyzer[] {
    return this.wanted;
  }

  write(chunk: Uint8Array): void {
    if (this.decided) {
      this.bytes?.set(chunk, this.filled);
      this.filled += chunk.length;
      return;
    }
    this.head.push(Uint8Array.from(chunk)); // the chunk is a view into the stream's buffer
    this.headLength += chunk.length;
    this.filled += chunk.length;
    if (this.headLength >= SNIFF_BYTES) this.decide();
  }

  /** The whole file, or undefined when no analyzer wanted it after all. */
  finish(): Uint8Array | undefined {
    if (!this.decided) this.decide();
    return this.bytes;
  }

  private decide(): void {
    this.decided = true;
    const head = Buffer.concat(this.head);
    this.head = [];
    this.wanted = this.wanted.filter((analyzer) => analyzer.sniff!(head.subarray(0, SNIFF_BYTES)));
    if (this.wanted.length === 0) return;
    this.bytes = new Uint8Array(this.size);
    this.bytes.set(head, 0);
  }
}
