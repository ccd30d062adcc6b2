import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CustomsError } from '../../core/errors.ts';
import { formatBytes } from '../../core/limits.ts';

/** Temporary files start with this, so directory listings can pass over a crashed write's leftovers. */
export const TEMP_PREFIX = '.tmp-';
const CHUNK_BYTES = 1024 * 1024;

/**
 * Writes a file whole or not at all: a temporary file in the same directory (so the rename stays on
 * one filesystem), flushed, then renamed over the target. Readers see the old content or the new,
 * never a torn one. Parent directories are created on demand.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, options: { readonly mode?: number } = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${TEMP_PREFIX}${basename(path)}.${randomBytes(6).toString('hex')}`);
  await writeTemp(temp, data, options.mode ?? 0o644);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Creates a file whole, only when nothing is at `path` yet: the temporary file is hard-linked to the
 * name, which fails when the name exists (a rename would replace it). True when this call created it.
 */
export async function createFileAtomic(path: string, data: Uint8Array | string, options: { readonly mode?: number } = {}): Promise<boolean> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${TEMP_PREFIX}${basename(path)}.${randomBytes(6).toString('hex')}`);
  await writeTemp(temp, data, options.mode ?? 0o644);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function writeTemp(temp: string, data: Uint8Array | string, mode: number): Promise<void> {
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      // The umask may have narrowed the mode given to open.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * A regular file's bytes, refused past `maxBytes` without reading them all; undefined when there
 * is no such file. The last component is not followed when it is a symbolic link, so a link planted
 * in a store cannot make it read elsewhere.
 */
export async function readFileCapped(path: string, maxBytes: number, what: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if (isMissing(error)) return undefined;
    if (isErrno(error, 'ELOOP')) throw new CustomsError('unsafe', `${what} is a symbolic link`, { cause: error });
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new CustomsError('malformed', `${what} is not a regular file`);
    if (stats.size > maxBytes) throw new CustomsError('limit', `${what} is ${formatBytes(stats.size)}, over the ${formatBytes(maxBytes)} cap`);
    // Read to the end, not to the stat's size: a file that grew since is still held to the cap.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, maxBytes - total + 1));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new CustomsError('limit', `${what} is over the ${formatBytes(maxBytes)} cap`);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

export function isMissing(error: unknown): boolean {
  return isErrno(error, 'ENOENT');
}

export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
