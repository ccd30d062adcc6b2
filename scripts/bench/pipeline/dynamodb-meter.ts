import { BatchGetItemCommand, type ConsumedCapacity, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { KeyIndex } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { itemWriteUnits, readUnitsOf, refusedWriteUnits, type WriteUnits } from './capacity-units.ts';
import { asAttributeValues, itemSize, type Item } from './item-size.ts';
import { operationOf, type RequestMeter } from './request-meter.ts';

export interface MeteredTable {
  /** How the report names it: `findings`, `advisories`. */
  readonly role: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly KeyIndex[];
  /** Items named apart by their sort key's prefix: `{ VERDICT#: 'verdicts' }` reports `GetItem verdicts`. */
  readonly itemRoles?: Readonly<Record<string, string>>;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

interface PlannedWrite {
  readonly table: string;
  readonly key: Item;
  /** The item a put writes; undefined for a delete; 'read' for an update (read back after). */
  readonly after: Item | undefined | 'read';
  readonly transactional: boolean;
}

/**
 * Meters a DynamoDB client: counts each call and computes its request units from item sizes. The
 * items a write replaces and an update's result are read with `reader`, a client the meter does not
 * watch, before and after the call (so a metered run is slower than a timed one). Every call also
 * asks for ReturnConsumedCapacity, and DynamoDB Local's answer is kept beside ours to compare; it
 * is not trusted (it is wrong for some batch operations).
 */
export function meterDynamoDb(client: DynamoDBClient, reader: DynamoDBClient, tables: ReadonlyMap<string, MeteredTable>, meter: RequestMeter): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.input as Input).ReturnConsumedCapacity = 'INDEXES';
      return next(args);
    },
    { step: 'initialize', name: 'benchAskConsumedCapacity' },
  );
  // After serialization: the input is in AttributeValues whichever client (document or not) sent it.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      const input = args.input as Input;
      const writes = plannedWrites(operation, input, tables);
      const before = writes.length > 0 ? await readItems(reader, writes, tables) : new Map<string, Item>();
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        const refused = refusal(error);
        if (refused) {
          const line = meter.line('DynamoDB', `${operation} ${roleOf(writes[0]?.table, writes.map((write) => write.key), tables)} (condition failed)`);
          line.calls++;
          line.localUnreported++;
          for (const write of writes) line.writeUnits += refusedWriteUnits(before.get(keyOf(write)), write.transactional).table;
        }
        throw error;
      }
      const output = result.output as unknown as Output;
      const table = tableOf(operation, input);
      const line = meter.line('DynamoDB', `${operation} ${roleOf(table, keysOf(operation, input, table, writes), tables)}`);
      line.calls++;
      const reported = reportedUnits(output.ConsumedCapacity as ConsumedCapacity | ConsumedCapacity[] | undefined);
      if (reported === undefined) line.localUnreported++;
      else line.localReportedUnits += reported;
      if (writes.length > 0) {
        const done = doneWrites(operation, writes, output);
        const updated = done.filter((write) => write.after === 'read');
        const after = updated.length > 0 ? await readItems(reader, updated, tables) : new Map<string, Item>();
        for (const write of done) {
          const result = write.after === 'read' ? after.get(keyOf(write)) : write.after;
          const units: WriteUnits = itemWriteUnits(before.get(keyOf(write)), result, tables.get(write.table)?.indexes ?? [], write.transactional);
          line.writeUnits += units.table + units.indexes;
          line.indexWriteUnits += units.indexes;
          line.items++;
          line.bytes += result ? itemSize(result) : 0;
        }
      } else {
        addReadUnits(line, operation, input, output);
      }
      return result;
    },
    { step: 'build', name: 'benchMeterDynamoDb' },
  );
}

function addReadUnits(line: ReturnType<RequestMeter['line']>, operation: string, input: Input, output: Output): void {
  const consistent = input.ConsistentRead === true && input.IndexName === undefined;
  if (operation === 'GetItem') {
    const item = output.Item as Record<string, unknown> | undefined;
    const size = item ? itemSize(asAttributeValues(item)) : 0;
    line.readUnits += readUnitsOf(size, consistent);
    line.items += item ? 1 : 0;
    line.bytes += size;
  } else if (operation === 'Query') {
    const items = ((output.Items ?? []) as Record<string, unknown>[]).map(asAttributeValues);
    const size = items.reduce((sum, item) => sum + itemSize(item), 0);
    line.readUnits += readUnitsOf(size, consistent);
    line.items += items.length;
    line.bytes += size;
  } else if (operation === 'BatchGetItem') {
    const requested = input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>;
    const responses = (output.Responses ?? {}) as Record<string, Record<string, unknown>[]>;
    const unprocessed = (output.UnprocessedKeys ?? {}) as Record<string, { Keys?: unknown[] }>;
    for (const [table, request] of Object.entries(requested)) {
      const found = (responses[table] ?? []).map(asAttributeValues);
      const missing = request.Keys.length - found.length - (unprocessed[table]?.Keys?.length ?? 0);
      // Each item rounds up on its own; a key that is not there still costs the minimum.
      for (const item of found) line.readUnits += readUnitsOf(itemSize(item), request.ConsistentRead === true);
      line.readUnits += Math.max(0, missing) * readUnitsOf(0, request.ConsistentRead === true);
      line.items += found.length;
      line.bytes += found.reduce((sum, item) => sum + itemSize(item), 0);
    }
  }
}

