import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Digest } from '../../core/digest.ts';
import type { ImageKey, ImageState, ScanEventKind, ScanRequest, TagEvent } from '../../core/pipeline/model.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import type { ImageStateStore, TagHistory } from '../../core/ports.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { CATALOGUE_PK, catalogueSk, digestIndexPk, imagePk, imageSk, repoIndexPk, TAGLOG_PREFIX, tagLogIndexPk, tagLogSk, tagSk } from './findings-keys.ts';
import { imageItemSchema } from './image-items.ts';
import { verdictSk } from './verdict-items.ts';
import { queryAll } from './query-all.ts';

type Repo = Omit<ImageKey, 'digest'>;
type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

const pointerSchema = z.object({ digest: digestSchema, pushedAt: z.iso.datetime({ offset: true }) });
/** The stored `deletedAt` as written: the forget's condition compares it byte for byte. */
const deletedAtSchema = z.object({ deletedAt: z.iso.datetime({ offset: true }).optional() });
const tagEventSchema = z.object({ tag: z.string(), digest: digestSchema, at: z.iso.datetime({ offset: true }).transform((v) => new Date(v)), action: z.enum(['tagged', 'untagged']) });

/**
 * Image state per account, region, repository and digest in the partition `IMAGE#<acct>#<region>#<repo>`:
 * one item per manifest, one pointer per tag (tag → digest), and append-only tag history items.
 * Every change that touches more than one item is one transaction (a new image and its catalogue
 * count; a tag move: pointer, both images and two history entries), so a crash leaves either all of
 * it or none, and a rerun is a no-op or completes it. Events arrive unordered: a tag pointer only
 * moves to a manifest pushed no earlier than the one it names.
 */
export interface ImageStateStoreOptions extends DynamoDbTableOptions {
  /** Tag history entries expire (DynamoDB TTL) this many days after the change they record; kept forever when absent. */
  readonly historyRetentionDays?: number;
}

export class DynamoDbImageStateStore implements ImageStateStore, TagHistory {
  constructor(private readonly options: ImageStateStoreOptions) {}

  async recordPush(request: ScanRequest, now: Date): Promise<void> {
    await this.ensureImage(request, request.pushedAt, request.kind, now);
    if (request.tag !== undefined) await this.recordTag(request, request.tag, request.pushedAt);
  }

  async linkChildren(index: ImageKey, children: readonly Digest[]): Promise<void> {
    if (children.length === 0) return;
    const parent = await this.get(index);
    const pushedAt = parent?.pushedAt ?? new Date();
    const kind = parent?.kind ?? 'push';
    await this.update(index, 'ADD children :children', { ':children': new Set(children) });
    for (const child of new Set(children)) {
      const key = { ...index, digest: child };
      await this.ensureImage(key, pushedAt, kind, pushedAt);
      await this.update(key, 'ADD parents :parent', { ':parent': new Set([index.digest]) });
    }
  }

  async removeTag(key: ImageKey, tag: string, at: Date): Promise<void> {
    const history = this.history({ tag, digest: key.digest, at, action: 'untagged' }, key);
    const untag = this.updateItem(key, 'DELETE tags :tag', { ':tag': new Set([tag]) });
    const removed = await this.transact([
      { Delete: { TableName: this.options.tableName, Key: { pk: imagePk(key), sk: tagSk(tag) }, ConditionExpression: 'digest = :digest', ExpressionAttributeValues: { ':digest': key.digest } } },
      untag,
      history,
    ]);
    // The tag already points elsewhere (or nowhere): only this image's copy and the history change.
    if (!removed) await this.transact([untag, history]);
  }

  async markDeleted(key: ImageKey, at: Date): Promise<void> {
    await this.transact([
      this.conditionalUpdate(key, 'SET deletedAt = :at', 'attribute_exists(pk) AND attribute_not_exists(deletedAt)', { ':at': at.toISOString() }),
      this.catalogueUpdate(key, 'ADD deleted :one', { ':one': 1 }),
    ]);
  }

