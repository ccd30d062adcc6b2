import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dpkgCataloger } from '../../../../../lambdas/core/catalog/dpkg/dpkg-cataloger.ts';
import type { Digest } from '../../../../../lambdas/core/digest.ts';
import { SquashedView } from '../../../../../lambdas/core/image/squashed-view.ts';
import { tarBytes } from '../../../../../tools/image-builder/tar-writer.ts';
import { analyzeTar } from '../../../../support/analyze-tar.ts';
import { dpkgQueryPackages } from '../../../../support/debian-rootfs.ts';

/** A status stanza with the fields dpkg insists on; `status` undefined leaves the Status field out. */
function stanza(name: string, version: string, status: string | undefined, extra = ''): string {
  return [`Package: ${name}`, ...(status ? [`Status: ${status}`] : []), 'Maintainer: Nobody <nobody@example.org>', 'Architecture: amd64', `Version: ${version}`, `${extra}Description: test`].join('\n') + '\n';
}

const STATUS = [
  stanza('no-status', '1.0-1', undefined),
  stanza('installed', '2.0-1', 'install ok installed'),
  stanza('held', '1:3.0-2', 'hold ok installed'),
  stanza('removed', '4.0-1', 'deinstall ok config-files'),
  stanza('purged', '5.0-1', 'purge ok not-installed'),
  stanza('half-installed', '6.0-1', 'install reinstreq half-installed'),
  stanza('unpacked', '7.0-1', 'install ok unpacked'),
  stanza('half-configured', '8.0-1', 'install ok half-configured'),
  stanza('pending', '9.0-1', 'install ok triggers-pending', 'Triggers-Pending: /usr/share/pending\n'),
  stanza('awaiting', '10.0-1', 'install ok triggers-awaited', 'Triggers-Awaited: pending\n'),
  stanza('no-status-either', '11.0-1', undefined),
].join('\n');

function catalogStatus(text: string): string[] {
  const view = new SquashedView([analyzeTar(tarBytes([{ type: 'file', path: 'var/lib/dpkg/status', content: text }]))]);
  const layers = [{ digest: `sha256:${'0'.repeat(64)}` as Digest, diffId: `sha256:${'1'.repeat(64)}` as Digest }];
  const packages = dpkgCataloger.collect(view, { distro: undefined, layers, warn: (message) => expect.fail(message) });
  return packages.map((pkg) => `${pkg.name}\t${pkg.version}`).sort();
}

// The expectation is dpkg-query's own reading of the generated status file (`--admindir`), minus the
// packages whose files are gone (config-files, not-installed).
describe('dpkg status file, read as dpkg-query reads it', () => {
  it('lists a stanza without Status as not installed, and every on-disk state as present', () => {
    const root = mkdtempSync(join(tmpdir(), 'customs-dpkg-status-'));
    mkdirSync(join(root, 'var/lib/dpkg/updates'), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status'), STATUS);
    const expected = dpkgQueryPackages(root);
    expect(expected).toHaveLength(7);
    expect(expected.some((line) => line.startsWith('no-status'))).toBe(false);
    expect(catalogStatus(STATUS)).toEqual(expected);
  });
});
