import { z } from 'zod';
import { CustomsError } from '../../core/errors.ts';
import { formatBytes } from '../../core/limits.ts';

/**
 * Small bodies read whole (error documents, token responses). Content bodies are never read here:
 * they are streamed to the core, which verifies and caps them.
 */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Releases a body we do not want, so the connection can be reused or closed. */
export async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already consumed or broken: nothing to release.
  }
}

/** Reads at most `maxBytes`; a longer body is an error naming `what`. */
export async function readCapped(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const { bytes, truncated } = await readPrefix(response, maxBytes);
  if (truncated) throw new CustomsError('limit', `${what} is larger than ${formatBytes(maxBytes)}`);
  return bytes;
}

const registryErrorsSchema = z.object({
  errors: z.array(z.object({ code: z.string().optional(), message: z.string().optional() })).min(1),
});

/**
 * A one-line summary of a registry error body (`{"errors":[{"code","message"}]}` per the
 * distribution spec), or an empty string when the body says nothing usable.
 */
export async function errorDetail(response: Response): Promise<string> {
  let text: string;
  try {
    text = (await readPrefix(response, MAX_ERROR_BODY_BYTES)).bytes.toString('utf8');
  } catch {
    return '';
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return '';
  }
  const parsed = registryErrorsSchema.safeParse(json);
  if (!parsed.success) return '';
  const [first] = parsed.data.errors;
  const detail = [first?.code, first?.message].filter(Boolean).join(': ');
  return oneLine(detail).slice(0, 300);
}

async function readPrefix(response: Response, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { bytes: Buffer.alloc(0), truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks), truncated: false };
      size += value.byteLength;
      if (size > maxBytes) {
        chunks.push(value.subarray(0, value.byteLength - (size - maxBytes)));
        await reader.cancel();
        return { bytes: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
