import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FileAdvisoryChangeSets } from '../../../lambdas/adapters/filesystem/file-advisory-change-sets.ts';
import { FileLargeAnswers } from '../../../lambdas/adapters/filesystem/file-large-answers.ts';
import type { OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import { ChangeAccumulator } from '../../../lambdas/core/advisories/sync-plan.ts';
import { sharedFixtures } from '../../support/paths.ts';

const roots: string[] = [];
const newRoot = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'customs-file-store-'));
  roots.push(root);
  return root;
};
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

const NPM = sharedFixtures('osv-corpus', 'npm');
const records: OsvRecord[] = readdirSync(NPM)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .slice(0, 20)
  .map((name) => JSON.parse(readFileSync(join(NPM, name), 'utf8')) as OsvRecord);

describe('FileAdvisoryChangeSets', () => {
  it('stores a growing set as parts of what each put adds, read back whole by a new instance that goes on appending', async () => {
    const root = newRoot();
    const syncId = 'sync-20261202T000000Z-1';
    const sets = new FileAdvisoryChangeSets({ root });
    const accumulator = new ChangeAccumulator(syncId);
    for (let group = 0; group < 2; group++) {
      accumulator.written(records.slice(group * 10, group * 10 + 10), []);
      await sets.put(accumulator.changes());
      await sets.put(accumulator.changes());
    }
    const dir = join(root, 'advisory-changes', syncId);
    expect(readdirSync(dir)).toEqual(['000000.json.gz', '000001.json.gz']);
    expect(await new FileAdvisoryChangeSets({ root }).get(syncId)).toEqual(accumulator.changes());

    const next = new ChangeAccumulator(syncId, await new FileAdvisoryChangeSets({ root }).get(syncId));
    next.retract([records[0]!]);
    await new FileAdvisoryChangeSets({ root }).put(next.changes());
    expect(readdirSync(dir)).toHaveLength(3);
    expect(await new FileAdvisoryChangeSets({ root }).get(syncId)).toEqual(next.changes());
  });

  it('stores an empty set; a set never stored is not-found; a crashed write\'s temporary file is passed over', async () => {
    const root = newRoot();
    const sets = new FileAdvisoryChangeSets({ root });
    await sets.put({ syncId: 'sync-empty', keys: [], records: [], retracted: [] });
    writeFileSync(join(root, 'advisory-changes', 'sync-empty', '.tmp-000001.json.gz.abc'), 'torn');
    expect(await new FileAdvisoryChangeSets({ root }).get('sync-empty')).toEqual({ syncId: 'sync-empty', keys: [], records: [], retracted: [] });
    await expect(sets.get('sync-never')).rejects.toMatchObject({ code: 'not-found', message: 'change set advisory-changes/sync-never/ does not exist' });
  });

  it('refuses parts that are not the sync\'s, a gap in the numbering, and sync ids that would leave the directory', async () => {
    const root = newRoot();
    const sets = new FileAdvisoryChangeSets({ root });
    await sets.put({ syncId: 'sync-a', keys: [{ ecosystem: 'npm', name: 'left-pad' }], records: [], retracted: [] });
    const part = join(root, 'advisory-changes', 'sync-a', '000000.json.gz');
    writeFileSync(part, gzipSync(JSON.stringify({ syncId: 'sync-b', keys: [], records: [], retracted: [] })));
    await expect(sets.get('sync-a')).rejects.toMatchObject({ code: 'malformed', message: expect.stringContaining('holds the changes of sync "sync-b"') as unknown });
    writeFileSync(part, gzipSync(JSON.stringify({ syncId: 'sync-a', keys: 'nope', records: [], retracted: [] })));
    await expect(sets.get('sync-a')).rejects.toMatchObject({ code: 'malformed', message: expect.stringContaining('is not a change set part: keys') as unknown });
    writeFileSync(part, 'not gzip');
    await expect(sets.get('sync-a')).rejects.toMatchObject({ code: 'malformed' });
    rmSync(part);
    writeFileSync(join(root, 'advisory-changes', 'sync-a', '000001.json.gz'), gzipSync(JSON.stringify({ syncId: 'sync-a', keys: [], records: [], retracted: [] })));
    await expect(sets.get('sync-a')).rejects.toMatchObject({ code: 'malformed', message: expect.stringContaining('where part 0 belongs') as unknown });
    for (const syncId of ['../../etc', '.hidden', 'a/b', '']) {
      await expect(sets.get(syncId), syncId).rejects.toMatchObject({ code: 'usage' });
      await expect(sets.put({ syncId, keys: [], records: [], retracted: [] }), syncId).rejects.toMatchObject({ code: 'usage' });
    }
  });

  it('refuses a part stored over the cap, and one that inflates past it', async () => {
    const root = newRoot();
    const accumulator = new ChangeAccumulator('sync-big');
    accumulator.written(records, []);
    await new FileAdvisoryChangeSets({ root }).put(accumulator.changes());
    await expect(new FileAdvisoryChangeSets({ root, maxBytes: 1024 }).get('sync-big')).rejects.toMatchObject({ code: 'limit' });
    // A few hundred bytes of gzip that inflate to a megabyte.
    const bomb = gzipSync(JSON.stringify({ syncId: 'sync-bomb', keys: [{ ecosystem: 'npm', name: 'x'.repeat(1024 * 1024) }], records: [], retracted: [] }));
    expect(bomb.length).toBeLessThan(4096);
    const dir = join(root, 'advisory-changes', 'sync-bomb');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '000000.json.gz'), bomb);
    await expect(new FileAdvisoryChangeSets({ root, maxBytes: 64 * 1024 }).get('sync-bomb')).rejects.toMatchObject({ code: 'malformed', message: expect.stringContaining('within the change set') as unknown });
  });
});

