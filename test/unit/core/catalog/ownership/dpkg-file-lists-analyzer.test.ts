import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dpkgListPackage, parseDpkgFileList, rootRelative } from '../../../../../lambdas/core/catalog/ownership/dpkg-file-lists-analyzer.ts';
import { sharedFixtures } from '../../../../support/paths.ts';

function parse(path: string, content: string | Uint8Array) {
  const warnings: string[] = [];
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const result = parseDpkgFileList({ path, bytes }, { warn: (message) => warnings.push(message) });
  return { paths: result?.paths.split('\n'), result, warnings };
}

describe('dpkg file lists', () => {
  it('reads an info/*.list as root-relative paths, directories included, without the `/.` root', () => {
    const list = ['/.', '/usr', '/usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info', '/usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info/PKG-INFO', '/usr/share/doc/python3-jinja2', ''].join('\n');
    const { paths, warnings } = parse('var/lib/dpkg/info/python3-jinja2.list', list);
    expect(paths).toEqual(['usr', 'usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info', 'usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info/PKG-INFO', 'usr/share/doc/python3-jinja2']);
    expect(warnings).toEqual([]);
  });

  it('names the package from the list file, with the architecture of a Multi-Arch: same package', () => {
    expect(dpkgListPackage('var/lib/dpkg/info/python3-jinja2.list')).toEqual({ name: 'python3-jinja2' });
    expect(dpkgListPackage('var/lib/dpkg/info/libc6:amd64.list')).toEqual({ name: 'libc6', architecture: 'amd64' });
    expect(dpkgListPackage('var/lib/dpkg/info/libc6:amd64.md5sums')).toBeUndefined();
    expect(dpkgListPackage('var/lib/dpkg/status.d/libc6.list')).toBeUndefined();
  });

  it('reads a distroless status.d md5sums file (syft fixture)', () => {
    const file = sharedFixtures('os', 'distroless', 'syft-image-distroless-deb', 'var', 'lib', 'dpkg', 'status.d', 'libsqlite3-0.md5sums');
    const { paths, warnings } = parse('var/lib/dpkg/status.d/libsqlite3-0.md5sums', readFileSync(file));
    expect(paths).toContain('usr/lib/aarch64-linux-gnu/libsqlite3.so.0.8.6');
    expect(paths).toContain('usr/share/doc/libsqlite3-0/copyright');
    expect(paths).toHaveLength(6);
    expect(warnings).toEqual([]);
  });

  it('normalises `.` and `..` segments without climbing above the root', () => {
    expect(parse('var/lib/dpkg/info/x.list', '/usr/./lib/../lib64//x\n/../../etc/passwd\n').paths).toEqual(['usr/lib64/x', 'etc/passwd']);
    expect(rootRelative('/usr/bin/')).toBe('usr/bin');
  });

  it('skips damaged lines with one warning and keeps the rest', () => {
    const list = parse('var/lib/dpkg/info/x.list', '/usr/bin/x\nrelative/path\n\r\n/usr/bin/y\n');
    expect(list.paths).toEqual(['usr/bin/x', 'usr/bin/y']);
    expect(list.warnings).toEqual(['skipped 2 damaged lines (each line should be an absolute path)']);
    const sums = parse('var/lib/dpkg/status.d/x.md5sums', `${'a'.repeat(32)}  usr/bin/x\nnot-a-digest  usr/bin/y\n`);
    expect(sums.paths).toEqual(['usr/bin/x']);
    expect(sums.warnings).toEqual(['skipped 1 damaged line (each line should be `md5  path`)']);
  });

  it('ignores binary files and files that are not lists', () => {
    const binary = parse('var/lib/dpkg/info/x.list', new Uint8Array([0x2f, 0x61, 0, 0x62]));
    expect(binary.result).toBeUndefined();
    expect(binary.warnings).toEqual(['holds NUL bytes, so it is not a file list; ignored']);
    expect(parse('var/lib/dpkg/info/.list', '/usr/bin/x\n').result).toBeUndefined();
    expect(parse('var/lib/dpkg/info/x.list', '').paths).toEqual(['']);
  });
});
