import { CustomsError, messageOf } from '../../core/errors.ts';

/**
 * GETs a URL and reads its body into memory, refusing more than `maxBytes` and giving up after
 * `timeoutMs` (headers and body together). Returns undefined on 404 so callers can tell "absent".
 */
export async function fetchCapped(url: string, maxBytes: number, timeoutMs: number, fetcher: typeof fetch = fetch): Promise<Uint8Array | undefined> {
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
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new CustomsError('limit', `${url} is ${declared} bytes, over the ${maxBytes}-byte cap`);
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        await response.body.cancel().catch(() => undefined);
        throw new CustomsError('limit', `${url} runs past the ${maxBytes}-byte cap`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof CustomsError) throw error;
    throw new CustomsError('network', `reading ${url} failed: ${messageOf(error)}`, { cause: error });
  }
  return Buffer.concat(chunks, total);
}