describe('FileLargeAnswers', () => {
  const at = new Date('2026-12-02T12:00:00Z');
  const clockAt = (): { now: () => Date; set: (date: Date) => void } => {
    let now = at;
    return { now: () => now, set: (date) => (now = date) };
  };
  const idOf = (url: string): string => url.slice('http://127.0.0.1:4000/answers/'.length);

  it('serves an answer under an unguessable id until it expires', async () => {
    const root = newRoot();
    const clock = clockAt();
    const answers = new FileLargeAnswers({ root, clock, urlFor: (id) => `http://127.0.0.1:4000/answers/${id}`, ttlMs: 60_000 });
    const body = Buffer.from(JSON.stringify({ items: Array.from({ length: 1000 }, (_, index) => ({ index })) }));
    const first = await answers.publish('images/sha256:abc/findings', body, 'application/json', at);
    const second = await answers.publish('images/sha256:abc/findings', body, 'application/json', at);
    expect(first.expiresAt).toEqual(new Date(at.getTime() + 60_000));
    expect(idOf(first.url)).toMatch(/^[0-9a-f]{48}$/);
    expect(idOf(second.url)).not.toBe(idOf(first.url));
    const served = await answers.read(idOf(first.url));
    expect(served?.contentType).toBe('application/json');
    expect(Buffer.from(served!.body).equals(body)).toBe(true);
    // The files are the server's only: not readable by others.
    for (const name of readdirSync(join(root, 'api-answers'))) expect(statSync(join(root, 'api-answers', name)).mode & 0o077).toBe(0);

    clock.set(new Date(at.getTime() + 60_000));
    expect(await answers.read(idOf(first.url))).toBeUndefined();
    // A later publish sweeps what expired.
    await answers.publish('later', Buffer.from('x'), 'text/plain', clock.now());
    expect(readdirSync(join(root, 'api-answers'))).toHaveLength(2);
  });

  it('answers undefined for unknown and malformed ids, refuses a tampered body and keys that are not plain names', async () => {
    const root = newRoot();
    const answers = new FileLargeAnswers({ root, clock: clockAt(), urlFor: (id) => `http://127.0.0.1:4000/answers/${id}` });
    for (const id of ['0'.repeat(48), '../../etc/passwd', `${'0'.repeat(47)}/`, '', 'A'.repeat(48)]) expect(await answers.read(id), id).toBeUndefined();
    const { url } = await answers.publish('coverage', Buffer.from('{"ok":true}'), 'application/json', at);
    writeFileSync(join(root, 'api-answers', `${idOf(url)}.body`), '{"ok":false}');
    await expect(answers.read(idOf(url))).rejects.toMatchObject({ code: 'digest-mismatch' });
    for (const key of ['../x', '/etc/passwd', 'a/../../b']) await expect(answers.publish(key, Buffer.from('x'), 'text/plain', at), key).rejects.toMatchObject({ code: 'usage' });
  });
});
