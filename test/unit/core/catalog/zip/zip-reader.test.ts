import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ZipBudget } from '../../../../../lambdas/core/catalog/zip/zip-budget.ts';
import { listZipEntries, readZipEntry } from '../../../../../lambdas/core/catalog/zip/zip-reader.ts';
import { zipWithCli } from '../../../../support/java-archive-oracle.ts';
import { forgeZip } from '../../../../support/zip-writer.ts';

const FILES = { 'a.txt': 'hello '.repeat(100), 'dir/b.bin': new Uint8Array([0, 1, 2, 3]), 'empty.txt': '' };

function contents(bytes: Uint8Array): Record<string, string> {
  const budget = new ZipBudget();
  const entries = listZipEntries(bytes, budget, 'test.zip').filter((entry) => !entry.name.endsWith('/'));
  return Object.fromEntries(entries.map((entry) => [entry.name, Buffer.from(readZipEntry(bytes, entry, budget)).toString('latin1')]));
}

const expected = Object.fromEntries(Object.entries(FILES).map(([name, data]) => [name, Buffer.from(data).toString('latin1')]));

describe('zip reader', () => {
  it('reads deflated and stored archives written by Info-ZIP zip', () => {
    expect(contents(readFileSync(zipWithCli(FILES)))).toEqual(expected);
    expect(contents(readFileSync(zipWithCli(FILES, { store: true })))).toEqual(expected);
  });

  it('reads ZIP64 archives (zip -fz)', () => {
    const bytes = readFileSync(zipWithCli(FILES, { zip64: true }));
    expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
    expect(contents(bytes)).toEqual(expected);
  });

  it('reads an archive with bytes prepended (a self-executing jar)', () => {
    const bytes = Buffer.concat([Buffer.from('#!/bin/sh\nexec java -jar "$0" "$@"\n'), readFileSync(zipWithCli(FILES))]);
    expect(contents(bytes)).toEqual(expected);
  });

  it('forges zips that Info-ZIP accepts, so hostile variants differ only where intended', () => {
    const forged = forgeZip([{ name: 'a.txt', data: 'hello '.repeat(100) }, { name: 'dir/b.bin', data: new Uint8Array([0, 1, 2, 3]), method: 'store' }, { name: 'empty.txt' }]);
    const archive = zipWithCli({ 'forged.zip': forged });
    execFileSync('unzip', ['-q', '-o', archive, '-d', `${archive}.d`]);
    expect(execFileSync('unzip', ['-t', `${archive}.d/forged.zip`], { encoding: 'utf8' })).toContain('No errors detected');
    expect(contents(forged)).toEqual(expected);
  });

  it('refuses an entry that inflates past its declared size', () => {
    const bytes = forgeZip([{ name: 'small.txt', data: new Uint8Array(1_000_000), declaredSize: 100 }]);
    const budget = new ZipBudget();
    const [entry] = listZipEntries(bytes, budget, 'test.zip');
    expect(() => readZipEntry(bytes, entry!, budget)).toThrow(expect.objectContaining({ code: 'limit' }));
  });

  it('refuses a directory that declares more entries than it can hold', () => {
    const bytes = forgeZip([{ name: 'a.txt', data: 'a' }]);
    bytes.writeUInt16LE(60_000, bytes.length - 12);
    expect(() => listZipEntries(bytes, new ZipBudget(), 'test.zip')).toThrow(expect.objectContaining({ code: 'malformed' }));
  });
});
