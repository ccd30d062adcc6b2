import { mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_VERSION } from './bench-images.ts';

/**
 * Where the bench writes: $CUSTOMS_BENCH_DIR or <tmpdir>/customs-bench. Only the subdirectories the
 * bench creates are ever deleted, so pointing CUSTOMS_BENCH_DIR at a shared directory is safe.
 */
export class BenchDir {
  readonly root = process.env.CUSTOMS_BENCH_DIR || join(tmpdir(), 'customs-bench');
  /** Built images, reused by the next run if kept (--keep). */
  readonly images = join(this.root, `images-v${FIXTURE_VERSION}`);
  /** This run's bundle and scan outputs; always deleted. */
  readonly scratch = join(this.root, `run-${process.pid}`);

  create(): void {
    mkdirSync(this.images, { recursive: true });
    mkdirSync(this.scratch, { recursive: true });
    // Images from older generator versions can never be used again.
    for (const name of readdirSync(this.root)) {
      if (/^images-v/.test(name) && join(this.root, name) !== this.images) rmSync(join(this.root, name), { recursive: true, force: true });
    }
  }

  /** Synchronous so it also runs from a signal handler; never throws over the bench's own error. */
  clean(keepImages: boolean): void {
    try {
      rmSync(this.scratch, { recursive: true, force: true });
      if (!keepImages) rmSync(this.images, { recursive: true, force: true });
    } catch (error) {
      process.stderr.write(`bench: could not clean ${this.root}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    if (keepImages) return;
    try {
      rmdirSync(this.root); // only succeeds when empty: never removes anything else
    } catch {
      // not empty, or already gone
    }
  }
}
