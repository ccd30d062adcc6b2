import { createServer, type Server } from 'node:http';
import { closeServer, listenOnLoopback } from './http-server.ts';

/** Serves an in-memory OSV bucket: decoded URL path (`PyPI/all.zip`) → bytes. Records what was asked for. */
export async function startOsvBucket(files: ReadonlyMap<string, Uint8Array>): Promise<{ url: string; requests: string[]; close(): Promise<void>; server: Server }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://bucket').pathname).replace(/^\//, '');
    requests.push(path);
    const body = files.get(path);
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': body.byteLength }).end(body);
  });
  const host = await listenOnLoopback(server);
  return { url: `http://${host}/`, requests, server, close: () => closeServer(server) };
}
