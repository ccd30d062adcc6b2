import type { FileHandle } from 'node:fs/promises';
import { CustomsError, messageOf } from '../../core/errors.ts';

/**
 * GETs a URL into an open file, chunk by chunk, refusing more than `maxBytes`. Answers the bytes
 * written, or undefined on 404. A body that ends short of its Content-Length, or a dropped
 * connection, is a `network` error: the caller retries rather than reading a truncated archive.
 */
export async function downloadToFile(url: string, file: FileHandle, maxBytes: number, timeoutMs: number, fetcher: typeof fetch): Promise<number | undefined> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetcher(url, { signal, redirect: 'follow' });
  } catch (error) {
    throw new CustomsError('network', `GET ${url} failed: ${messageOf(error)}`, { cause: error });
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new CustomsError('network', `GET ${url} answered ${response.status}`);
  }
  const header = response.headers.get('content-length');
  const declared = header === null ? undefined : Number(header);
  if (declared !== undefined && declared > maxBytes) {
    await response.body?.cancel();
    throw new CustomsError('limit', `${url} is ${declared} bytes, over the ${maxBytes}-byte cap`);
  }
  let total = 0;
  if (response.body) {
    try {
      for await (const chunk of response.body) {
        total += chunk.byteLength;
        if (total > maxBytes) {
          await response.body.cancel().catch(() => undefined);
          throw new CustomsError('limit', `${url} runs past the ${maxBytes}-byte cap`);
        }
        await file.write(chunk, 0, chunk.byteLength, total - chunk.byteLength);
      }
    } catch (error) {
      if (error instanceof CustomsError) throw error;
      throw new CustomsError('network', `reading ${url} failed after ${total} bytes: ${messageOf(error)}`, { cause: error });
    }
  }
  if (declared !== undefined && total !== declared) throw new CustomsError('network', `${url} ended after ${total} of ${declared} bytes`);
  return total;
}
