import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CustomsError } from '../../core/errors.ts';
import type { ByteStream } from '../../core/ports.ts';

/** Read access to the files of an image layout, whether a directory or a tar archive holds them. */
export interface LayoutFiles {
  /** Human name of the container, for messages: the directory or archive path. */
  readonly location: string;
  /** Opens a file by its path inside the layout (`index.json`, `blobs/sha256/…`). */
  open(path: string): Promise<ByteStream>;
  exists(path: string): Promise<boolean>;
  close(): Promise<void>;
}

const READ_CHUNK = 256 * 1024;

/**
 * A layout in a directory. Paths come from validated digests or fixed names, never from document
 * content, so they cannot climb out of the directory.
 */
export class DirectoryLayoutFiles implements LayoutFiles {
  constructor(readonly location: string) {}

  async open(path: string): Promise<ByteStream> {
    const full = join(this.location, path);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) throw new CustomsError('not-found', `${path} is missing from the OCI layout at ${this.location}`);
    return createReadStream(full, { highWaterMark: READ_CHUNK });
  }

  async exists(path: string): Promise<boolean> {
    const info = await stat(join(this.location, path)).catch(() => undefined);
    return info?.isFile() ?? false;
  }

  async close(): Promise<void> {}
}
