import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { closeServer, listenOnLoopback } from './http-server.ts';
import { repoRoot } from './paths.ts';

/** A request whose signature botocore accepted, as the handler behind API Gateway would see it. */
export interface VerifiedRequest {
  readonly method: string;
  /** Path and query exactly as sent (percent-encoded). */
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The access key that signed it. */
  readonly accessKeyId: string;
}

export interface VerifiedAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SigV4Key {
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SigV4VerifyingServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Every request received, with botocore's decision. */
  readonly log: readonly { method: string; url: string; verified: boolean; reason?: string }[];
  close(): Promise<void>;
}

const verdict = z.object({ ok: z.boolean(), id: z.number(), reason: z.string().optional() });

/**
 * An HTTP server standing in for API Gateway's IAM authorization: each request's SigV4 signature is
 * checked by botocore's SigV4Auth (one long-running Python process, one JSON line per request); a
 * bad one is refused with 403 as API Gateway refuses it, a good one goes to `handle`.
 */
export async function startSigV4VerifyingServer(options: {
  readonly region: string;
  readonly keys: Readonly<Record<string, SigV4Key>>;
  readonly handle: (request: VerifiedRequest) => Promise<VerifiedAnswer>;
}): Promise<SigV4VerifyingServer> {
  const config = {
    region: options.region,
    service: 'execute-api',
    keys: Object.fromEntries(Object.entries(options.keys).map(([id, key]) => [id, { secret: key.secretAccessKey, token: key.sessionToken ?? null }])),
  };
  const verifier = spawn('python3', [resolve(repoRoot, 'test/support/sigv4-verify.py'), JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map<number, (answer: z.infer<typeof verdict>) => void>();
  let stderr = '';
  verifier.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: verifier.stdout }).on('line', (line) => {
    const answer = verdict.parse(JSON.parse(line));
    pending.get(answer.id)?.(answer);
    pending.delete(answer.id);
  });
  let nextId = 0;
  const check = (request: object): Promise<z.infer<typeof verdict>> =>
    new Promise((resolveCheck, reject) => {
      if (verifier.exitCode !== null) return reject(new Error(`sigv4-verify.py exited: ${stderr}`));
      const id = nextId++;
      pending.set(id, resolveCheck);
      verifier.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    });

  const log: { method: string; url: string; verified: boolean; reason?: string }[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const target = incoming.url ?? '/';
      const headers = singleHeaders(incoming);
      const url = `http://${headers.host ?? ''}${target}`;
      const decision = await check({ method: incoming.method ?? 'GET', url, headers, body: body.toString('base64') });
      log.push({ method: incoming.method ?? 'GET', url: target, verified: decision.ok, ...(decision.reason === undefined ? {} : { reason: decision.reason }) });
      if (!decision.ok) {
        // API Gateway's own refusal: no API error body, just a message.
        outgoing.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Forbidden' }));
        return;
      }
      const question = target.indexOf('?');
      const accessKeyId = /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1] ?? '';
      const answer = await options.handle({
        method: incoming.method ?? 'GET',
        rawPath: question === -1 ? target : target.slice(0, question),
        rawQueryString: question === -1 ? '' : target.slice(question + 1),
        headers,
        body: body.toString('utf8'),
        accessKeyId,
      });
      outgoing.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
    })().catch((error: unknown) => {
      outgoing.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'INTERNAL', message: String(error) }));
    });
  });
  const address = await listenOnLoopback(server);
  return {
    url: `http://${address}`,
    log,
    close: async () => {
      await closeServer(server);
      await stopVerifier(verifier);
    },
  };
}

function singleHeaders(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  return headers;
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function stopVerifier(verifier: ChildProcessWithoutNullStreams): Promise<void> {
  if (verifier.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    verifier.once('exit', () => resolveStop());
    verifier.stdin.end();
  });
}
