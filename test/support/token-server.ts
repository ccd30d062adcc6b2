import { execFile } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeServer, listenOnLoopback } from './http-server.ts';

const run = promisify(execFile);

/**
 * A Docker token service for tests: docker-registry's `auth: token:` sends clients here, and it
 * answers with RS256 JWTs signed by a throwaway key whose self-signed certificate is the registry's
 * root bundle. Correct Basic credentials (or a known refresh token) get the pull/push actions they
 * ask for; anonymous callers get a token with no access; wrong credentials get 401.
 */
export interface TokenServerOptions {
  users: Record<string, string>;
  /** OAuth2 refresh tokens (identity tokens) accepted on POST, mapped to the user they stand for. */
  refreshTokens?: Record<string, string>;
}

export interface TokenRequestRecord {
  readonly method: string;
  /** User the request authenticated as; undefined for anonymous. */
  readonly user?: string;
  readonly scopes: string[];
}

export interface RunningTokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** Every token request so far, in order. */
  readonly requests: TokenRequestRecord[];
  /** The registry's `auth:` section (indented by two spaces). */
  readonly authYaml: string;
  stop(): Promise<void>;
}

const SERVICE = 'customs-test-registry';
const ISSUER = 'customs-test-token-issuer';
const GRANTABLE = new Set(['pull', 'push']);

export async function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'customs-token-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=customs-test-token-issuer']);
  const key = createPrivateKey(readFileSync(keyPath));
  const certDer = new X509Certificate(readFileSync(certPath)).raw.toString('base64');
  const requests: TokenRequestRecord[] = [];

  const server = createServer((request, response) => {
    handle(request, response, { options, key, certDer, requests }).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  const realm = `http://${await listenOnLoopback(server)}/token`;
  return {
    realm,
    service: SERVICE,
    issuer: ISSUER,
    requests,
    authYaml: ['  token:', `    realm: ${realm}`, `    service: ${SERVICE}`, `    issuer: ${ISSUER}`, `    rootcertbundle: ${certPath}`].join('\n'),
    async stop() {
      await closeServer(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Context {
  options: TokenServerOptions;
  key: KeyObject;
  certDer: string;
  requests: TokenRequestRecord[];
}

async function handle(request: IncomingMessage, response: ServerResponse, context: Context): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://token.invalid');
  if (url.pathname !== '/token') return void response.writeHead(404).end();
  let user: string | undefined;
  let scopes: string[];
  if (request.method === 'POST') {
    const form = new URLSearchParams(await readBody(request));
    scopes = form.getAll('scope');
    const refresh = form.get('refresh_token') ?? '';
    user = form.get('grant_type') === 'refresh_token' ? context.options.refreshTokens?.[refresh] : undefined;
    context.requests.push({ method: 'POST', ...(user ? { user } : {}), scopes });
    if (!user) return deny(response);
  } else {
    scopes = url.searchParams.getAll('scope');
    const basic = parseBasic(request.headers.authorization);
    if (basic && context.options.users[basic.user] !== basic.password) {
      context.requests.push({ method: 'GET', user: basic.user, scopes });
      return deny(response);
    }
    user = basic?.user;
    context.requests.push({ method: 'GET', ...(user ? { user } : {}), scopes });
  }
  const token = signToken(context, user, user ? scopes.flatMap(grant) : []);
  // The Docker protocol's field for GET, the OAuth2 one for POST: clients must read both.
  const body = request.method === 'POST' ? { access_token: token, expires_in: 300 } : { token, expires_in: 300, issued_at: new Date().toISOString() };
  response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function grant(scope: string): Array<{ type: string; name: string; actions: string[] }> {
  const parts = scope.split(':');
  if (parts.length < 3) return [];
  const type = parts[0]!;
  const actions = parts.at(-1)!.split(',').filter((action) => GRANTABLE.has(action));
  const name = parts.slice(1, -1).join(':');
  return type === 'repository' ? [{ type, name, actions }] : [];
}

function signToken(context: Context, user: string | undefined, access: Array<{ type: string; name: string; actions: string[] }>): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5c: [context.certDer] };
  const claims = { iss: ISSUER, sub: user ?? '', aud: SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), context.key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

function deny(response: ServerResponse): void {
  response
    .writeHead(401, { 'Content-Type': 'application/json' })
    .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
