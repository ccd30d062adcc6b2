import { CustomsError, messageOf } from '../../core/errors.ts';

/** What a capped GET delivered: the bytes seen, and the Content-Length the server declared. */
export interface CappedStream {
  readonly total: number;
  readonly declared?: number;
}

/**
 * GETs a URL and hands its body to `onChunk` chunk by chunk (with each chunk's offset), refusing
 * more than `maxBytes` (declared or delivered) and giving up after `timeoutMs` (headers and body
 * together). Returns undefined on 404 so callers can tell "absent"; other statuses, failed requests
 * and bodies cut off are `network` errors, over-size ones `limit` errors.
 */
export async function streamCapped(
  url: string,
  maxBytes: number,
  timeoutMs: number,
  fetcher: typeof fetch,
  onChunk: (chunk: Uint8Array, offset: number) => void | Promise<void>,
): Promise<CappedStream | undefined> {
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
        await onChunk(chunk, total - chunk.byteLength);
      }
    } catch (error) {
      if (error instanceof CustomsError) throw error;
      throw new CustomsError('network', `reading ${url} failed after ${total} bytes: ${messageOf(error)}`, { cause: error });
    }
  }
  return { total, ...(declared !== undefined ? { declared } : {}) };
}

/** GETs a URL into memory, capped as streamCapped caps it; undefined on 404. */
export async function fetchCapped(url: string, maxBytes: number, timeoutMs: number, fetcher: typeof fetch = fetch): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  const streamed = await streamCapped(url, maxBytes, timeoutMs, fetcher, (chunk) => {
    chunks.push(chunk);
  });
  return streamed ? Buffer.concat(chunks, streamed.total) : undefined;
}
