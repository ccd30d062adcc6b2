import { describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../../../lambdas/core/catalog/catalogers.ts';
import { assignOwners, ownedFileOf } from '../../../../../lambdas/core/catalog/ownership/assign-owners.ts';
import type { Digest } from '../../../../../lambdas/core/digest.ts';
import { detectDistro } from '../../../../../lambdas/core/distro/detect-distro.ts';
import { SquashedView } from '../../../../../lambdas/core/image/squashed-view.ts';
import type { Package, PackageType } from '../../../../../lambdas/core/sbom/model.ts';
import type { TarInput } from '../../../../../tools/image-builder/tar-writer.ts';
import { tarBytes } from '../../../../../tools/image-builder/tar-writer.ts';
import { analyzeTar } from '../../../../support/analyze-tar.ts';

const DIGEST = `sha256:${'0'.repeat(64)}` as Digest;
const SITE = 'usr/lib/python3/dist-packages';

/** Catalogs the layers as the scanner does, adds hand-made packages, and assigns owners. */
function owned(layers: TarInput[][], extra: Package[] = []) {
  const view = new SquashedView(layers.map((entries) => analyzeTar(tarBytes(entries))));
  const warnings: string[] = [];
  const context = { distro: detectDistro(view), layers: layers.map(() => ({ digest: DIGEST, diffId: DIGEST })), warn: (message: string) => warnings.push(message) };
  const packages = [...defaultCatalogers.flatMap((cataloger) => cataloger.collect(view, context)), ...extra];
  const result = assignOwners(view, packages, context.warn);
  const ownerOf = (name: string) => result.find((pkg) => pkg.name === name && !['deb', 'rpm', 'apk'].includes(pkg.type))?.owner;
  return { packages: result, warnings, ownerOf };
}

const debian: TarInput = { type: 'file', path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' };
const stanza = (name: string, { arch = 'all', version = '1.0-1', status = 'install ok installed' } = {}) => `Package: ${name}\nStatus: ${status}\nArchitecture: ${arch}\nVersion: ${version}\n`;
const status = (...stanzas: string[]): TarInput => ({ type: 'file', path: 'var/lib/dpkg/status', content: stanzas.join('\n') });
const list = (file: string, ...paths: string[]): TarInput => ({ type: 'file', path: `var/lib/dpkg/info/${file}`, content: ['/.', ...paths.map((path) => `/${path}`), ''].join('\n') });
const eggInfo = (name: string, version: string, dir = SITE): TarInput => ({ type: 'file', path: `${dir}/${name}-${version}.egg-info`, content: `Metadata-Version: 1.1\nName: ${name}\nVersion: ${version}\n` });
const debOwner = (name: string, version = '1.0-1', arch = 'all') => ({ id: `pkg:deb/debian/${name}@${version}?arch=${arch}&distro=debian-12`, name, type: 'deb' });

function languagePackage(type: PackageType, name: string, path: string): Package {
  return { id: `pkg:${type}/${name}@1#${path}`, type, name, version: '1', purl: `pkg:${type}/${name}@1`, location: { path, layerIndex: 0, layerDigest: DIGEST, layerDiffId: DIGEST }, cataloger: 'test' };
}

describe('OS package owners of language packages', () => {
  it('names the installed dpkg package whose .list holds the metadata file, and only for language packages', () => {
    const { packages, ownerOf, warnings } = owned([[debian, status(stanza('python3-six')), list('python3-six.list', 'usr', 'usr/lib', SITE, `${SITE}/six-1.16.0.egg-info`, `${SITE}/six.py`), eggInfo('six', '1.16.0')]]);
    expect(ownerOf('six')).toEqual(debOwner('python3-six'));
    expect(packages.find((pkg) => pkg.type === 'deb')!.owner).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('gives no owner to a distribution no package lists (pip install into /usr/local)', () => {
    const { ownerOf } = owned([[debian, status(stanza('python3-six')), list('python3-six.list', `${SITE}/six-1.16.0.egg-info`), eggInfo('urllib3', '1.26.5', 'usr/local/lib/python3.11/dist-packages')]]);
    expect(ownerOf('urllib3')).toBeUndefined();
  });

  it('ignores the .list left behind by a package that is not installed', () => {
    const leftover = owned([[debian, status(stanza('python3-six')), list('python3-old.list', `${SITE}/old-1.0.egg-info`), eggInfo('old', '1.0')]]);
    expect(leftover.ownerOf('old')).toBeUndefined();
    const configFiles = owned([[debian, status(stanza('python3-six'), stanza('python3-old', { status: 'deinstall ok config-files' })), list('python3-old.list', `${SITE}/old-1.0.egg-info`), eggInfo('old', '1.0')]]);
    expect(configFiles.ownerOf('old')).toBeUndefined();
  });

  it('drops the owner when a later layer removes the package', () => {
    const install = [debian, status(stanza('python3-six')), list('python3-six.list', `${SITE}/six-1.16.0.egg-info`), eggInfo('six', '1.16.0')];
    // dpkg -r deletes the .list and the status entry; the metadata file stays if something else put it back.
    const { ownerOf } = owned([install, [status(stanza('base-files')), { type: 'file', path: 'var/lib/dpkg/info/.wh.python3-six.list', content: '' }]]);
    expect(ownerOf('six')).toBeUndefined();
  });

  it('prefers the installed package when a removed one also lists the path (diverted or taken over)', () => {
    const { ownerOf, warnings } = owned([[debian, status(stanza('python3-six')), list('python3-aaa.list', `${SITE}/six-1.16.0.egg-info`), list('python3-six.list', `${SITE}/six-1.16.0.egg-info`), eggInfo('six', '1.16.0')]]);
    expect(ownerOf('six')).toEqual(debOwner('python3-six'));
    expect(warnings).toEqual([]);
  });

  it('chooses the same owner whatever the order when two installed packages list the path, and says so', () => {
    const lists = [list('python3-six.list', `${SITE}/six-1.16.0.egg-info`), list('python3-aaa.list', `${SITE}/six-1.16.0.egg-info`)];
    const base = [debian, status(stanza('python3-six'), stanza('python3-aaa')), eggInfo('six', '1.16.0')];
    const forward = owned([[...base, ...lists]]);
    const backward = owned([[...base, ...lists.reverse()]]);
    expect(forward.ownerOf('six')).toEqual(debOwner('python3-aaa'));
    expect(backward.ownerOf('six')).toEqual(debOwner('python3-aaa'));
    expect(forward.warnings).toEqual([`${SITE}/six-1.16.0.egg-info is listed by 2 installed packages (deb python3-aaa, deb python3-six); python3-aaa is recorded as its owner`]);
    expect(backward.warnings).toEqual(forward.warnings);
  });

  it('reads multi-arch list names and matches the architecture', () => {
    const binary = languagePackage('golang', 'example.com/tool', 'usr/lib/x86_64-linux-gnu/tool');
    const other = languagePackage('golang', 'example.com/other', 'usr/lib/i386-linux-gnu/tool');
    const { ownerOf } = owned(
      [[debian, status(stanza('libtool0', { arch: 'amd64' })), list('libtool0:amd64.list', binary.location.path), list('libtool0:i386.list', other.location.path)]],
      [binary, other],
    );
    expect(ownerOf('example.com/tool')).toEqual(debOwner('libtool0', '1.0-1', 'amd64'));
    expect(ownerOf('example.com/other')).toBeUndefined();
  });

  it('owns Go binaries and jars by their file, nested archives by the outermost one', () => {
    const extra = [
      languagePackage('golang', 'github.com/foo/foo', 'usr/bin/foo'),
      languagePackage('maven', 'org.example/lib', 'usr/share/java/lib.jar'),
      languagePackage('maven', 'org.example/inner', 'usr/share/java/app.war!/WEB-INF/lib/inner.jar'),
      languagePackage('maven', 'org.example/local', 'opt/app/app.jar'),
    ];
    const { ownerOf } = owned([[debian, status(stanza('foo'), stanza('libapp-java')), list('foo.list', 'usr/bin', 'usr/bin/foo'), list('libapp-java.list', 'usr/share/java/lib.jar', 'usr/share/java/app.war')]], extra);
    expect(ownerOf('github.com/foo/foo')).toEqual(debOwner('foo'));
    expect(ownerOf('org.example/lib')).toEqual(debOwner('libapp-java'));
    expect(ownerOf('org.example/inner')).toEqual(debOwner('libapp-java'));
    expect(ownerOf('org.example/local')).toBeUndefined();
    expect(ownedFileOf(extra[2]!)).toBe('usr/share/java/app.war');
    expect(ownedFileOf(languagePackage('npm', 'x', '/usr/share/nodejs/x/package.json'))).toBe('usr/share/nodejs/x/package.json');
  });

  it('follows directory symlinks in listed paths (merged /usr lists /bin/foo, the file is at usr/bin/foo)', () => {
    const foo = languagePackage('golang', 'github.com/foo/foo', 'usr/bin/foo');
    const { ownerOf } = owned([[debian, { type: 'symlink', path: 'bin', target: 'usr/bin' }, status(stanza('foo')), list('foo.list', 'bin', 'bin/foo')]], [foo]);
    expect(ownerOf('github.com/foo/foo')).toEqual(debOwner('foo'));
  });

  it('reads distroless status.d md5sums, owned by the package its control file describes', () => {
    const control = (name: string) => `Package: ${name}\nVersion: 1.16.0-4\nArchitecture: all\n`;
    const { ownerOf } = owned([
      [
        debian,
        // The file names need not be the package name (distroless writes `base` for base-files).
        { type: 'file', path: 'var/lib/dpkg/status.d/six', content: control('python3-six') },
        { type: 'file', path: 'var/lib/dpkg/status.d/six.md5sums', content: `${'0'.repeat(32)}  ${SITE}/six-1.16.0.egg-info\n` },
        { type: 'file', path: 'var/lib/dpkg/status.d/gone.md5sums', content: `${'0'.repeat(32)}  ${SITE}/gone-1.0.egg-info\n` },
        eggInfo('six', '1.16.0'),
        eggInfo('gone', '1.0'),
      ],
    ]);
    expect(ownerOf('six')).toEqual(debOwner('python3-six', '1.16.0-4'));
    expect(ownerOf('gone')).toBeUndefined();
  });

  it('returns the packages untouched when there is nothing to own', () => {
    const foo = languagePackage('golang', 'github.com/foo/foo', 'usr/bin/foo');
    const { packages } = owned([[debian, list('foo.list', 'usr/bin/foo')]], [foo]);
    expect(packages).toEqual([foo]);
  });
});
