import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ImageKey, RepositoryKey } from '../../core/pipeline/model.ts';
import type { QuarantineRecord } from '../../core/pipeline/quarantine-model.ts';
import type { QuarantineStore, StoredQuarantine } from '../../core/ports.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { imagePk } from './findings-keys.ts';
import { queryAll } from './query-all.ts';
import {
  digestOfQuarantineSk,
  packQuarantine,
  packQuarantineLog,
  QUARANTINE_PREFIX,
  quarantineLogPrefix,
  quarantineSk,
  unpackQuarantine,
  unpackQuarantineLog,
  type QuarantineWrite,
} from './quarantine-items.ts';

/**
 * Quarantine records per image state in the image's partition (quarantine-items.ts), with the
 * outbox of their alerts in the same item. Every write is a whole-item put conditional on the
 * revision it was decided from, so two writers never both win; a write that replaces a record
 * with another quarantine (a new id) moves the old one into the history in the same transaction,
 * so no record is ever lost between the two.
 */
export class DynamoDbQuarantineStore implements QuarantineStore {
  constructor(private readonly options: DynamoDbTableOptions) {}

  async get(key: ImageKey): Promise<StoredQuarantine | undefined> {
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: keyOf(key), ConsistentRead: true }));
    return Item ? unpackQuarantine(key, Item) : undefined;
  }

  /**
   * The common write (same quarantine, next step) is one put conditional on the revision and the
   * id. When that fails over the expected revision because the stored record is another
   * quarantine, the stored one is read and logged in one transaction with the put, both
   * conditional on what was read.
   */
  async put(key: ImageKey, write: QuarantineWrite, expectedRevision: number | undefined): Promise<boolean> {
    const { client, tableName } = this.options;
    const item = packQuarantine(key, write, (expectedRevision ?? 0) + 1);
    if (expectedRevision === undefined) {
      return this.conditionally(client.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })));
    }
    const sameRecord = {
      TableName: tableName,
      Item: item,
      ConditionExpression: 'revision = :expected AND id = :id',
      ExpressionAttributeValues: { ':expected': expectedRevision, ':id': write.record.id },
    };
    if (await this.conditionally(client.send(new PutCommand(sameRecord)))) return true;
    const stored = await this.get(key);
    if (stored?.revision !== expectedRevision || stored.record.id === write.record.id) return false;
    return this.conditionally(
      client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { ...sameRecord, ExpressionAttributeValues: { ':expected': expectedRevision, ':id': stored.record.id } } },
            // Unconditional: rewriting the same history entry is harmless, refusing it would block the replacement.
            { Put: { TableName: tableName, Item: packQuarantineLog(key, stored.record) } },
          ],
        }),
      ),
    );
  }

  /**
   * Removes the pending alert when it is still `alertId`, in one conditional update (the record
   * document is left as it is). Another alert pending, none, or no item: nothing to do.
   */
  async confirm(key: ImageKey, alertId: string): Promise<void> {
    await this.conditionally(
      this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keyOf(key),
          UpdateExpression: 'REMOVE pendingDocument, pendingAlertId SET revision = revision + :one',
          ConditionExpression: 'pendingAlertId = :alertId',
          ExpressionAttributeValues: { ':one': 1, ':alertId': alertId },
        }),
      ),
    );
  }

  async list(repository: RepositoryKey): Promise<readonly QuarantineRecord[]> {
    const items = await queryAll(this.options.client, {
      TableName: this.options.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': imagePk(repository), ':prefix': QUARANTINE_PREFIX },
      ConsistentRead: true,
    });
    return items.map((item) => {
      const key = { account: repository.account, region: repository.region, repository: repository.repository, digest: digestOfQuarantineSk(repository, item.sk) };
      return unpackQuarantine(key, item).record;
    });
  }

  async history(key: ImageKey): Promise<readonly QuarantineRecord[]> {
    const items = await queryAll(this.options.client, {
      TableName: this.options.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': imagePk(key), ':prefix': quarantineLogPrefix(key.digest) },
      ConsistentRead: true,
    });
    return items.map((item) => unpackQuarantineLog(key, item));
  }

  /** True when the write landed, false when its condition was lost; any other failure is thrown. */
  private async conditionally(sent: Promise<unknown>): Promise<boolean> {
    try {
      await sent;
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
      throw error;
    }
  }
}

function keyOf(key: ImageKey): { pk: string; sk: string } {
  return { pk: imagePk(key), sk: quarantineSk(key.digest) };
}
