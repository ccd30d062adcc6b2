import { describe, expect, it } from 'vitest';
import { shortDigest } from '../../../../lambdas/core/digest.ts';
import { renderTable } from '../../../../lambdas/core/report/table.ts';
import { sampleImageSbom, sampleOwnedPackages } from '../../../support/sample-findings.ts';
import { archiveResult, debianImage, debPackage, multiPlatformResult, singleImageResult } from './scan-results.ts';

const HEADINGS = ['NAME', 'VERSION', 'ARCH', 'SOURCE', 'LAYER'];

/** Cuts each table row at the header's column offsets, so a misaligned cell shows up as a wrong value. */
function tableCells(text: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('NAME'));
  const header = lines[start]!;
  const offsets = HEADINGS.map((heading) => header.indexOf(heading));
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (line === '') break;
    rows.push(offsets.map((offset, i) => line.slice(offset, offsets[i + 1]).trimEnd()));
    // Nothing may spill into the gap before a column.
    for (const offset of offsets.slice(1)) expect(line.slice(offset - 2, offset)).toBe('  ');
  }
  return rows;
}

describe('renderTable', () => {
  const image = debianImage('amd64');
  const layer = (index: number) => `${index + 1} ${shortDigest(image.layers[index]!.digest)}`;

  it('prints a header block for the image', () => {
    const text = renderTable(singleImageResult(), {});
    expect(text.split('\n').slice(0, 6)).toEqual([
      'Image:    docker.io/library/debian:12',
      'Platform: linux/amd64',
      `Manifest: ${image.manifestDigest}`,
      'OS:       Debian GNU/Linux 12 (bookworm)',
      'Layers:   2',
      'Packages: 7',
    ]);
  });

  it('aligns columns and sorts by name, then architecture', () => {
    expect(tableCells(renderTable(singleImageResult(), {}))).toEqual([
      HEADINGS,
      ['bash', '5.2.15-2+b7', 'amd64', 'bash 5.2.15-2', layer(0)],
      ['curl', '7.88.1-10+deb12u8', 'amd64', 'curl', layer(1)],
      ['libc6', '2.36-9+deb12u7', 'amd64', 'glibc', layer(0)],
      ['passwd', '1:4.13+dfsg1-1+b1', 'amd64', 'shadow 1:4.13+dfsg1-1', layer(0)],
      ['tzdata', '2024a-0+deb12u1', 'all', '-', layer(0)],
      ['zlib1g', '1:1.2.13.dfsg-1', 'amd64', 'zlib', layer(0)],
      ['zlib1g', '1:1.2.13.dfsg-1', 'i386', 'zlib', layer(0)],
    ]);
  });

  it('widens a column for a long value instead of truncating it', () => {
    const long = 'a-very-long-package-name-that-does-not-fit-in-any-reasonable-column-width';
    const result = { reference: 'x', images: [{ ...image, packages: [...image.packages, debPackage({ name: long, version: '1.0-1' }, image.layers)] }] };
    const rows = tableCells(renderTable(result, {}));
    expect(rows[1]![0]).toBe(long);
    expect(rows.every((row) => row.length === HEADINGS.length)).toBe(true);
  });

  it('ends with the warnings and leaves no trailing whitespace', () => {
    const text = renderTable(singleImageResult(), {});
    expect(text.endsWith('\n\nwarning: layer 2: 1 file skipped: path escapes the root\n')).toBe(true);
    expect(text.split('\n').filter((line) => line !== line.trimEnd())).toEqual([]);
  });

  it('renders one block per platform, separated by a blank line', () => {
    const text = renderTable(multiPlatformResult(), {});
    const blocks = text.split('\n\nImage:');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain('Platform: linux/amd64');
    expect(blocks[1]).toContain('Platform: linux/arm64');
    expect(blocks[1]).not.toContain('warning:');
  });

  it('falls back to the config digest and "unknown OS", and marks missing values', () => {
    const text = renderTable(archiveResult(), {});
    const archive = archiveResult().images[0]!;
    expect(text).toContain(`Config:   ${archive.configDigest}\n`);
    expect(text).toContain('Platform: linux/arm/v7\n');
    expect(text).toContain('OS:       unknown OS\n');
    expect(tableCells(text)[1]).toEqual(['hello', '2.10-3', '-', '-', `1 ${shortDigest(archive.layers[0]!.digest)}`]);
  });

  it('says so when an image has no packages', () => {
    const text = renderTable({ reference: 'x', images: [{ ...image, packages: [], warnings: [] }] }, {});
    expect(text).toContain('Packages: 0\n\nno packages found\n');
    expect(text).not.toContain('NAME');
  });

  it('styles only when asked, without changing the text', () => {
    const plain = renderTable(singleImageResult(), {});
    const colored = renderTable(singleImageResult(), { color: true });
    expect(plain).not.toContain('\x1b');
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\x1b\[\d+m/g, '')).toBe(plain);
    // eslint-disable-next-line no-control-regex
    expect(colored).toMatch(/^\x1b\[1mNAME {2,}VERSION .*LAYER\x1b\[22m$/m);
    expect(colored).toContain('\x1b[1mImage:   \x1b[22m docker');
    expect(colored).toContain('\x1b[33mwarning: layer 2: 1 file skipped: path escapes the root\x1b[39m\n');
  });

  it('escapes control characters coming from the image', () => {
    const hostile = debPackage({ name: 'evil\x1b[2Jname', version: '1\n2' }, image.layers);
    const text = renderTable({ reference: 'x', images: [{ ...image, packages: [hostile], warnings: ['bad\rwarning'] }] }, { color: true });
    expect(text).toContain('evil\\x1b[2Jname');
    expect(text).toContain('1\\x0a2');
    expect(text).toContain('warning: bad\\x0dwarning');
    expect(text).not.toContain('\x1b[2J');
  });

  it('notes after the layer which OS package installed a language package, keeping the columns', () => {
    const [owned, owner] = sampleOwnedPackages();
    const text = renderTable({ reference: 'app', images: [sampleImageSbom([owned, owner])] }, {});
    const rows = tableCells(text);
    expect(rows.map((row) => row[0])).toEqual(['NAME', 'Jinja2', 'python3-jinja2']);
    const layerCell = `1 ${shortDigest(owned.location.layerDigest)}`;
    expect(rows[1]![4]).toBe(`${layerCell}  installed by python3-jinja2 (dpkg)`);
    expect(rows[2]![4]).toBe(layerCell);
  });
});
