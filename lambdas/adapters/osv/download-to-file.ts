import type { FileHandle } from 'node:fs/promises';
import { CustomsError } from '../../core/errors.ts';
import { streamCapped } from './fetch-capped.ts';

/**
 * GETs a URL into an open file, chunk by chunk, refusing more than `maxBytes`. Answers the bytes
 * written, or undefined on 404. A body that ends short of its Content-Length, or a dropped
 * connection, is a `network` error: the caller retries rather than reading a truncated archive.
 */
export async function downloadToFile(url: string, file: FileHandle, maxBytes: number, timeoutMs: number, fetcher: typeof fetch): Promise<number | undefined> {
  const streamed = await streamCapped(url, maxBytes, timeoutMs, fetcher, async (chunk, offset) => {
    await file.write(chunk, 0, chunk.byteLength, offset);
  });
  if (!streamed) return undefined;
  if (streamed.declared !== undefined && streamed.total !== streamed.declared) throw new CustomsError('network', `${url} ended after ${streamed.total} of ${streamed.declared} bytes`);
  return streamed.total;
}
