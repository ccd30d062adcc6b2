import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The header the findings page sends its per-run token in (set by its script; a form or <img> cannot). */
export const PAGE_TOKEN_HEADER = 'x-customs-page-token';

/** A fresh token for one run of a page server: 256 random bits, hex. */
export function newPageToken(): string {
  return randomBytes(32).toString('hex');
}

export interface PageRequestFacts {
  readonly host: string | undefined;
  readonly origin: string | undefined;
  /** Fetch metadata (`sec-fetch-site`), which browsers send and a page cannot forge. */
  readonly fetchSite: string | undefined;
  readonly token: string | undefined;
}

export type PageGateAnswer = { readonly allowed: true } | { readonly allowed: false; readonly status: 403 | 401; readonly reason: string };

/**
 * Whether a request may reach what a loopback page server guards (the API calls it forwards, signed
 * or with the stack's token). Any web page the user visits can send requests to loopback, so: the
 * Host must name this server (DNS rebinding sends the attacker's name), an Origin or fetch metadata
 * must say same-origin (cross-site requests), and the per-run token only the served page knows must
 * be in its header (anything else that reaches the port).
 */
export function checkPageRequest(facts: PageRequestFacts, server: { readonly port: number; readonly token: string }): PageGateAnswer {
  if (!sameHost(facts.host, server.port)) return { allowed: false, status: 403, reason: 'the Host header does not name this server (127.0.0.1 or localhost with its port)' };
  if (facts.origin !== undefined && !sameHost(originHost(facts.origin), server.port)) return { allowed: false, status: 403, reason: 'requests from other web origins are refused' };
  if (facts.fetchSite !== undefined && facts.fetchSite !== 'same-origin' && facts.fetchSite !== 'none') return { allowed: false, status: 403, reason: 'cross-site requests are refused' };
  if (facts.token === undefined || !sameSecret(facts.token, server.token)) return { allowed: false, status: 401, reason: `the page's token is missing or wrong (open the URL the server printed)` };
  return { allowed: true };
}

/** Host names this server answers to: a rebinding attacker's page sends its own. */
export function sameHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

function originHost(origin: string): string | undefined {
  const match = /^http:\/\/([^/]+)$/.exec(origin);
  return match?.[1];
}

/** Compares digests so neither length nor bytes leak through timing. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}
