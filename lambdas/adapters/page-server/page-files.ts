import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/**
 * The findings page's Content-Security-Policy: its own scripts and styles only (no inline script or
 * style attribute can run, so advisory text that slips into markup stays inert), requests to its
 * own origin only, no framing, no forms, no plugins.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

export interface PageFile {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A file of the built page (dist/ui) by its path under the page's root (`''` or `/` is
 * index.html), with the security headers every answer carries; undefined for anything else (no
 * directory listing, nothing outside the directory, only the types the page is made of).
 */
export async function pageFile(root: string, path: string): Promise<PageFile | undefined> {
  let relative: string;
  try {
    relative = decodeURIComponent(path.replace(/^\/+/, ''));
  } catch {
    return undefined;
  }
  if (relative === '') relative = 'index.html';
  const resolved = normalize(join(root, relative));
  if (!resolved.startsWith(normalize(root) + sep) || relative.includes('\0')) return undefined;
  const type = TYPES[extname(resolved)];
  if (type === undefined) return undefined;
  let body: Buffer;
  try {
    body = await readFile(resolved);
  } catch {
    return undefined;
  }
  return { body, headers: { ...PAGE_SECURITY_HEADERS, 'content-type': type } };
}

export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};
