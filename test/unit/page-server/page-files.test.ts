import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pageFile } from '../../../lambdas/adapters/page-server/page-files.ts';

const parent = mkdtempSync(join(tmpdir(), 'page-files-'));
const root = join(parent, 'ui');
mkdirSync(root);
writeFileSync(join(root, 'index.html'), '<!doctype html>');
writeFileSync(join(root, 'app.js'), 'export {};');
writeFileSync(join(root, 'notes.txt'), 'not part of the page');
writeFileSync(join(parent, 'secret.html'), 'outside');
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('pageFile', () => {
  it('serves index.html for the root and the page files by name, with the CSP and their types', async () => {
    const index = await pageFile(root, '/');
    expect(index?.body.toString()).toBe('<!doctype html>');
    expect(index?.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index?.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index?.headers['content-security-policy']).not.toContain('unsafe');
    expect((await pageFile(root, 'app.js'))?.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('serves nothing outside the directory, of other types, or missing', async () => {
    for (const path of ['../secret.html', '%2e%2e/secret.html', '..%2fsecret.html', 'notes.txt', 'missing.js', '%zz', 'app.js%00.html']) expect(await pageFile(root, path)).toBeUndefined();
  });
});
