import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageListing } from '../../../lambdas/adapters/dynamodb/dynamodb-image-listing.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { PageTokenError } from '../../../lambdas/core/api/page-token.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageState, RepositoryKey } from '../../../lambdas/core/pipeline/model.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const randomDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const t = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 10, minutes));
const run = randomUUID().slice(0, 8);
const repo = (name: string): RepositoryKey => ({ account: '111122223333', region: 'eu-west-1', repository: `listing-${run}/${name}` });

/** Pages of a repository's images on DynamoDB Local, as the API walks them (positions through JSON, as a token carries them). */
describe('DynamoDB image listing', () => {
  const base = localDynamoDbClient();
  let images: DynamoDbImageStateStore;
  let listing: DynamoDbImageListing;
  const app = repo('app');
  const other = repo('other');
  /** Pushed to app, oldest first. */
  const pushed: Digest[] = Array.from({ length: 7 }, randomDigest);

  beforeAll(async () => {
    const options = { client: findingsDocumentClient(base), tableName: await createLocalTable(base, FINDINGS_TABLE, 'image-listing') };
    images = new DynamoDbImageStateStore(options);
    listing = new DynamoDbImageListing(options);
    for (const [index, digest] of pushed.entries()) await images.recordPush({ ...app, digest, tag: `v${index}`, pushedAt: t(index), kind: 'push' }, t(index));
    await images.recordPush({ ...other, digest: randomDigest(), pushedAt: t(30), kind: 'push' }, t(30));
    await images.markDeleted({ ...app, digest: pushed[1]! }, t(40));
  });

  async function walk(repository: RepositoryKey, limit: number): Promise<{ pages: ImageState[][]; positions: unknown[] }> {
    const pages: ImageState[][] = [];
    const positions: unknown[] = [];
    let position: unknown;
    do {
      const page = await listing.page(repository, limit, position);
      pages.push([...page.items]);
      position = page.next === undefined ? undefined : JSON.parse(JSON.stringify(page.next));
      positions.push(position);
    } while (position !== undefined && pages.length < 20);
    return { pages, positions };
  }

  it('lists every image once, newest push first, in pages of the limit, the last page known as such', async () => {
    const { pages } = await walk(app, 3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((state) => state.digest)).toEqual([...pushed].reverse());
    expect(pages.flat().every((state) => state.repository === app.repository)).toBe(true);
    // Deleted images are listed, marked: which to show is the caller's choice.
    expect(pages.flat().find((state) => state.digest === pushed[1])?.deletedAt).toEqual(t(40));
    expect(pages[0]![0]).toMatchObject({ tags: ['v6'], pushedAt: t(6) });
  });

  it('sends no caller to an empty page when the images end on a page boundary', async () => {
    const exact = await walk(app, 7);
    expect(exact.pages.map((page) => page.length)).toEqual([7]);
    const halves = await walk(app, 1);
    expect(halves.pages.map((page) => page.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(halves.pages.flat().map((state) => state.digest)).toEqual([...pushed].reverse());
  });

  it('answers an empty page for a repository without images', async () => {
    expect(await listing.page(repo('empty'), 10, undefined)).toEqual({ items: [] });
  });

  it('refuses a position of another repository, or one that is not a key', async () => {
    const { positions } = await walk(app, 2);
    const first = positions[0];
    await expect(listing.page(other, 2, first)).rejects.toThrow(PageTokenError);
    await expect(listing.page(app, 2, { ...(first as object), extra: 'x' })).rejects.toThrow(PageTokenError);
    await expect(listing.page(app, 2, { gsi1pk: 'REPO#x' })).rejects.toThrow(PageTokenError);
    await expect(listing.page(app, 2, 'not a key')).rejects.toThrow(PageTokenError);
    expect((await listing.page(app, 2, first)).items.map((state) => state.digest)).toEqual([pushed[4], pushed[3]]);
  });
});
