import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tarBytes } from '../../../../tools/image-builder/tar-writer.ts';
import { analyzeTar } from '../../../support/analyze-tar.ts';

const osRelease = 'ID=debian\nVERSION_ID="12"\n';

describe('LayerWalker', () => {
  it('reads only wanted files and keeps symlinks, whiteouts and opaque markers', () => {
    const analysis = analyzeTar(
      tarBytes([
        { type: 'dir', path: 'etc' },
        { type: 'file', path: 'etc/os-release', content: osRelease },
        { type: 'file', path: 'etc/motd', content: 'not wanted' },
        { type: 'symlink', path: 'bin', target: 'usr/bin' },
        { type: 'file', path: 'tmp/.wh.junk', content: '' },
        { type: 'file', path: 'var/lib/dpkg/.wh..wh..opq', content: '' },
        { type: 'file', path: 'tmp/.wh..wh.plnk', content: '' },
      ]),
    );
    expect(analysis.records).toEqual([
      { type: 'directory', path: 'etc' },
      { type: 'file', path: 'etc/os-release', size: osRelease.length, results: { 'release-files': { id: 'debian', versionId: '12' } } },
      { type: 'symlink', path: 'bin', target: 'usr/bin' },
      { type: 'whiteout', path: 'tmp/junk' },
      { type: 'opaque', path: 'var/lib/dpkg' },
    ]);
    expect(analysis.entries).toBe(7);
  });

  it('normalises absolute and dotted names to paths inside the image', () => {
    const analysis = analyzeTar(tarBytes([{ type: 'file', path: '/./etc/../etc/os-release', content: osRelease }]));
    expect(analysis.records[0]).toMatchObject({ type: 'file', path: 'etc/os-release' });
  });

  it('refuses entries that climb above the root', () => {
    expect(() => analyzeTar(tarBytes([{ type: 'file', path: '../../etc/passwd', content: 'x' }]))).toThrow(
      expect.objectContaining({ code: 'unsafe', message: 'tar entry "../../etc/passwd" escapes the image root' }),
    );
  });

  it('refuses hard links whose target climbs above the root', () => {
    expect(() => analyzeTar(tarBytes([{ type: 'hardlink', path: 'etc/os-release', target: '../../../etc/shadow' }]))).toThrow(
      expect.objectContaining({ code: 'unsafe', message: 'hard link target "../../../etc/shadow" escapes the image root' }),
    );
  });

  it('gives a hard link to a file read earlier the same content', () => {
    const analysis = analyzeTar(
      tarBytes([
        { type: 'file', path: 'usr/lib/os-release', content: osRelease },
        { type: 'hardlink', path: 'etc/os-release', target: 'usr/lib/os-release' },
      ]),
    );
    expect(analysis.records[1]).toMatchObject({ type: 'file', path: 'etc/os-release', results: { 'release-files': { id: 'debian' } } });
  });

  it('marks a hard link to content that was not read as unread, with a warning', () => {
    const analysis = analyzeTar(
      tarBytes([
        { type: 'file', path: 'opt/elsewhere', content: osRelease },
        { type: 'hardlink', path: 'etc/os-release', target: 'opt/elsewhere' },
      ]),
    );
    expect(analysis.records).toEqual([{ type: 'unread', path: 'etc/os-release', size: 0, reason: 'it is a hard link to opt/elsewhere, whose content was not read' }]);
    expect(analysis.warnings).toEqual(['etc/os-release was not read: it is a hard link to opt/elsewhere, whose content was not read']);
  });

  it('skips a wanted file over the size cap with a warning instead of failing', () => {
    const status = `Package: big\nVersion: 1\n${'Description: x\n'.repeat(200)}`;
    const analysis = analyzeTar(tarBytes([{ type: 'file', path: 'var/lib/dpkg/status', content: status }]), { limits: { maxCapturedFileBytes: 1024 } });
    expect(analysis.records).toEqual([expect.objectContaining({ type: 'unread', path: 'var/lib/dpkg/status', size: status.length })]);
    expect(analysis.warnings[0]).toMatch(/var\/lib\/dpkg\/status was not read: it is 3\.\d KiB, over the 1 KiB cap on files read into memory/);
  });

  it('follows a symlink created earlier in the same layer, as extraction would, and says so', () => {
    const analysis = analyzeTar(
      tarBytes([
        { type: 'symlink', path: 'x', target: '/var/lib/dpkg' },
        { type: 'file', path: 'x/status', content: 'Package: hidden\nStatus: install ok installed\nVersion: 1\n' },
      ]),
    );
    expect(analysis.records[1]).toMatchObject({ type: 'file', path: 'var/lib/dpkg/status', results: { dpkg: { packages: [{ name: 'hidden', version: '1' }] } } });
    expect(analysis.warnings).toContain('tar entry x/status is written through a symlink in the same layer; read as var/lib/dpkg/status');
  });

  it('stops following a symlink replaced by a directory later in the layer', () => {
    const analysis = analyzeTar(
      tarBytes([
        { type: 'symlink', path: 'etc', target: '/opt' },
        { type: 'dir', path: 'etc' },
        { type: 'file', path: 'etc/os-release', content: osRelease },
      ]),
    );
    expect(analysis.records.at(-1)).toMatchObject({ type: 'file', path: 'etc/os-release' });
    expect(analysis.warnings).toEqual([]);
  });

  it('refuses a symlink loop used as a directory', () => {
    expect(() =>
      analyzeTar(
        tarBytes([
          { type: 'symlink', path: 'a', target: 'b' },
          { type: 'symlink', path: 'b', target: 'a' },
          { type: 'file', path: 'a/file', content: '' },
        ]),
      ),
    ).toThrow(/written through a symlink loop/);
  });

  it('records non-directories that replace a directory on a wanted path', () => {
    const analysis = analyzeTar(
      tarBytes([
        { type: 'file', path: 'var/lib/dpkg', content: 'a file where a directory was' },
        { type: 'char-device', path: 'etc' },
        { type: 'file', path: 'srv/data', content: 'irrelevant' },
      ]),
    );
    expect(analysis.records).toEqual([
      { type: 'node', path: 'var/lib/dpkg' },
      { type: 'node', path: 'etc' },
    ]);
  });

  it('turns an analyzer crash into a warning about that file', () => {
    const exploding = { name: 'boom', version: 1, patterns: ['etc/boom'], parse: () => { throw new Error('kaboom'); } };
    const analysis = analyzeTar(tarBytes([{ type: 'file', path: 'etc/boom', content: 'x' }]), { analyzers: [exploding] });
    expect(analysis.warnings).toEqual(['boom: etc/boom: could not be parsed: kaboom']);
    expect(analysis.records).toEqual([{ type: 'file', path: 'etc/boom', size: 1, results: {} }]);
  });
});

