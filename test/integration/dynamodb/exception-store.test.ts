import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbExceptionStore } from '../../../lambdas/adapters/dynamodb/dynamodb-exception-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import type { StoredException } from '../../../lambdas/core/api/api-ports.ts';
import { CustomsError } from '../../../lambdas/core/errors.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const t = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 10, minutes));

const ignore = (id: string, minutes: number, overrides: Partial<StoredException> = {}): StoredException => ({
  id,
  kind: 'ignore',
  vulnerability: 'CVE-2023-4911',
  repositoryPrefix: 'team/',
  package: 'glibc',
  reason: 'ld.so is not setuid in our images; SEC-7',
  expires: '2027-01-31',
  createdBy: 'arn:aws:iam::111122223333:role/security',
  createdAt: t(minutes),
  ...overrides,
});

const vex = (id: string, minutes: number): StoredException => ({
  id,
  kind: 'vex',
  vulnerability: 'CVE-2024-0001',
  reason: 'the vulnerable code is not in the image',
  statement: { vulnerability: { name: 'CVE-2024-0001' }, products: [{ '@id': 'pkg:oci/app' }], status: 'not_affected', justification: 'vulnerable_code_not_present' },
  createdBy: 'local',
  createdAt: t(minutes),
});

/** Exceptions on DynamoDB Local: each change counted in the revision once, however often it is retried. */
describe('DynamoDB exception store', () => {
  const base = localDynamoDbClient();
  let tableName: string;
  const store = (maxExceptions?: number, table = tableName) => new DynamoDbExceptionStore({ client: findingsDocumentClient(base), tableName: table, ...(maxExceptions !== undefined ? { maxExceptions } : {}) });

  beforeAll(async () => {
    tableName = await createLocalTable(base, FINDINGS_TABLE, 'exceptions');
  });

  it('adds, reads back exactly, lists oldest first, and moves the revision with each change', async () => {
    const exceptions = store();
    expect(await exceptions.revision()).toBe(0);
    expect(await exceptions.list()).toEqual([]);
    await exceptions.add(ignore('b-second', 2));
    await exceptions.add(vex('a-third', 3));
    await exceptions.add(ignore('z-first', 1, { repositoryPrefix: undefined, package: undefined, expires: undefined, path: 'usr/lib/x' }));
    expect(await exceptions.revision()).toBe(3);
    expect((await exceptions.list()).map((exception) => exception.id)).toEqual(['z-first', 'b-second', 'a-third']);
    expect(await exceptions.get('b-second')).toEqual(ignore('b-second', 2));
    expect(await exceptions.get('a-third')).toEqual(vex('a-third', 3));
    const first = await exceptions.get('z-first');
    expect(first).toEqual({ id: 'z-first', kind: 'ignore', vulnerability: 'CVE-2023-4911', path: 'usr/lib/x', reason: ignore('x', 0).reason, createdBy: ignore('x', 0).createdBy, createdAt: t(1) });
    expect(await exceptions.get('absent')).toBeUndefined();

    expect(await exceptions.remove('b-second')).toEqual(ignore('b-second', 2));
    expect(await exceptions.revision()).toBe(4);
    expect(await exceptions.remove('b-second')).toBeUndefined();
    expect(await exceptions.revision()).toBe(4);
    expect((await exceptions.list()).map((exception) => exception.id)).toEqual(['z-first', 'a-third']);
    await Promise.all([exceptions.remove('z-first'), exceptions.remove('a-third')]);
    expect(await exceptions.list()).toEqual([]);
    expect(await exceptions.revision()).toBe(6);
  });

  it('adds a retried exception once, in parallel or not, and refuses another under the same id', async () => {
    const exceptions = store();
    const before = await exceptions.revision();
    const id = `retry-${randomUUID()}`;
    await Promise.all(Array.from({ length: 5 }, () => exceptions.add(ignore(id, 5))));
    // A retry may carry another time: the content decides.
    await exceptions.add(ignore(id, 6));
    expect(await exceptions.revision()).toBe(before + 1);
    expect((await exceptions.list()).filter((exception) => exception.id === id)).toEqual([ignore(id, 5)]);
    const other = exceptions.add(ignore(id, 5, { reason: 'another reason' }));
    await expect(other).rejects.toThrow(CustomsError);
    await expect(other).rejects.toThrow(/exists already/);
    expect(await exceptions.revision()).toBe(before + 1);
    await exceptions.remove(id);
  });

  it('refuses an add past the cap, and takes one again once another is removed', async () => {
    // A table of its own: the cap counts every exception of the table.
    const capped = store(2, await createLocalTable(base, FINDINGS_TABLE, 'exceptions-cap'));
    await capped.add(ignore('cap-1', 1));
    await capped.add(ignore('cap-2', 2));
    const revision = await capped.revision();
    await expect(capped.add(ignore('cap-3', 3))).rejects.toMatchObject({ name: 'CustomsError', code: 'limit' });
    expect(await capped.get('cap-3')).toBeUndefined();
    expect(await capped.revision()).toBe(revision);
    // A retry of one already held is not refused by the cap.
    await capped.add(ignore('cap-2', 2));
    await capped.remove('cap-1');
    await capped.add(ignore('cap-3', 3));
    expect((await capped.list()).map((exception) => exception.id)).toEqual(['cap-2', 'cap-3']);
  });

  it('refuses ids that are not URL-safe and statements too large to keep', async () => {
    const exceptions = store();
    await expect(exceptions.add(ignore('a/b', 1))).rejects.toMatchObject({ code: 'usage' });
    await expect(exceptions.add({ ...vex('big', 1), statement: { padding: 'x'.repeat(20_000) } })).rejects.toMatchObject({ code: 'limit' });
    expect(await exceptions.get('big')).toBeUndefined();
  });
});
