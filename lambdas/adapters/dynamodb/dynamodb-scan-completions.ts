import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ScanClaimKey, ScanCompletions } from '../../core/ports.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { claimSk, scanPk } from './findings-keys.ts';

const claimStateSchema = z.object({ state: z.enum(['LEASED', 'DONE']) });

/**
 * Reads a scan claim (the item DynamoDbClaimStore writes) without taking it: DONE is set only
 * after the scan's result is stored, so it says the (digest, scanner version) is scanned, indexes
 * included (they have no result of their own).
 */
export class DynamoDbScanCompletions implements ScanCompletions {
  constructor(private readonly options: DynamoDbTableOptions) {}

  async done(key: ScanClaimKey): Promise<boolean> {
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: scanPk(key.digest), sk: claimSk(key.scannerVersion) }, ConsistentRead: true }));
    return Item ? claimStateSchema.parse(Item).state === 'DONE' : false;
  }
}
