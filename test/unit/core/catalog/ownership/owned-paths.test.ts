import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../../../lambdas/core/catalog/catalogers.ts';
import { filePaths, type FileList } from '../../../../../lambdas/core/catalog/file-list.ts';
import { assignOwners } from '../../../../../lambdas/core/catalog/ownership/assign-owners.ts';
import { ownedPaths } from '../../../../../lambdas/core/catalog/ownership/owned-paths.ts';
import type { Digest } from '../../../../../lambdas/core/digest.ts';
import { detectDistro } from '../../../../../lambdas/core/distro/detect-distro.ts';
import { SquashedView } from '../../../../../lambdas/core/image/squashed-view.ts';
import type { PackageOwner } from '../../../../../lambdas/core/sbom/model.ts';
import { tarBytes, type TarInput } from '../../../../../tools/image-builder/tar-writer.ts';
import { analyzeTar } from '../../../../support/analyze-tar.ts';
import { sharedFixtures } from '../../../../support/paths.ts';

const DIGEST = `sha256:${'0'.repeat(64)}` as Digest;

function catalogOwned(entries: TarInput[]) {
  const view = new SquashedView([analyzeTar(tarBytes(entries))]);
  const warnings: string[] = [];
  const context = { distro: detectDistro(view), layers: [{ digest: DIGEST, diffId: DIGEST }], warn: (message: string) => warnings.push(message) };
  const packages = assignOwners(view, defaultCatalogers.flatMap((cataloger) => cataloger.collect(view, context)), context.warn);
  return { packages, warnings };
}

const metadata = (path: string, name: string, version: string): TarInput => ({ type: 'file', path, content: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n` });

describe('owned paths', () => {
  const rpmOwner: PackageOwner = { id: 'pkg:rpm/fedora/python3-x@1-1', name: 'python3-x', type: 'rpm' };

  it('normalises rpm dirnames with `..` and a trailing slash, without climbing above the root', () => {
    // As rpm headers give them: relative directories, untrusted.
    const files: FileList = { dirs: ['usr/lib/../lib64/python3.9/site-packages/x-1.dist-info', '../../etc'], names: ['METADATA', 'x.conf'], dirIndexes: [0, 1] };
    const view = new SquashedView([]);
    const index = ownedPaths(view, [{ owner: rpmOwner, paths: filePaths(files) }], new Set(['usr/lib64/python3.9/site-packages/x-1.dist-info/METADATA', 'etc/x.conf', 'usr/lib/python3.9/site-packages/x-1.dist-info/METADATA']), () => {});
    expect([...index.keys()].sort()).toEqual(['etc/x.conf', 'usr/lib64/python3.9/site-packages/x-1.dist-info/METADATA']);
  });

  it('keeps only wanted paths, however long the lists', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `usr/share/doc/p/${i}`);
    const index = ownedPaths(new SquashedView([]), [{ owner: rpmOwner, paths: [...many, 'usr/bin/tool'] }], new Set(['usr/bin/tool']), () => {});
    expect([...index]).toEqual([['usr/bin/tool', rpmOwner]]);
  });
});

describe('owners from apk and rpm databases', () => {
  const sixStanza = ['C:Q1def=', 'P:py3-six', 'V:1.16.0-r9', 'A:noarch', 'S:12345', 'I:65536', 'T:Python 2 and 3 compatibility library', 'o:py3-six', 'F:usr', 'F:usr/lib', 'F:usr/lib/python3.12', 'F:usr/lib/python3.12/site-packages', 'R:six.py', 'F:usr/lib/python3.12/site-packages/six-1.16.0.dist-info', 'R:METADATA', 'R:RECORD'];
  const apkInstalled = (...stanzas: string[][]) => stanzas.map((lines) => `${lines.join('\n')}\n`).join('\n');
  const musl = ['C:Q1abc=', 'P:musl', 'V:1.2.5-r0', 'A:x86_64', 'o:musl', 'F:lib', 'R:ld-musl-x86_64.so.1'];
  const sixMetadata = metadata('usr/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA', 'six', '1.16.0');

  it('reads apk F:/R: lists (package present → owner; other dist-info → none)', () => {
    const { packages, warnings } = catalogOwned([
      { type: 'file', path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.3\n' },
      { type: 'file', path: 'lib/apk/db/installed', content: apkInstalled(musl, sixStanza) },
      sixMetadata,
      metadata('usr/lib/python3.12/site-packages/requests-2.32.3.dist-info/METADATA', 'requests', '2.32.3'),
    ]);
    const six = packages.find((pkg) => pkg.name === 'six')!;
    expect(six.owner).toEqual({ id: packages.find((pkg) => pkg.name === 'py3-six')!.id, name: 'py3-six', type: 'apk' });
    expect(packages.find((pkg) => pkg.name === 'requests')!.owner).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('reads the apk database apko writes (usr/lib/apk/db), and only the one apk would read when both exist', () => {
    const wolfi: TarInput = { type: 'file', path: 'etc/os-release', content: 'ID=wolfi\nVERSION_ID=20230201\n' };
    const apko = catalogOwned([wolfi, { type: 'file', path: 'usr/lib/apk/db/installed', content: apkInstalled(sixStanza) }, sixMetadata]);
    expect(apko.packages.find((pkg) => pkg.name === 'six')!.owner).toMatchObject({ name: 'py3-six', type: 'apk' });
    // lib/apk/db wins; a stale usr/lib copy that lists py3-six owns nothing.
    const both = catalogOwned([
      wolfi,
      { type: 'file', path: 'lib/apk/db/installed', content: apkInstalled(musl) },
      { type: 'file', path: 'usr/lib/apk/db/installed', content: apkInstalled(sixStanza) },
      sixMetadata,
    ]);
    expect(both.packages.map((pkg) => pkg.name).sort()).toEqual(['musl', 'six']);
    expect(both.packages.find((pkg) => pkg.name === 'six')!.owner).toBeUndefined();
  });

  it('reads rpm headers (Amazon Linux 2023 sqlite database): python3-libcomps owns its egg-info', () => {
    const { packages } = catalogOwned([
      { type: 'file', path: 'etc/os-release', content: readFileSync(sharedFixtures('os', 'os-release', 'amazonlinux-2023.os-release')) },
      { type: 'file', path: 'var/lib/rpm/rpmdb.sqlite', content: readFileSync(sharedFixtures('os', 'rpm', 'real', 'amazonlinux2023-sqlite', 'rpmdb.sqlite')) },
      metadata('usr/lib64/python3.9/site-packages/libcomps-0.1.18-py3.9.egg-info/PKG-INFO', 'libcomps', '0.1.18'),
    ]);
    const libcomps = packages.find((pkg) => pkg.type === 'pypi' && pkg.name === 'libcomps')!;
    expect(libcomps.owner).toMatchObject({ name: 'python3-libcomps', type: 'rpm' });
    expect(packages.find((pkg) => pkg.id === libcomps.owner!.id)!.version).toBe('0.1.18-1.amzn2023.0.2');
  });
});
