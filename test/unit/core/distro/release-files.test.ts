import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectDistro } from '../../../../lambdas/core/distro/detect-distro.ts';
import { releaseFilesAnalyzer } from '../../../../lambdas/core/distro/release-files-analyzer.ts';
import { SquashedView } from '../../../../lambdas/core/image/squashed-view.ts';
import { distroEcosystem } from '../../../../lambdas/core/matching/distro-ecosystem.ts';
import { tarBytes, type TarInput } from '../../../../tools/image-builder/tar-writer.ts';
import { analyzeTar } from '../../../support/analyze-tar.ts';
import { sharedFixtures } from '../../../support/paths.ts';

const noIssues = { warn: (message: string) => expect.fail(message) };

describe('os-release', () => {
  const dir = sharedFixtures('os', 'os-release');
  const expected = readFileSync(`${dir}/expected.tsv`, 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split('\t'));

  it('covers every fixture', () => {
    expect(expected.map(([file]) => file).sort()).toEqual(readdirSync(dir).filter((name) => name.endsWith('.os-release')).sort());
  });

  it.each(expected)('%s reads as the shell reads it', (file, id, versionId, codename, prettyName) => {
    const facts = releaseFilesAnalyzer.parse({ path: 'etc/os-release', bytes: readFileSync(`${dir}/${file}`) }, noIssues);
    expect(facts).toMatchObject({ id, prettyName });
    expect(facts?.versionId ?? '').toBe(versionId);
    if (codename) expect(facts?.codename).toBe(codename);
  });

  it('honours quoting and escapes, and ignores comments and junk', () => {
    const text = '# comment\nID="my\\"os"\nVERSION_ID=\'1.0\'\nnot an assignment\nPRETTY_NAME="A \\$B"\n';
    expect(releaseFilesAnalyzer.parse({ path: 'usr/lib/os-release', bytes: Buffer.from(text) }, noIssues)).toEqual({ id: 'my"os', versionId: '1.0', prettyName: 'A $B' });
  });
});

describe('older release files', () => {
  const parse = (path: string, text: string) => releaseFilesAnalyzer.parse({ path, bytes: Buffer.from(text) }, noIssues);

  it.each([
    ['etc/alpine-release', '3.20.3\n', { id: 'alpine', versionId: '3.20.3' }],
    ['etc/debian_version', '11.2\n', { id: 'debian', versionId: '11' }],
    ['etc/debian_version', 'trixie/sid\n', { id: 'debian', codename: 'trixie' }],
    ['etc/redhat-release', 'Red Hat Enterprise Linux release 9.4 (Plow)\n', { id: 'rhel', versionId: '9.4' }],
    ['etc/redhat-release', 'CentOS Linux release 7.9.2009 (Core)\n', { id: 'centos', versionId: '7.9.2009' }],
    ['etc/redhat-release', 'Rocky Linux release 9.3 (Blue Onyx)\n', { id: 'rocky', versionId: '9.3' }],
    ['etc/system-release', 'Amazon Linux release 2023 (Amazon Linux)\n', { id: 'amzn', versionId: '2023' }],
    // Scientific Linux's os-release says ID="scientific", ID_LIKE="rhel centos fedora".
    ['etc/redhat-release', 'Scientific Linux release 7.9 (Nitrogen)\n', { id: 'scientific', versionId: '7.9', idLike: ['rhel', 'centos', 'fedora'] }],
    ['etc/centos-release', 'CentOS Linux release 7.9.2009 (Core)\n', { id: 'centos', versionId: '7.9.2009' }],
    ['usr/lib/system-release', 'Amazon Linux release 2023.6.20241010 (Amazon Linux)\n', { id: 'amzn', versionId: '2023.6.20241010' }],
  ])('%s %j', (path, text, facts) => {
    expect(parse(path, text)).toMatchObject(facts);
  });

  it('ignores what it does not recognise', () => {
    expect(parse('etc/redhat-release', 'Something else entirely\n')).toBeUndefined();
    expect(parse('etc/os-release', 'NAME=nothing\n')).toBeUndefined();
  });
});

