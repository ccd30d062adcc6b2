import type { ByteStream } from '../../lambdas/core/ports.ts';

/** Collects a ByteStream (tests only: the scanner itself never buffers whole blobs). */
export async function readAll(stream: ByteStream): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
