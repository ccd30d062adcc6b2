import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalOsvExport } from '../../../lambdas/adapters/osv/local-osv-export.ts';
import type { ExportEntry } from '../../../lambdas/core/ports.ts';
import { forgeZip } from '../../support/zip-writer.ts';

/**
 * LocalOsvExport over temp directories and zips: every call reads the path afresh (a record added
 * or edited is seen by the next call), the ecosystem filter is by base, files that are not records
 * are reported and never thrown, and nothing outside the directory is read.
 */

interface RecordShape {
  readonly id: string;
  readonly modified: string;
  readonly ecosystems: readonly string[];
}

const record = ({ id, modified, ecosystems }: RecordShape): string =>
  JSON.stringify({
    schema_version: '1.6.0',
    id,
    modified,
    affected: ecosystems.map((ecosystem, index) => ({ package: { ecosystem, name: `pkg-${index}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] })),
  });

const listing = async (source: LocalOsvExport, ecosystem: string) => {
  const { entries, rejected } = await source.modified(ecosystem);
  return { entries: entries.map((entry) => [entry.id, entry.modified.toISOString()]).sort(), rejected };
};

async function collect(entries: AsyncIterable<ExportEntry>): Promise<ExportEntry[]> {
  const all: ExportEntry[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'customs-local-osv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalOsvExport over a directory', () => {
  it('lists records by base ecosystem, in any layout, and sees a record added after the first listing', async () => {
    const root = join(dir, 'osv');
    await mkdir(join(root, 'debian', 'nested'), { recursive: true });
    await writeFile(join(root, 'debian', 'DSA-1-1.json'), record({ id: 'DSA-1-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }));
    await writeFile(join(root, 'debian', 'nested', 'any-name.json'), record({ id: 'DSA-2-1', modified: '2024-02-01T00:00:00Z', ecosystems: ['Debian:11', 'Debian:12'] }));
    await writeFile(join(root, 'GHSA-aaaa-bbbb-cccc.json'), record({ id: 'GHSA-aaaa-bbbb-cccc', modified: '2024-03-01T00:00:00Z', ecosystems: ['npm'] }));
    await writeFile(join(root, 'README.md'), 'not a record');
    const source = new LocalOsvExport({ path: root });

    expect(await source.ecosystemsOf()).toEqual(['Debian', 'npm']);
    expect(await listing(source, 'Debian')).toEqual({ entries: [['DSA-1-1', '2024-01-01T00:00:00.000Z'], ['DSA-2-1', '2024-02-01T00:00:00.000Z']], rejected: [] });
    expect(await listing(source, 'npm')).toEqual({ entries: [['GHSA-aaaa-bbbb-cccc', '2024-03-01T00:00:00.000Z']], rejected: [] });

    await writeFile(join(root, 'debian', 'DSA-3-1.json'), record({ id: 'DSA-3-1', modified: '2024-04-01T00:00:00Z', ecosystems: ['Debian:13'] }));
    expect((await listing(source, 'Debian')).entries.map(([id]) => id)).toEqual(['DSA-1-1', 'DSA-2-1', 'DSA-3-1']);
    expect(new TextDecoder().decode(await source.record('Debian', 'DSA-3-1'))).toContain('"DSA-3-1"');
  });

  it('an edited record is listed with its new modified time and answered with its new bytes', async () => {
    const path = join(dir, 'DSA-1-1.json');
    await writeFile(path, record({ id: 'DSA-1-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }));
    const source = new LocalOsvExport({ path: dir });
    expect((await listing(source, 'Debian')).entries).toEqual([['DSA-1-1', '2024-01-01T00:00:00.000Z']]);
    const edited = record({ id: 'DSA-1-1', modified: '2024-06-01T12:00:00Z', ecosystems: ['Debian:12'] });
    await writeFile(path, edited);
    expect((await listing(source, 'Debian')).entries).toEqual([['DSA-1-1', '2024-06-01T12:00:00.000Z']]);
    expect(new TextDecoder().decode(await source.record('Debian', 'DSA-1-1'))).toBe(edited);
  });

  it('record() finds a record moved to another file, and answers undefined once it is gone or for another ecosystem', async () => {
    await writeFile(join(dir, 'a.json'), record({ id: 'DSA-1-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }));
    const source = new LocalOsvExport({ path: dir });
    await source.modified('Debian');
    await rm(join(dir, 'a.json'));
    await writeFile(join(dir, 'b.json'), record({ id: 'DSA-1-1', modified: '2024-01-02T00:00:00Z', ecosystems: ['Debian:12'] }));
    expect(new TextDecoder().decode(await source.record('Debian', 'DSA-1-1'))).toContain('2024-01-02');
    expect(await source.record('npm', 'DSA-1-1')).toBeUndefined();
    await rm(join(dir, 'b.json'));
    expect(await source.record('Debian', 'DSA-1-1')).toBeUndefined();
    await expect(source.record('Debian', '../etc/passwd')).rejects.toMatchObject({ code: 'unsafe' });
  });

  it('entries() yields the ecosystem’s records as ID.json, resumable by skip', async () => {
    await writeFile(join(dir, 'z.json'), record({ id: 'DSA-1-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }));
    await writeFile(join(dir, 'y.json'), record({ id: 'DSA-2-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:11'] }));
    await writeFile(join(dir, 'x.json'), record({ id: 'GHSA-aaaa-bbbb-cccc', modified: '2024-01-01T00:00:00Z', ecosystems: ['npm'] }));
    const source = new LocalOsvExport({ path: dir });
    const all = await collect(source.entries('Debian'));
    expect(all.map((entry) => entry.name).sort()).toEqual(['DSA-1-1.json', 'DSA-2-1.json']);
    expect(JSON.parse(new TextDecoder().decode(all[0]!.bytes))).toMatchObject({ id: all[0]!.name.replace(/\.json$/, '') });
    expect((await collect(source.entries('Debian', { skip: 1 }))).map((entry) => entry.name)).toEqual([all[1]!.name]);
    await expect(collect(source.entries('PyPI'))).rejects.toMatchObject({ code: 'not-found' });
    await expect(source.modified('PyPI')).rejects.toMatchObject({ code: 'not-found' });
    await expect(source.modified('Debian:12')).rejects.toMatchObject({ code: 'usage' });
  });

  it('reports malformed files in rejected, by position and name, and lists the rest', async () => {
    await writeFile(join(dir, 'a-good.json'), record({ id: 'DSA-1-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }));
    await writeFile(join(dir, 'b-broken.json'), '{"id": "DSA-2-1", ');
    await writeFile(join(dir, 'c-no-id.json'), JSON.stringify({ modified: '2024-01-01T00:00:00Z' }));
    await writeFile(join(dir, 'd-bad-time.json'), record({ id: 'DSA-4-1', modified: 'yesterday', ecosystems: ['Debian:12'] }));
    await writeFile(join(dir, 'e-big.json'), record({ id: 'DSA-5-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }).padEnd(5000, ' '));
    const source = new LocalOsvExport({ path: dir, maxRecordBytes: 4096 });
    const { entries, rejected } = await listing(source, 'Debian');
    expect(entries).toEqual([['DSA-1-1', '2024-01-01T00:00:00.000Z']]);
    expect(rejected.map((entry) => entry.line)).toEqual([2, 3, 4, 5]);
    expect(rejected[0]!.reason).toMatch(/^b-broken\.json: not JSON/);
    expect(rejected[1]!.reason).toMatch(/^c-no-id\.json: not an OSV record: id/);
    expect(rejected[2]!.reason).toMatch(/^d-bad-time\.json: modified is not a time/);
    expect(rejected[3]!.reason).toMatch(/^e-big\.json: .*over the 4096-byte cap/);
    // Files that do not parse go out as all.zip's would, for the sync to report; the others do not.
    expect((await collect(source.entries('Debian'))).map((entry) => entry.name)).toEqual(['DSA-1-1.json', 'b-broken.json', 'c-no-id.json']);
  });

  it('skips symlinks, so records outside the directory are never read', async () => {
    const root = join(dir, 'osv');
    const outside = join(dir, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await writeFile(join(outside, 'DSA-9-1.json'), record({ id: 'DSA-9-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }));
    await writeFile(join(root, 'DSA-1-1.json'), record({ id: 'DSA-1-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }));
    await symlink(join(outside, 'DSA-9-1.json'), join(root, 'linked.json'));
    await symlink(outside, join(root, 'linked-dir'));
    const source = new LocalOsvExport({ path: root });
    expect((await listing(source, 'Debian')).entries.map(([id]) => id)).toEqual(['DSA-1-1']);
    expect(await source.record('Debian', 'DSA-9-1')).toBeUndefined();
    expect((await collect(source.entries('Debian'))).map((entry) => entry.name)).toEqual(['DSA-1-1.json']);
  });

  it('refuses more files than maxFiles, and a path that does not exist', async () => {
    for (const n of [1, 2, 3]) await writeFile(join(dir, `DSA-${n}-1.json`), record({ id: `DSA-${n}-1`, modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }));
    await expect(new LocalOsvExport({ path: dir, maxFiles: 2 }).modified('Debian')).rejects.toMatchObject({ code: 'limit' });
    await expect(new LocalOsvExport({ path: join(dir, 'missing') }).modified('Debian')).rejects.toMatchObject({ code: 'usage' });
  });
});

describe('LocalOsvExport over a zip', () => {
  const good = [
    { name: 'DSA-1-1.json', data: record({ id: 'DSA-1-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }) },
    { name: 'nested/GHSA-aaaa-bbbb-cccc.json', data: record({ id: 'GHSA-aaaa-bbbb-cccc', modified: '2024-02-01T00:00:00Z', ecosystems: ['npm'] }), method: 'store' as const },
  ];

  it('lists, answers and hands out the archive’s records, and sees the zip replaced by a newer one', async () => {
    const path = join(dir, 'all.zip');
    await writeFile(path, forgeZip(good));
    const source = new LocalOsvExport({ path });
    expect(await source.ecosystemsOf()).toEqual(['Debian', 'npm']);
    expect(await listing(source, 'npm')).toEqual({ entries: [['GHSA-aaaa-bbbb-cccc', '2024-02-01T00:00:00.000Z']], rejected: [] });
    expect(new TextDecoder().decode(await source.record('npm', 'GHSA-aaaa-bbbb-cccc'))).toBe(good[1]!.data);
    expect((await collect(source.entries('Debian'))).map((entry) => [entry.name, new TextDecoder().decode(entry.bytes)])).toEqual([['DSA-1-1.json', good[0]!.data]]);

    const edited = record({ id: 'DSA-1-1', modified: '2024-05-01T00:00:00Z', ecosystems: ['Debian:12'] });
    await writeFile(path, forgeZip([{ name: 'DSA-1-1.json', data: edited }, { name: 'DSA-2-1.json', data: record({ id: 'DSA-2-1', modified: '2024-05-02T00:00:00Z', ecosystems: ['Debian:11'] }) }]));
    expect((await listing(source, 'Debian')).entries).toEqual([['DSA-1-1', '2024-05-01T00:00:00.000Z'], ['DSA-2-1', '2024-05-02T00:00:00.000Z']]);
    expect(new TextDecoder().decode(await source.record('Debian', 'DSA-1-1'))).toBe(edited);
    await expect(source.modified('npm')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('reports escaping names, lying sizes and bad JSON as rejected, and hands out the records and the bad JSON', async () => {
    const path = join(dir, 'all.zip');
    await writeFile(
      path,
      forgeZip([
        ...good,
        { name: '../escape.json', data: record({ id: 'DSA-7-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }) },
        { name: 'liar.json', data: record({ id: 'DSA-8-1', modified: '2024-01-01T00:00:00Z', ecosystems: ['Debian:12'] }), declaredSize: 10 },
        { name: 'broken.json', data: '{' },
        { name: 'notes.txt', data: 'ignored' },
      ]),
    );
    const source = new LocalOsvExport({ path });
    const { entries, rejected } = await listing(source, 'Debian');
    expect(entries).toEqual([['DSA-1-1', '2024-01-01T00:00:00.000Z']]);
    expect(rejected.map((entry) => entry.reason.split(':')[0])).toEqual(['../escape.json', 'liar.json', 'broken.json']);
    expect((await collect(source.entries('Debian'))).map((entry) => entry.name)).toEqual(['DSA-1-1.json', 'broken.json']);
  });
});