function plannedWrites(operation: string, input: Input, tables: ReadonlyMap<string, MeteredTable>): PlannedWrite[] {
  const table = input.TableName as string;
  switch (operation) {
    case 'PutItem':
      return [{ table, key: keyFrom(input.Item as Item, table, tables), after: input.Item as Item, transactional: false }];
    case 'UpdateItem':
      return [{ table, key: input.Key as Item, after: 'read', transactional: false }];
    case 'DeleteItem':
      return [{ table, key: input.Key as Item, after: undefined, transactional: false }];
    case 'BatchWriteItem':
      return Object.entries(input.RequestItems as Record<string, WriteRequest[]>).flatMap(([name, requests]) =>
        requests.map((request): PlannedWrite => (request.PutRequest ? { table: name, key: keyFrom(request.PutRequest.Item as Item, name, tables), after: request.PutRequest.Item as Item, transactional: false } : { table: name, key: request.DeleteRequest!.Key as Item, after: undefined, transactional: false })),
      );
    case 'TransactWriteItems':
      return (input.TransactItems as Record<string, { TableName: string; Item?: Item; Key?: Item }>[]).flatMap((entry): PlannedWrite[] => {
        if (entry.Put) return [{ table: entry.Put.TableName, key: keyFrom(entry.Put.Item!, entry.Put.TableName, tables), after: entry.Put.Item, transactional: true }];
        if (entry.Update) return [{ table: entry.Update.TableName, key: entry.Update.Key!, after: 'read', transactional: true }];
        if (entry.Delete) return [{ table: entry.Delete.TableName, key: entry.Delete.Key!, after: undefined, transactional: true }];
        return [];
      });
    default:
      return [];
  }
}

/** The writes DynamoDB carried out: a batch's unprocessed ones are resent, and counted then. */
function doneWrites(operation: string, writes: readonly PlannedWrite[], output: Output): PlannedWrite[] {
  if (operation !== 'BatchWriteItem') return [...writes];
  const unprocessed = new Set(Object.entries((output.UnprocessedItems ?? {}) as Record<string, WriteRequest[]>).flatMap(([table, requests]) => requests.map((request) => `${table}\0${JSON.stringify(request.PutRequest?.Item ?? request.DeleteRequest?.Key)}`)));
  if (unprocessed.size === 0) return [...writes];
  return writes.filter((write) => !unprocessed.has(`${write.table}\0${JSON.stringify(write.after === undefined ? write.key : write.after)}`));
}

async function readItems(reader: DynamoDBClient, writes: readonly PlannedWrite[], tables: ReadonlyMap<string, MeteredTable>): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const distinct = [...new Map(writes.map((write) => [keyOf(write), write])).values()];
  for (let start = 0; start < distinct.length; start += 100) {
    let pending: Record<string, { Keys: Item[]; ConsistentRead: boolean }> = {};
    for (const write of distinct.slice(start, start + 100)) (pending[write.table] ??= { Keys: [], ConsistentRead: true }).Keys.push(write.key);
    while (Object.keys(pending).length > 0) {
      const output = await reader.send(new BatchGetItemCommand({ RequestItems: pending }));
      for (const [table, items] of Object.entries(output.Responses ?? {})) {
        for (const item of items) found.set(`${table}\0${keyText(item, table, tables)}`, item);
      }
      pending = (output.UnprocessedKeys ?? {}) as typeof pending;
    }
  }
  return found;
}

function keyFrom(item: Item, table: string, tables: ReadonlyMap<string, MeteredTable>): Item {
  const schema = tables.get(table);
  const pk = schema?.partitionKey ?? 'pk';
  const sk = schema?.sortKey ?? 'sk';
  return { [pk]: item[pk]!, [sk]: item[sk]! };
}

function keyText(item: Item, table: string, tables: ReadonlyMap<string, MeteredTable>): string {
  const key = keyFrom(item, table, tables);
  return Object.values(key).map((value) => value?.S ?? '').join('\0');
}

const keyOf = (write: PlannedWrite): string => `${write.table}\0${Object.values(write.key).map((value) => value?.S ?? '').join('\0')}`;

function tableOf(operation: string, input: Input): string | undefined {
  if (typeof input.TableName === 'string') return input.TableName;
  if (operation === 'TransactWriteItems') {
    const first = (input.TransactItems as Record<string, { TableName?: string }>[])[0];
    return first ? Object.values(first)[0]?.TableName : undefined;
  }
  return Object.keys((input.RequestItems ?? {}) as object)[0];
}

/** The table's role, or its items' role when every key the call names has the same sort key prefix role. */
function roleOf(table: string | undefined, keys: readonly Item[], tables: ReadonlyMap<string, MeteredTable>): string {
  const schema = table ? tables.get(table) : undefined;
  if (!schema) return 'other';
  const roles = new Set(keys.map((key) => itemRoleOf(key, schema)));
  const [only] = roles;
  return roles.size === 1 && only !== undefined ? only : schema.role;
}

function itemRoleOf(key: Item, schema: MeteredTable): string | undefined {
  const sortKey = key[schema.sortKey]?.S;
  if (sortKey === undefined) return undefined;
  return Object.entries(schema.itemRoles ?? {}).find(([prefix]) => sortKey.startsWith(prefix))?.[1];
}

/** The keys a call names in `table`: its writes', a GetItem's, a BatchGetItem's; none for a Query or Scan. */
function keysOf(operation: string, input: Input, table: string | undefined, writes: readonly PlannedWrite[]): Item[] {
  if (writes.length > 0) return writes.filter((write) => write.table === table).map((write) => write.key);
  if (operation === 'GetItem') return [input.Key as Item];
  if (operation === 'BatchGetItem' && table) return (input.RequestItems as Record<string, { Keys: Item[] }>)[table]?.Keys ?? [];
  return [];
}

function refusal(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConditionalCheckFailedException') return true;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return error.name === 'TransactionCanceledException' && (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed') || /ConditionalCheckFailed/.test(error.message));
}

function reportedUnits(consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): number | undefined {
  if (consumed === undefined) return undefined;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  if (list.length === 0) return undefined;
  return list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}
