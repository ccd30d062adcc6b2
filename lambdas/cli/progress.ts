import type { ProgressEvent } from '../core/use-cases/build-sbom.ts';
import { formatPlatform } from '../core/image/platform.ts';

const MiB = 1024 * 1024;
const REDRAW_MS = 100;

/**
 * A single status line on a terminal while layers stream in: platform, layers done and bytes read.
 * Silent when stderr is not a terminal, so logs and pipes stay clean.
 */
export class ProgressLine {
  private platform = '';
  private layers = 0;
  private layersDone = 0;
  private total = 0;
  private bytes = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  static forStderr(enabled: boolean): ProgressLine | undefined {
    return enabled && process.stderr.isTTY ? new ProgressLine(process.stderr) : undefined;
  }

  update(event: ProgressEvent): void {
    if (event.type === 'image') {
      this.platform = formatPlatform(event.platform);
      this.layers = event.layers;
      this.layersDone = 0;
      this.total = event.bytes;
      this.bytes = 0;
    } else if (event.type === 'bytes') {
      this.bytes += event.bytes;
    } else {
      this.layersDone++;
    }
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS && event.type === 'bytes') return;
    this.lastDraw = now;
    const text = `${this.platform}: layers ${this.layersDone}/${this.layers}, ${(this.bytes / MiB).toFixed(1)}/${(this.total / MiB).toFixed(1)} MiB`;
    this.stream.write(`\r\u001b[2K${text}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }
}