  async get(key: ImageKey): Promise<ImageState | undefined> {
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: imagePk(key), sk: imageSk(key.digest) }, ConsistentRead: true }));
    return Item ? imageItemSchema.parse(Item) : undefined;
  }

  /**
   * Past retention: one transaction deletes the image item (conditional on the `deletedAt` read,
   * so a re-push that restored it, or a later deletion, keeps it), its `VERDICT#` item and the tag
   * pointers still naming it (each conditional on naming it), and takes it off the catalogue's
   * `images` and `deleted` counts. Left: tag history (its own TTL), the digest's scan data (shared
   * by every repository holding the digest) and quarantine records (audit). A pointer or a re-push
   * racing the transaction fails a condition: read again and decide again.
   */
  async forgetDeleted(key: ImageKey, deletedAt: Date): Promise<boolean> {
    for (let attempt = 0; attempt < FORGET_ATTEMPTS; attempt++) {
      const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: imagePk(key), sk: imageSk(key.digest) }, ConsistentRead: true }));
      if (!Item) return false;
      const state = imageItemSchema.parse(Item);
      const stored = deletedAtSchema.parse(Item).deletedAt;
      if (stored === undefined || state.deletedAt?.getTime() !== deletedAt.getTime()) return false;
      const still = { ConditionExpression: 'deletedAt = :deletedAt', ExpressionAttributeValues: { ':deletedAt': stored } };
      const pointers = (await mapSequential(state.tags, (tag) => this.pointsHere(key, tag))).flatMap((tag) => (tag !== undefined ? [tag] : []));
      // A transaction holds at most FORGET_BATCH items: pointers past that go first, each batch with
      // the tags' removal from the image, so the state never lists a tag whose pointer is gone.
      let cut = true;
      while (cut && pointers.length > FORGET_BATCH - 3) {
        const batch = pointers.splice(0, FORGET_BATCH - 1);
        cut = await this.transact([
          ...batch.map((tag) => this.pointerDelete(key, tag)),
          { Update: { TableName: this.options.tableName, Key: { pk: imagePk(key), sk: imageSk(key.digest) }, UpdateExpression: 'DELETE tags :tags', ...still, ExpressionAttributeValues: { ...still.ExpressionAttributeValues, ':tags': new Set(batch) } } },
        ]);
      }
      if (!cut) continue;
      const forgotten = await this.transact([
        { Delete: { TableName: this.options.tableName, Key: { pk: imagePk(key), sk: imageSk(key.digest) }, ...still } },
        { Delete: { TableName: this.options.tableName, Key: { pk: imagePk(key), sk: verdictSk(key.digest) } } },
        ...pointers.map((tag) => this.pointerDelete(key, tag)),
        this.catalogueUpdate(key, 'ADD images :minus, deleted :minus', { ':minus': -1 }),
      ]);
      if (forgotten) return true;
    }
    throw new Error(`${key.repository}@${key.digest} kept changing while it was being forgotten (${String(FORGET_ATTEMPTS)} attempts)`);
  }

  /** The tag, when its pointer names this image (a pointer that moved on is another image's). */
  private async pointsHere(key: ImageKey, tag: string): Promise<string | undefined> {
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: imagePk(key), sk: tagSk(tag) }, ConsistentRead: true }));
    return Item && pointerSchema.parse(Item).digest === key.digest ? tag : undefined;
  }

  private pointerDelete(key: ImageKey, tag: string): TransactItems[number] {
    return { Delete: { TableName: this.options.tableName, Key: { pk: imagePk(key), sk: tagSk(tag) }, ConditionExpression: 'digest = :digest', ExpressionAttributeValues: { ':digest': key.digest } } };
  }

  /** A repository's images, newest push first (gsi1). */
  async imagesOfRepository(repo: Repo, limit = 100): Promise<ImageState[]> {
    return (await this.newestFirst('gsi1', repoIndexPk(repo), limit)).map((item) => imageItemSchema.parse(item));
  }

  /** Every repository (in every account and region) holding a digest (gsi2). */
  async imagesWithDigest(digest: Digest): Promise<ImageState[]> {
    const items = await queryAll(this.options.client, { TableName: this.options.tableName, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': digestIndexPk(digest) } });
    return items.map((item) => imageItemSchema.parse(item));
  }

  /** One tag's history in a repository, oldest first (base table). */
  async tagHistory(repo: Repo, tag: string): Promise<TagEvent[]> {
    const items = await queryAll(this.options.client, {
      TableName: this.options.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': imagePk(repo), ':prefix': `${TAGLOG_PREFIX}${tag}#` },
    });
    return items.map((item) => tagEventSchema.parse(item));
  }

  /** Every tag move in a repository, newest first (gsi3). */
  async repositoryTagHistory(repo: Repo, limit = 100): Promise<TagEvent[]> {
    return (await this.newestFirst('gsi3', tagLogIndexPk(repo), limit)).map((item) => tagEventSchema.parse(item));
  }

  /** The first items of an index partition whose sort key starts with a timestamp, newest first. */
  private newestFirst(index: 'gsi1' | 'gsi3', pk: string, limit: number): Promise<Record<string, unknown>[]> {
    return queryAll(
      this.options.client,
      { TableName: this.options.tableName, IndexName: index, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': `${index}pk` }, ExpressionAttributeValues: { ':pk': pk }, ScanIndexForward: false },
      limit,
    );
  }

  /**
   * Creates the image item and counts it in the catalogue, atomically; a deleted image pushed again
   * is restored. Read first: a duplicate event then costs a read, not a failed transaction.
   */
  private async ensureImage(key: ImageKey, pushedAt: Date, kind: ScanEventKind, now: Date): Promise<void> {
    for (let attempt = 0; attempt < ENSURE_ATTEMPTS; attempt++) {
      const existing = await this.get(key);
      // A failed restore: restored concurrently (read again: live), or forgotten past its retention
      // between the read and the restore (read again: absent, so created anew).
      if (existing) {
        if (!existing.deletedAt || (await this.restore(key))) return;
        continue;
      }
      // Created concurrently when this fails: read again (and restore it if it was deleted).
      if (await this.create(key, pushedAt, kind, now)) return;
    }
    throw new Error(`${key.repository}@${key.digest} kept changing while its push was being recorded`);
  }

  private create(key: ImageKey, pushedAt: Date, kind: ScanEventKind, now: Date): Promise<boolean> {
    return this.transact([
      {
        Put: {
          TableName: this.options.tableName,
          Item: {
            pk: imagePk(key),
            sk: imageSk(key.digest),
            type: 'image',
            gsi1pk: repoIndexPk(key),
            gsi1sk: `${pushedAt.toISOString()}#${key.digest}`,
            gsi2pk: digestIndexPk(key.digest),
            gsi2sk: imagePk(key),
            account: key.account,
            region: key.region,
            repository: key.repository,
            digest: key.digest,
            pushedAt: pushedAt.toISOString(),
            firstSeenAt: now.toISOString(),
            kind,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.catalogueUpdate(key, 'SET account = :account, #region = :region, repository = :repository, lastPushAt = :at ADD images :one', {
        ':account': key.account,
        ':region': key.region,
        ':repository': key.repository,
        ':at': pushedAt.toISOString(),
        ':one': 1,
      }),
    ]);
  }

  private restore(key: ImageKey): Promise<boolean> {
    return this.transact([this.conditionalUpdate(key, 'REMOVE deletedAt', 'attribute_exists(deletedAt)'), this.catalogueUpdate(key, 'ADD deleted :minus', { ':minus': -1 })]);
  }

  /** Moves the tag's pointer here unless it names a newer push; retried when another move races it. */
  private async recordTag(key: ImageKey, tag: string, pushedAt: Date): Promise<void> {
    const tagged = this.history({ tag, digest: key.digest, at: pushedAt, action: 'tagged' }, key);
    for (let attempt = 0; attempt < 5; attempt++) {
      const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: imagePk(key), sk: tagSk(tag) }, ConsistentRead: true }));
      const pointer = Item ? pointerSchema.parse(Item) : undefined;
      if (pointer?.digest === key.digest) return;
      if (pointer && new Date(pointer.pushedAt) > pushedAt) {
        await this.transact([tagged]); // a stale event: the tag was here once, and has moved on since
        return;
      }
      const items: TransactItems = [
        {
          Put: {
            TableName: this.options.tableName,
            Item: { pk: imagePk(key), sk: tagSk(tag), type: 'tag', tag, digest: key.digest, pushedAt: pushedAt.toISOString() },
            ConditionExpression: pointer ? 'digest = :old' : 'attribute_not_exists(pk)',
            ...(pointer ? { ExpressionAttributeValues: { ':old': pointer.digest } } : {}),
          },
        },
        this.updateItem(key, 'ADD tags :tag', { ':tag': new Set([tag]) }),
        tagged,
      ];
      if (pointer) {
        const old = { ...key, digest: pointer.digest };
        items.push(this.updateItem(old, 'DELETE tags :tag', { ':tag': new Set([tag]) }), this.history({ tag, digest: old.digest, at: pushedAt, action: 'untagged' }, key));
      }
      if (await this.transact(items)) return;
    }
    throw new Error(`tag ${tag} of ${key.repository} kept moving while it was being recorded`);
  }

  /** Epoch seconds for the table's TTL attribute, counted from the change itself so a replayed event expires on time. */
  private historyExpiry(at: Date): { expiresAt?: number } {
    const days = this.options.historyRetentionDays;
    return days === undefined ? {} : { expiresAt: Math.ceil(at.getTime() / 1000) + days * 86_400 };
  }

  private history(event: TagEvent, repo: Repo): TransactItems[number] {
    return {
      Put: {
        TableName: this.options.tableName,
        Item: {
          pk: imagePk(repo),
          sk: tagLogSk(event.tag, event.at, event.digest, event.action),
          type: 'tag-event',
          gsi3pk: tagLogIndexPk(repo),
          gsi3sk: `${event.at.toISOString()}#${event.tag}#${event.action}`,
          tag: event.tag,
          digest: event.digest,
          at: event.at.toISOString(),
          action: event.action,
          ...this.historyExpiry(event.at),
        },
      },
    };
  }

  /** An update of an existing image item (never creates a stub). */
  private updateItem(key: ImageKey, expression: string, values: Record<string, unknown>): TransactItems[number] {
    return this.conditionalUpdate(key, expression, 'attribute_exists(pk)', values);
  }

  private conditionalUpdate(key: ImageKey, expression: string, condition: string, values?: Record<string, unknown>): TransactItems[number] {
    return {
      Update: {
        TableName: this.options.tableName,
        Key: { pk: imagePk(key), sk: imageSk(key.digest) },
        UpdateExpression: expression,
        ConditionExpression: condition,
        ...(values ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  private catalogueUpdate(key: Repo, expression: string, values: Record<string, unknown>): TransactItems[number] {
    return {
      Update: {
        TableName: this.options.tableName,
        Key: { pk: CATALOGUE_PK, sk: catalogueSk(key) },
        UpdateExpression: expression,
        ExpressionAttributeValues: values,
        ...(expression.includes('#region') ? { ExpressionAttributeNames: { '#region': 'region' } } : {}),
      },
    };
  }

  private async update(key: ImageKey, expression: string, values: Record<string, unknown>): Promise<void> {
    await this.options.client.send(new UpdateCommand(this.updateItem(key, expression, values).Update as ConstructorParameters<typeof UpdateCommand>[0]));
  }

  /** Runs a transaction; false when a condition failed (the change was already made, or is not due). */
  /**
   * One transaction. False when a condition failed (the caller re-reads and decides). A conflict
   * with another transaction on the same item (new images of one repository all count in its
   * catalogue entry) is retried here a few times with jittered backoff, rather than sent back to
   * the queue for a 30 s wait; past that it is thrown, transient, for the queue to retry.
   */
  private async transact(items: TransactItems): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.client.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = new Set(error.CancellationReasons?.map((reason) => reason.Code));
        if (codes.has('ConditionalCheckFailed')) return false;
        if (!codes.has('TransactionConflict') || attempt >= TRANSACTION_CONFLICT_RETRIES) throw error;
        await sleep(Math.random() * TRANSACTION_CONFLICT_BACKOFF_MS * 2 ** attempt);
      }
    }
  }
}

const TRANSACTION_CONFLICT_RETRIES = 4;
/** Reads and tries of a push against a concurrent restore or forget, and of a forget against re-pushes and tag moves. */
const ENSURE_ATTEMPTS = 5;
const FORGET_ATTEMPTS = 5;
/** Items per forget transaction (DynamoDB allows 100; a deleted image rarely keeps a tag pointer). */
const FORGET_BATCH = 25;

async function mapSequential<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}
const TRANSACTION_CONFLICT_BACKOFF_MS = 50;
