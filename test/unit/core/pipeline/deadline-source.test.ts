import { describe, expect, it } from 'vitest';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import { isCustomsError } from '../../../../lambdas/core/errors.ts';
import { deadlineSource } from '../../../../lambdas/core/pipeline/deadline-source.ts';
import { permanentReason } from '../../../../lambdas/core/pipeline/scan-errors.ts';
import type { ByteStream, ImageSource } from '../../../../lambdas/core/ports.ts';

const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'ab'.repeat(32)}` as Digest, size: 30 };

/** A source whose one blob is three 10-byte chunks; `onChunk` runs before each is handed out. */
function source(onChunk: (index: number) => void): ImageSource & { closed: boolean; destroyed: boolean } {
  const state = { closed: false, destroyed: false };
  return Object.assign(state, {
    reference: 'registry.test/app@sha256:…',
    repository: 'registry.test/app',
    tag: 'v1',
    root: async () => ({ kind: 'descriptor' as const, descriptor: layer }),
    open: async (): Promise<ByteStream> => {
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let index = 0; index < 3; index += 1) {
          onChunk(index);
          yield new Uint8Array(10);
        }
      }
      return Object.assign(chunks(), { destroy: () => void (state.destroyed = true) });
    },
    close: async () => void (state.closed = true),
  });
}

async function drain(stream: ByteStream): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.byteLength;
  return bytes;
}

describe('deadlineSource', () => {
  it('passes everything through while there is time', async () => {
    const inner = source(() => undefined);
    const guarded = deadlineSource(inner, { at: 1_000, now: () => 0 });
    expect(guarded.tag).toBe('v1');
    expect(await guarded.root()).toEqual({ kind: 'descriptor', descriptor: layer });
    expect(await drain(await guarded.open(layer))).toBe(30);
    (await guarded.open(layer)).destroy?.();
    expect(inner.destroyed).toBe(true);
    await guarded.close();
    expect(inner.closed).toBe(true);
  });

  it('stops a read that passes the deadline, as a permanent limit naming the blob and the bytes read', async () => {
    let clock = 0;
    const guarded = deadlineSource(source((index) => void (clock = index * 600)), { at: 1_000, now: () => clock });
    const error: unknown = await drain(await guarded.open(layer)).catch((caught: unknown) => caught);
    expect(isCustomsError(error) && error.code).toBe('limit');
    expect(permanentReason(error)).toBe(
      `the scan would outrun the time it has: stopped reading ${layer.mediaType} ${layer.digest} after 20 bytes; raise the scanner's timeout or lower the image size limit`,
    );
  });

  it('opens nothing once the deadline has passed', async () => {
    let opened = 0;
    const inner = source(() => undefined);
    const counting: ImageSource = { ...inner, open: (descriptor) => ((opened += 1), inner.open(descriptor)) };
    const guarded = deadlineSource(counting, { at: 1_000, now: () => 1_001 });
    await expect(guarded.open(layer)).rejects.toThrow(/stopped reading .* sha256:abab/);
    expect(opened).toBe(0);
  });
});
