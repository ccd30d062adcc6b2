import { CustomsError } from '../errors.ts';
import type { Descriptor } from '../image/manifest-schema.ts';
import type { ByteStream, ImageSource } from '../ports.ts';

/** When a scan must stop so that its result can still be stored (a Lambda's end, less a margin). */
export interface ScanDeadline {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly now?: () => number;
}

/**
 * The same source, refusing to read on once the deadline has passed. A scan that would outrun the
 * time it has fails the same way on every retry with the same timeout, so it is the image's
 * problem (`limit`): recorded FAILED with a reason naming the blob and how far it got, rather than
 * killed mid-write by the runtime and retried until the DLQ. Checked per chunk, so a stalled
 * download cannot hold the scan past it either (the registry adapter's own timeouts end the read).
 */
export function deadlineSource(source: ImageSource, deadline: ScanDeadline): ImageSource {
  const now = deadline.now ?? Date.now;
  const check = (what: string, bytes: number): void => {
    if (now() <= deadline.at) return;
    const progress = bytes > 0 ? ` after ${bytes} bytes` : '';
    throw new CustomsError('limit', `the scan would outrun the time it has: stopped reading ${what}${progress}; raise the scanner's timeout or lower the image size limit`);
  };
  return {
    reference: source.reference,
    repository: source.repository,
    ...(source.tag !== undefined ? { tag: source.tag } : {}),
    root: () => source.root(),
    open: async (descriptor: Descriptor) => {
      const what = `${descriptor.mediaType} ${descriptor.digest}`;
      check(what, 0);
      return guarded(await source.open(descriptor), (bytes) => check(what, bytes));
    },
    close: () => source.close(),
  };
}

function guarded(stream: ByteStream, check: (bytes: number) => void): ByteStream {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let bytes = 0;
    for await (const chunk of stream) {
      check(bytes);
      bytes += chunk.byteLength;
      yield chunk;
    }
  }
  const wrapped: ByteStream = chunks();
  wrapped.destroy = (error?: Error) => stream.destroy?.(error);
  return wrapped;
}
