import { describe, expect, it } from 'vitest';
import { SquashedView } from '../../../../lambdas/core/image/squashed-view.ts';
import { tarBytes, type TarInput } from '../../../../tools/image-builder/tar-writer.ts';
import { analyzeTar } from '../../../support/analyze-tar.ts';

const release = (id: string): TarInput[] => [{ type: 'file', path: 'usr/lib/os-release', content: `ID=${id}\n` }];
const status = (...names: string[]): TarInput => ({ type: 'file', path: 'var/lib/dpkg/status', content: names.map((name) => `Package: ${name}\nVersion: 1\n`).join('\n') });

function view(...layers: TarInput[][]): SquashedView {
  return new SquashedView(layers.map((entries) => analyzeTar(tarBytes(entries))));
}

function visible(squashed: SquashedView, analyzer = 'dpkg'): Record<string, number[]> {
  return Object.fromEntries([...squashed.filesFor(analyzer)].map((file) => [file.path, file.versions.map((version) => version.layerIndex)]));
}

describe('SquashedView', () => {
  it('keeps the newest copy of a file and its earlier copies, newest first', () => {
    const squashed = view([status('a')], [{ type: 'file', path: 'etc/motd', content: 'x' }], [status('a', 'b')]);
    expect(visible(squashed)).toEqual({ 'var/lib/dpkg/status': [2, 0] });
  });

  it('deletes a file whited out by a later layer, and forgets history across the deletion', () => {
    const deleted = view([status('a')], [{ type: 'file', path: 'var/lib/dpkg/.wh.status', content: '' }]);
    expect(visible(deleted)).toEqual({});
    const recreated = view([status('a')], [{ type: 'file', path: 'var/lib/dpkg/.wh.status', content: '' }], [status('a')]);
    expect(visible(recreated)).toEqual({ 'var/lib/dpkg/status': [2] });
  });

  it('deletes a whole directory whited out by a later layer', () => {
    const squashed = view([status('a'), { type: 'file', path: 'var/lib/dpkg/status.d/x', content: 'Package: x\nVersion: 1\n' }], [{ type: 'file', path: 'var/lib/.wh.dpkg', content: '' }]);
    expect(visible(squashed)).toEqual({});
  });

  it('hides everything lower layers had in an opaque directory, but keeps the layer’s own files', () => {
    const squashed = view(
      [{ type: 'file', path: 'var/lib/dpkg/status.d/old', content: 'Package: old\nVersion: 1\n' }, status('a')],
      [{ type: 'file', path: 'var/lib/dpkg/status.d/new', content: 'Package: new\nVersion: 1\n' }, { type: 'file', path: 'var/lib/dpkg/status.d/.wh..wh..opq', content: '' }],
    );
    expect(visible(squashed)).toEqual({ 'var/lib/dpkg/status': [0], 'var/lib/dpkg/status.d/new': [1] });
  });

  it('a whiteout and a new file in the same layer: the new file stays', () => {
    const squashed = view([status('a')], [status('b'), { type: 'file', path: 'var/lib/dpkg/.wh.status', content: '' }]);
    expect(visible(squashed)).toEqual({ 'var/lib/dpkg/status': [1] });
  });

  it('a non-directory replacing a directory removes everything below it', () => {
    const squashed = view([status('a')], [{ type: 'symlink', path: 'var/lib/dpkg', target: '/nowhere' }]);
    expect(visible(squashed)).toEqual({});
    const byFile = view([status('a')], [{ type: 'file', path: 'var/lib/dpkg', content: 'surprise' }]);
    expect(visible(byFile)).toEqual({});
  });

  it('a directory replacing a symlink makes files below it visible again', () => {
    const squashed = view([{ type: 'symlink', path: 'etc', target: 'opt/etc' }, ...release('a')], [{ type: 'dir', path: 'etc' }, { type: 'file', path: 'etc/os-release', content: 'ID=b\n' }]);
    expect(squashed.lookup('etc/os-release')?.path).toBe('etc/os-release');
  });

  it('follows symlinks in any component, across layers', () => {
    const squashed = view(release('debian'), [{ type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' }]);
    expect(squashed.lookup('etc/os-release')).toMatchObject({ path: 'usr/lib/os-release', versions: [{ layerIndex: 0 }] });
    const viaDirectory = view([{ type: 'symlink', path: 'usr/lib', target: '/opt/lib' }], [{ type: 'file', path: 'opt/lib/os-release', content: 'ID=x\n' }]);
    expect(viaDirectory.resolve('usr/lib/os-release')).toBe('opt/lib/os-release');
  });

  it('never resolves a symlink outside the image root', () => {
    const squashed = view(release('inside'), [{ type: 'symlink', path: 'etc/os-release', target: '../../../../../../usr/lib/os-release' }]);
    expect(squashed.lookup('etc/os-release')?.path).toBe('usr/lib/os-release');
    const absolute = view([{ type: 'symlink', path: 'etc/os-release', target: '/../../etc/hostname' }]);
    expect(absolute.resolve('etc/os-release')).toBe('etc/hostname');
    expect(absolute.lookup('etc/os-release')).toBeUndefined();
  });

  it('reports a symlink loop instead of hanging', () => {
    const squashed = view([
      { type: 'symlink', path: 'etc/os-release', target: 'os-release.d' },
      { type: 'symlink', path: 'etc/os-release.d', target: 'os-release' },
    ]);
    expect(squashed.lookup('etc/os-release')).toBeUndefined();
    expect(squashed.warnings).toEqual(['symlink loop while resolving etc/os-release']);
  });

  it('treats an unread copy as hiding the lower copy', () => {
    const squashed = new SquashedView([
      analyzeTar(tarBytes([status('a')])),
      analyzeTar(tarBytes([status('b', 'c')]), { limits: { maxCapturedFileBytes: 8 } }),
    ]);
    expect(visible(squashed)).toEqual({});
  });
});