describe('detectDistro', () => {
  const detect = (...layers: TarInput[][]) => detectDistro(new SquashedView(layers.map((entries) => analyzeTar(tarBytes(entries)))));

  it('prefers /etc/os-release, followed through its usual symlink', () => {
    expect(
      detect([
        { type: 'file', path: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
        { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' },
        { type: 'file', path: 'etc/debian_version', content: '12.4\n' },
      ]),
    ).toEqual({ id: 'debian', versionId: '12', codename: 'bookworm', source: 'usr/lib/os-release' });
  });

  it('falls back to /usr/lib/os-release, then to the family release files', () => {
    expect(detect([{ type: 'file', path: 'usr/lib/os-release', content: 'ID=alpine\nVERSION_ID=3.20.3\n' }])).toMatchObject({ id: 'alpine', source: 'usr/lib/os-release' });
    expect(detect([{ type: 'file', path: 'etc/alpine-release', content: '3.16.2\n' }])).toMatchObject({ id: 'alpine', versionId: '3.16.2', source: 'etc/alpine-release' });
  });

  it('does not use a release file a later layer deleted', () => {
    expect(
      detect(
        [{ type: 'file', path: 'etc/os-release', content: 'ID=ubuntu\nVERSION_ID="22.04"\n' }, { type: 'file', path: 'etc/debian_version', content: 'bookworm/sid\n' }],
        [{ type: 'file', path: 'etc/.wh.os-release', content: '' }],
      ),
    ).toMatchObject({ id: 'debian', codename: 'bookworm', source: 'etc/debian_version' });
  });

  it.each([
    ['etc/centos-release', 'CentOS Linux release 7.9.2009 (Core)\n', 'centos'],
    ['usr/lib/system-release', 'Amazon Linux release 2023.6.20241010 (Amazon Linux)\n', 'amzn'],
    ['etc/redhat-release', 'Scientific Linux release 7.9 (Nitrogen)\n', 'scientific'],
  ])('uses %s when it is the only release file', (path, content, id) => {
    expect(detect([{ type: 'file', path, content }])).toMatchObject({ id, source: path });
  });

  it('takes the release from the distribution\'s own file when os-release has no VERSION_ID', () => {
    expect(detect([{ type: 'file', path: 'etc/os-release', content: 'NAME="Debian GNU/Linux"\nID=debian\n' }, { type: 'file', path: 'etc/debian_version', content: '12.7\n' }])).toEqual({
      id: 'debian',
      versionId: '12',
      prettyName: 'Debian GNU/Linux',
      source: 'etc/os-release',
    });
    // Ubuntu ships a debian_version too; it names the Debian release Ubuntu forked from, not Ubuntu's.
    expect(detect([{ type: 'file', path: 'etc/os-release', content: 'ID=ubuntu\n' }, { type: 'file', path: 'etc/debian_version', content: '12.7\n' }])?.versionId).toBeUndefined();
    // A development release stays without one.
    expect(detect([{ type: 'file', path: 'etc/os-release', content: 'ID=debian\nVERSION_CODENAME=trixie\n' }, { type: 'file', path: 'etc/debian_version', content: 'trixie/sid\n' }])).toMatchObject({ id: 'debian', codename: 'trixie' });
  });

  // Real files: the distroless static-debian11 rootfs (shared fixture) and this Debian machine's own
  // base-files, each with the VERSION_ID line taken out of os-release, as in distroless images without it.
  it.each([
    ['distroless static-debian11', sharedFixtures('os', 'distroless', 'static-debian11', 'usr', 'lib', 'os-release'), sharedFixtures('os', 'distroless', 'static-debian11', 'etc', 'debian_version'), 'Debian:11'],
    ['this machine', '/usr/lib/os-release', '/etc/debian_version', `Debian:${readFileSync('/etc/debian_version', 'utf8').split('.')[0]}`],
  ])('matches %s against its Debian release from debian_version alone', (_, osRelease, debianVersion, ecosystem) => {
    const withoutVersionId = readFileSync(osRelease, 'utf8').replace(/^VERSION_ID=.*\n/m, '');
    expect(withoutVersionId).not.toContain('VERSION_ID');
    const distro = detect([
      { type: 'file', path: 'usr/lib/os-release', content: withoutVersionId },
      { type: 'file', path: 'etc/debian_version', content: readFileSync(debianVersion) },
    ]);
    expect(distro).toMatchObject({ id: 'debian', source: 'usr/lib/os-release' });
    expect(distroEcosystem(distro)).toMatchObject({ ecosystem: { ecosystem } });
  });

  it('finds nothing in an image without release files', () => {
    expect(detect([{ type: 'file', path: 'app/server', content: 'binary' }])).toBeUndefined();
  });
});
