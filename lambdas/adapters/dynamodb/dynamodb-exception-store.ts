import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ExceptionStore, StoredException } from '../../core/api/api-ports.ts';
import { CustomsError } from '../../core/errors.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { EXCEPTION_PREFIX, EXCEPTIONS_PK, exceptionItem, exceptionSk, readException, REVISION_SK, revisionItemSchema, sameException } from './exception-items.ts';
import { queryAll } from './query-all.ts';

export interface DynamoDbExceptionStoreOptions extends DynamoDbTableOptions {
  /** Most exceptions kept at once (default 1,000): every policy refresh reads them all. */
  readonly maxExceptions?: number;
}

export const DEFAULT_MAX_EXCEPTIONS = 1000;

/**
 * Exceptions in one partition (`pk = EXCEPTIONS`). Each add and remove is one transaction with the
 * `REVISION` item, which counts changes (policy sources re-read the list when it moves) and the
 * exceptions held (an add past the cap fails its condition), so the two never disagree. An add is
 * conditional on the id being absent; a retried add finds its own exception and is done. A remove
 * is conditional on the exception still being there, so a retried one changes nothing.
 */
export class DynamoDbExceptionStore implements ExceptionStore {
  private readonly maxExceptions: number;

  constructor(private readonly options: DynamoDbExceptionStoreOptions) {
    this.maxExceptions = options.maxExceptions ?? DEFAULT_MAX_EXCEPTIONS;
  }

  async add(exception: StoredException): Promise<void> {
    const item = exceptionItem(exception);
    const reasons = await this.transact([
      { Put: { TableName: this.options.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Update: {
          TableName: this.options.tableName,
          Key: { pk: EXCEPTIONS_PK, sk: REVISION_SK },
          UpdateExpression: 'ADD revision :one, #count :one',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :cap',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':cap': this.maxExceptions },
        },
      },
    ]);
    if (reasons === undefined) return;
    if (reasons[0] === 'ConditionalCheckFailed') {
      const stored = await this.item(exception.id);
      // Removed again since the failed put: the retry comes too late to add it back.
      if (!stored || sameException(stored, item)) return;
      throw new CustomsError('usage', `exception ${exception.id} exists already with other content`);
    }
    throw new CustomsError('limit', `${String(this.maxExceptions)} exceptions are stored already, the most kept at once: remove lapsed ones first`);
  }

  async remove(id: string): Promise<StoredException | undefined> {
    const stored = await this.item(id);
    if (!stored) return undefined;
    const reasons = await this.transact([
      { Delete: { TableName: this.options.tableName, Key: { pk: EXCEPTIONS_PK, sk: exceptionSk(id) }, ConditionExpression: 'attribute_exists(pk)' } },
      { Update: { TableName: this.options.tableName, Key: { pk: EXCEPTIONS_PK, sk: REVISION_SK }, UpdateExpression: 'ADD revision :one, #count :minus', ExpressionAttributeNames: { '#count': 'count' }, ExpressionAttributeValues: { ':one': 1, ':minus': -1 } } },
    ]);
    // Failed: removed concurrently, by the other call that answers it.
    return reasons === undefined ? readException(stored) : undefined;
  }

  async get(id: string): Promise<StoredException | undefined> {
    const stored = await this.item(id);
    return stored ? readException(stored) : undefined;
  }

  async list(): Promise<readonly StoredException[]> {
    const items = await queryAll(this.options.client, {
      TableName: this.options.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': EXCEPTIONS_PK, ':prefix': EXCEPTION_PREFIX },
      ConsistentRead: true,
    });
    return items.map(readException).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async revision(): Promise<number> {
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: EXCEPTIONS_PK, sk: REVISION_SK }, ConsistentRead: true }));
    return Item ? revisionItemSchema.parse(Item).revision : 0;
  }

  private async item(id: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: EXCEPTIONS_PK, sk: exceptionSk(id) }, ConsistentRead: true }));
    return Item;
  }

  /** Undefined when written; else each item's cancellation code (conflicts are retried a few times). */
  private async transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<(string | undefined)[] | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.client.send(new TransactWriteCommand({ TransactItems: items }));
        return undefined;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
        if (codes.includes('ConditionalCheckFailed')) return codes;
        if (!codes.includes('TransactionConflict') || attempt >= CONFLICT_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
      }
    }
  }
}

/** Exceptions change rarely: a few conflicting changes at once are waited out rather than refused. */
const CONFLICT_RETRIES = 6;
