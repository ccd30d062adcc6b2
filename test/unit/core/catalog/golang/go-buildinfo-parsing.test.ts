import { describe, expect, it } from 'vitest';
import { BUILDINFO_MAGIC, parseBuildInfoHeader, readStringHeader, unwrapModinfo } from '../../../../../lambdas/core/catalog/golang/go-buildinfo-header.ts';
import { ldflagsAssignments } from '../../../../../lambdas/core/catalog/golang/go-ldflags-version.ts';
import { goModules, MODINFO_END, MODINFO_START, toolchainVersion } from '../../../../../lambdas/core/catalog/golang/go-modinfo.ts';
import { asModuleVersion, isVersionVariable, pickVersionVariable } from '../../../../../lambdas/core/catalog/golang/go-version-variable.ts';
import { StreamReads } from '../../../../../lambdas/core/catalog/golang/stream-reads.ts';

/** A 32-byte header in the pointer format: magic, pointer size, byte order, two pointers. */
function pointerHeader(pointerSize: 4 | 8, bigEndian: boolean, version: number, modinfo: number): Buffer {
  const header = Buffer.alloc(32);
  BUILDINFO_MAGIC.copy(header);
  header[14] = pointerSize;
  header[15] = bigEndian ? 1 : 0;
  const view = new DataView(header.buffer, header.byteOffset, header.length);
  const write = (value: number, at: number) => {
    if (pointerSize === 4) view.setUint32(at, value, !bigEndian);
    else view.setBigUint64(at, BigInt(value), !bigEndian);
  };
  write(version, 16);
  write(modinfo, 16 + pointerSize);
  return header;
}

/** The Go 1.18+ header: flag 2, then uvarint-prefixed version and module text. */
function inlineHeader(version: string, modinfo: Buffer): Buffer {
  const header = Buffer.alloc(32);
  BUILDINFO_MAGIC.copy(header);
  header[14] = 8;
  header[15] = 2;
  const uvarint = (n: number) => {
    const bytes: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push((n & 0x7f) | 0x80);
    return Buffer.from([...bytes, n]);
  };
  return Buffer.concat([header, uvarint(version.length), Buffer.from(version, 'latin1'), uvarint(modinfo.length), modinfo]);
}

describe('the build info header', () => {
  it.each([
    [8, false],
    [8, true],
    [4, false],
    [4, true],
  ] as const)('pointer format, %i-byte pointers, big-endian %s', (pointerSize, bigEndian) => {
    expect(parseBuildInfoHeader(pointerHeader(pointerSize, bigEndian, 0x5100a0, 0x5100b0))).toEqual({
      kind: 'pointers',
      pointerSize,
      bigEndian,
      versionAddress: 0x5100a0,
      modinfoAddress: 0x5100b0,
    });
  });

  it.each(['go1.22.1 X:loopvar', 'go1.19.8 X:boringcrypto', 'go1.23.0 X:nocoverageredesign,boringcrypto', 'go1.20'])('inline format, version %s read whole', (version) => {
    const modinfo = Buffer.concat([MODINFO_START, Buffer.from('path\tx\nmod\tx\t(devel)\t\n'), MODINFO_END]);
    const parsed = parseBuildInfoHeader(inlineHeader(version, modinfo));
    expect(parsed).toMatchObject({ kind: 'inline', version });
    expect(parsed !== 'invalid' && parsed !== 'incomplete' && parsed.kind === 'inline' && unwrapModinfo(parsed.modinfo)).toBe('path\tx\nmod\tx\t(devel)\t\n');
  });

  it('asks for more bytes until the strings are there, and refuses what no linker writes', () => {
    const whole = inlineHeader('go1.21.0', Buffer.alloc(300, 0x61));
    for (const length of [0, 20, 32, 33, 40, whole.length - 1]) expect(parseBuildInfoHeader(whole.subarray(0, length))).toBe('incomplete');
    const badSize = pointerHeader(8, false, 1, 2);
    badSize[14] = 5;
    expect(parseBuildInfoHeader(badSize)).toBe('invalid');
    expect(parseBuildInfoHeader(pointerHeader(8, false, 0, 2))).toBe('invalid');
    expect(parseBuildInfoHeader(Buffer.alloc(32))).toBe('invalid');
    const huge = Buffer.concat([whole.subarray(0, 32), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])]);
    expect(parseBuildInfoHeader(huge)).toBe('invalid');
  });

  it('reads Go string headers in either byte order and width, refusing absurd lengths', () => {
    expect(readStringHeader(Buffer.from('00000000004b1234000000000000000a', 'hex'), 8, true)).toEqual({ address: 0x4b1234, length: 10 });
    expect(readStringHeader(Buffer.from('34124b000a000000', 'hex'), 4, false)).toEqual({ address: 0x4b1234, length: 10 });
    expect(readStringHeader(Buffer.from('34124b00ffffff7f', 'hex'), 4, false)).toBeUndefined();
    expect(readStringHeader(Buffer.from('34124b00', 'hex'), 4, false)).toBeUndefined();
  });
});