describe('LayerWalker with analyzers that sniff', () => {
  const seen: string[] = [];
  const zipOnly = {
    name: 'zips',
    version: 1,
    patterns: ['**/*.jar'],
    sniff: (head: Uint8Array) => head[0] === 0x50 && head[1] === 0x4b,
    parse: (file: { path: string; bytes: Uint8Array }) => {
      seen.push(`${file.path}:${file.bytes.length}`);
      return { size: file.bytes.length, sha256: createHash('sha256').update(file.bytes).digest('hex') };
    },
  };

  it('reads whole only the files whose first bytes the analyzer accepts, across chunk boundaries', () => {
    const zip = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(3000, 1)]);
    const analysis = analyzeTar(
      tarBytes([
        { type: 'file', path: 'app/real.jar', content: zip },
        { type: 'file', path: 'app/fake.jar', content: Buffer.alloc(5000, 7) },
        { type: 'file', path: 'app/tiny.jar', content: 'PK' },
        { type: 'file', path: 'app/empty.jar', content: '' },
      ]),
      { analyzers: [zipOnly], chunkSize: 3 },
    );
    expect(seen).toEqual([`app/real.jar:${zip.length}`, 'app/tiny.jar:2']);
    expect(analysis.records).toEqual([
      { type: 'file', path: 'app/real.jar', size: zip.length, results: { zips: { size: zip.length, sha256: createHash('sha256').update(zip).digest('hex') } } },
      { type: 'file', path: 'app/tiny.jar', size: 2, results: { zips: { size: 2, sha256: createHash('sha256').update('PK').digest('hex') } } },
    ]);
  });
});
