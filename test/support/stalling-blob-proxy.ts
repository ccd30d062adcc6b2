import { startRegistryProxy } from './registry-proxy.ts';

/**
 * A registry proxy that starts serving one blob and never finishes: the response's headers and a
 * few bytes arrive, then nothing, the way a dying connection looks to a reader. `stalled` resolves
 * the first time a reader is held there.
 */
export interface StallingBlobProxy {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly stalled: Promise<void>;
  /** Requests the proxy saw, `METHOD path`, in order. */
  readonly requests: string[];
  stop(): Promise<void>;
}

export async function startStallingBlobProxy(registryHost: string, blobDigest: string): Promise<StallingBlobProxy> {
  let signal: () => void = () => undefined;
  const stalled = new Promise<void>((resolveStall) => (signal = resolveStall));
  const requests: string[] = [];
  const proxy = await startRegistryProxy(registryHost, async (request, response, context) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.method !== 'GET' || !request.url?.endsWith(`/blobs/${blobDigest}`)) return false;
    const upstream = await context.forward();
    response.writeHead(upstream.statusCode ?? 502, upstream.headers);
    upstream.once('data', (chunk: Buffer) => {
      response.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)));
      upstream.destroy();
      signal();
    });
    return true;
  });
  return { host: proxy.host, stalled, requests, stop: proxy.stop };
}
