import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './http-server.ts';

/**
 * An HTTP proxy in front of a real registry, for behaviour a registry cannot be asked to show on
 * demand: redirects to object storage, transient 5xx. Requests go through unchanged unless the
 * hook answers them itself.
 */
export interface ProxyContext {
  /** Sends the request (or one for another path) to the registry and returns its response, unread. */
  forward(path?: string): Promise<IncomingMessage>;
  /** Relays a registry response to the client as is. */
  relay(upstream: IncomingMessage): void;
}

/** Returns true when it answered the request itself. */
export type ProxyHook = (request: IncomingMessage, response: ServerResponse, context: ProxyContext) => boolean | Promise<boolean>;

export interface RunningProxy {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  stop(): Promise<void>;
}

export async function startRegistryProxy(registryHost: string, hook: ProxyHook): Promise<RunningProxy> {
  const server = createServer((request, response) => {
    const context: ProxyContext = {
      forward: (path) => forward(registryHost, request, path ?? request.url ?? '/'),
      relay: (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      },
    };
    Promise.resolve(hook(request, response, context))
      .then(async (handled) => {
        if (!handled) context.relay(await context.forward());
      })
      .catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(502);
        response.end(String(error));
      });
  });
  const host = await listenOnLoopback(server);
  return { host, stop: () => closeServer(server) };
}

function forward(registryHost: string, request: IncomingMessage, path: string): Promise<IncomingMessage> {
  const [hostname, port] = registryHost.split(':');
  return new Promise((resolveForward, reject) => {
    const upstream = httpRequest(
      { hostname, port: Number(port), method: request.method, path, headers: { ...request.headers, host: registryHost } },
      resolveForward,
    );
    upstream.on('error', reject);
    // Bodiless requests may be forwarded more than once; only uploads need the client's stream.
    if (request.method === 'GET' || request.method === 'HEAD') upstream.end();
    else request.pipe(upstream);
  });
}
