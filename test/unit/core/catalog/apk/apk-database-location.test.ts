import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TarInput } from '../../../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../../../support/layout.ts';
import { sharedFixtures } from '../../../../support/paths.ts';
import { scan } from '../../../../support/scan.ts';

// No apk-tools runs here. The database text is a real one (the shared Alpine 3.20.3 rootfs), placed
// where apko and apk-tools 3 keep it on a merged /usr; which copy apk reads when both exist follows
// apk-tools 3 ("default db location is /usr, but detect and use /lib if it exists").
const ALPINE = sharedFixtures('os', 'apk', 'alpine-3.20.3');
const installed = readFileSync(`${ALPINE}/lib/apk/db/installed`, 'utf8');
const wolfi: TarInput = { type: 'file', path: 'etc/os-release', content: readFileSync(sharedFixtures('os', 'os-release', 'wolfi.os-release')) };

function expectedRows(): string[][] {
  return readFileSync(`${ALPINE}/expected.tsv`, 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split('\t'));
}

async function packagesOf(entries: TarInput[]) {
  const [image] = (await scan(`oci:${layoutOf([{ entries }])}`)).images;
  return image!;
}

describe('apk database under /usr/lib', () => {
  it('reads usr/lib/apk/db/installed behind the lib -> usr/lib symlink of a merged /usr, as apko lays it out', async () => {
    const image = await packagesOf([wolfi, { type: 'symlink', path: 'lib', target: 'usr/lib' }, { type: 'file', path: 'usr/lib/apk/db/installed', content: installed }]);
    expect(image.packages.map((pkg) => [pkg.name, pkg.version, pkg.source!.name, pkg.architecture ?? '']).sort()).toEqual(expectedRows().sort());
    expect(new Set(image.packages.map((pkg) => pkg.location.path))).toEqual(new Set(['usr/lib/apk/db/installed']));
    expect(image.packages.find((pkg) => pkg.name === 'musl')!.purl).toBe('pkg:apk/wolfi/musl@1.2.5-r0?arch=x86_64&distro=wolfi-20220914');
  });

  it('reads usr/lib/apk/db/installed when it is the only database', async () => {
    const image = await packagesOf([wolfi, { type: 'file', path: 'usr/lib/apk/db/installed', content: installed }]);
    expect(image.packages).toHaveLength(expectedRows().length);
  });

  it('reads only lib/apk/db/installed when both exist, as apk does', async () => {
    const stale = 'P:stale-only\nV:1.0-r0\nA:x86_64\no:stale-only\n';
    const image = await packagesOf([wolfi, { type: 'file', path: 'lib/apk/db/installed', content: installed }, { type: 'file', path: 'usr/lib/apk/db/installed', content: stale }]);
    expect(image.packages).toHaveLength(expectedRows().length);
    expect(image.packages.some((pkg) => pkg.name === 'stale-only')).toBe(false);
    expect(new Set(image.packages.map((pkg) => pkg.location.path))).toEqual(new Set(['lib/apk/db/installed']));
  });
});
