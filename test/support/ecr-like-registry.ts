import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { htpasswdAuthYaml } from './htpasswd.ts';
import { closeServer, listenOnLoopback } from './http-server.ts';
import { startRegistry, type RunningRegistry } from './registry.ts';
import { startRegistryProxy, type RunningProxy } from './registry-proxy.ts';

/**
 * A loopback stand-in for ECR's two origins: a real docker-registry with Basic auth (user `AWS`, as
 * ECR's token decodes) answers manifests, and every authorized blob download is redirected to a
 * second origin with a "presigned" URL. Like S3, that origin refuses a request that carries an
 * Authorization header beside the signature, and one without a signature.
 */
export interface EcrLikeRegistry {
  /** Where the registry's images are pushed (`127.0.0.1:PORT`, Basic auth). */
  readonly registryHost: string;
  /** The front origin, ECR's proxyEndpoint: `127.0.0.1:PORT`. */
  readonly host: string;
  readonly username: string;
  readonly password: string;
  /** Headers of each request the storage origin served or refused, in order. */
  readonly storageRequests: { readonly url: string; readonly headers: IncomingHttpHeaders; readonly status: number }[];
  /** Headers of manifest requests the front origin saw. */
  readonly manifestRequests: IncomingHttpHeaders[];
  /** Blobs whose bytes the storage origin alters (one byte flipped), to prove they are verified. */
  readonly tampered: Set<string>;
  /** A signed storage URL for a blob, as the front origin hands out. */
  signedUrl(repository: string, digest: string): string;
  stop(): Promise<void>;
}

export async function startEcrLikeRegistry(): Promise<EcrLikeRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'customs-ecr-like-'));
  const username = 'AWS';
  const password = randomBytes(18).toString('base64url');
  const registry: RunningRegistry = await startRegistry({ authYaml: await htpasswdAuthYaml(dir, { [username]: password }) });
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const signature = randomBytes(8).toString('hex');
  const storageRequests: EcrLikeRegistry['storageRequests'] = [];
  const manifestRequests: IncomingHttpHeaders[] = [];
  const tampered = new Set<string>();

  const storage: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://storage');
    const refuse = (status: number, code: string): void => {
      storageRequests.push({ url: url.pathname, headers: request.headers, status });
      response.writeHead(status, { 'Content-Type': 'application/xml' }).end(`<Error><Code>${code}</Code></Error>`);
    };
    if (request.headers.authorization) return refuse(400, 'InvalidArgument');
    if (url.searchParams.get('X-Amz-Signature') !== signature) return refuse(403, 'AccessDenied');
    const blob = /^\/bucket\/([a-z0-9._/-]+)\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (!blob) return refuse(404, 'NoSuchKey');
    storageRequests.push({ url: url.pathname, headers: request.headers, status: 200 });
    void serveBlob(registry.host, blob[1]!, blob[2]!, basic, tampered.has(blob[2]!), response);
  });
  const storageHost = await listenOnLoopback(storage);
  const signedUrl = (repository: string, digest: string): string => `http://${storageHost}/bucket/${repository}/${digest}?X-Amz-Expires=600&X-Amz-Signature=${signature}`;

  const front: RunningProxy = await startRegistryProxy(registry.host, async (request, response, context) => {
    const path = request.url ?? '/';
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (!blob) {
      if (path.includes('/manifests/')) manifestRequests.push(request.headers);
      return false;
    }
    const upstream = await context.forward();
    if (upstream.statusCode !== 200) {
      context.relay(upstream);
      return true;
    }
    // The registry authorized the download; hand it to "S3" the way ECR does.
    upstream.resume();
    response.writeHead(307, { Location: signedUrl(blob[1]!, blob[2]!) }).end();
    return true;
  });

  return {
    registryHost: registry.host,
    host: front.host,
    username,
    password,
    storageRequests,
    manifestRequests,
    tampered,
    signedUrl,
    async stop() {
      await front.stop();
      await closeServer(storage);
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Streams the blob from the registry itself, so what "S3" serves is what was pushed. */
async function serveBlob(registryHost: string, repository: string, digest: string, basic: string, tamper: boolean, response: ServerResponse): Promise<void> {
  try {
    const upstream = await fetch(`http://${registryHost}/v2/${repository}/blobs/${digest}`, { headers: { Authorization: basic } });
    const bytes = Buffer.from(await upstream.arrayBuffer());
    if (!upstream.ok) return void response.writeHead(502).end();
    if (tamper) bytes[bytes.length >> 1]! ^= 0x01;
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) }).end(bytes);
  } catch (error) {
    if (!response.headersSent) response.writeHead(502);
    response.end(String(error));
  }
}