describe('toolchain versions with experiments', () => {
  it.each([
    ['go1.22.1 X:loopvar', 'v1.22.1'],
    ['go1.19.8 X:boringcrypto', 'v1.19.8'],
    ['go1.21rc2 X:arenas', 'v1.21.0-rc2'],
  ])('%s is the standard library at %s', (go, version) => {
    expect(toolchainVersion(go)).toBe(version);
    expect(goModules({ goVersion: go, modinfo: '' })).toEqual([{ name: 'stdlib', version }]);
  });
});

describe('a main module version set with -X', () => {
  it.each([
    ['build\t-ldflags="-X main.version=v1.2.3"', 'main.version', 'v1.2.3'],
    ['build\t-ldflags="-s -w -X=main.Version=1.0.0 -X \'main.commit=abc def\'"', 'main.Version', '1.0.0'],
    ['build\t-ldflags=-X=main.version=2.0.0', 'main.version', '2.0.0'],
    ['build\t-ldflags="--X example.com/t/internal/version.Version=v3.0.0"', 'example.com/t/internal/version.Version', 'v3.0.0'],
  ])('%s sets %s', (line, symbol, value) => {
    expect(ldflagsAssignments(`path\tx\n${line}\nbuild\tCGO_ENABLED=0\n`).get(symbol)).toBe(value);
  });

  it('counts only main\'s and the main module\'s own version variables, and only version values', () => {
    expect(isVersionVariable('main.version', undefined)).toBe(true);
    expect(isVersionVariable('example.com/tool/internal/version.Version', 'example.com/tool')).toBe(true);
    expect(isVersionVariable('example.com/toolbox/version.Version', 'example.com/tool')).toBe(false);
    expect(isVersionVariable('github.com/other/lib.Version', 'example.com/tool')).toBe(false);
    expect(isVersionVariable('main.commit', 'example.com/tool')).toBe(false);
    expect(asModuleVersion('1.2.3')).toBe('v1.2.3');
    expect(asModuleVersion('v1.2.3-rc.1+build.5')).toBe('v1.2.3-rc.1+build.5');
    for (const value of ['dev', 'v1.2', '1.2.3 ', 'nightly-1.2.3', '']) expect(asModuleVersion(value)).toBeUndefined();
    const found = new Map([
      ['example.com/tool/version.Version', '9.9.9'],
      ['main.version', '1.4.0'],
      ['github.com/lib.Version', '5.0.0'],
    ]);
    expect(pickVersionVariable(found, 'example.com/tool')).toBe('v1.4.0');
    found.delete('main.version');
    expect(pickVersionVariable(found, 'example.com/tool')).toBe('v9.9.9');
  });

  it('replaces only the main module\'s (devel), marking it inferred', () => {
    const modinfo = 'path\texample.com/t\nmod\texample.com/t\t(devel)\t\ndep\texample.com/d\t(devel)\t\n';
    expect(goModules({ modinfo, mainVersion: 'v1.2.3' })).toEqual([
      { namespace: 'example.com', name: 't', version: 'v1.2.3', displayName: 'example.com/t', versionInferred: true },
      { namespace: 'example.com', name: 'd', version: '(devel)', displayName: 'example.com/d' },
    ]);
  });
});

describe('reads ahead in a stream', () => {
  it('fills a range across windows, follows a read asked for from a finished one, refuses what is behind', () => {
    const file = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const reads = new StreamReads();
    const got: string[] = [];
    reads.request(10, 20, (bytes) => {
      got.push(bytes.toString('hex'));
      expect(reads.request(bytes[0]! + 30, 4, (next) => got.push(next.toString('hex')))).toBe(true);
    });
    for (let base = 0; base < file.length; base += 12) reads.feed(file.subarray(Math.max(0, base - 4), base + 12), Math.max(0, base - 4), 4);
    expect(got).toEqual([file.subarray(10, 30).toString('hex'), file.subarray(40, 44).toString('hex')]);
    expect(reads.request(5, 4, () => undefined)).toBe(false);
    expect(reads.size).toBe(0);
  });
});
