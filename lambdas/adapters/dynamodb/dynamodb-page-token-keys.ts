import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { PageTokenKeySource } from '../../core/api/api-ports.ts';
import type { PageTokenKeys } from '../../core/api/page-token.ts';
import type { Clock } from '../../core/ports.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';

export const PAGE_TOKEN_KEYS_KEY = { pk: 'API#PAGE_TOKEN_KEYS', sk: 'KEYS' } as const;
const KEY_BYTES = 32;
/** Keys kept after a rotation: tokens live a day, so the previous keys only need to outlive them. */
export const KEPT_PAGE_TOKEN_KEYS = 3;
const DEFAULT_CACHE_MS = 5 * 60_000;

const base64Key = z
  .string()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/)
  .transform((text) => new Uint8Array(Buffer.from(text, 'base64')))
  .refine((key) => key.byteLength >= KEY_BYTES, `a page token key must have at least ${KEY_BYTES} bytes`);
const itemSchema = z.object({ keys: z.array(z.string()).min(1), revision: z.number().int().positive() });

export interface DynamoDbPageTokenKeysOptions extends DynamoDbTableOptions {
  /** How long keys read are used before reading again (default 5 minutes: a rotation reaches every instance within it). */
  readonly cacheMs?: number;
  readonly clock?: Clock;
}

/**
 * The keys `nextToken`s are signed with, in one item of the findings table
 * (`pk = API#PAGE_TOKEN_KEYS`, `sk = KEYS`: base64 keys, newest first, and a revision). The first
 * instance to need them creates the item with a conditional put; one racing it loses the condition
 * and reads the winner's, so every instance signs with the same keys. Read keys are kept in memory
 * for `cacheMs`.
 *
 * Rotation: `rotatePageTokenKeys` prepends a new random key (conditional on the revision it read)
 * and keeps the previous ones, so tokens signed before still verify until they expire; instances
 * sign with the new key once their cache lapses. Run it from a one-off script with the table's
 * write access, e.g. `rotatePageTokenKeys({ client, tableName })`.
 */
export class DynamoDbPageTokenKeys implements PageTokenKeySource {
  private cached?: { readonly at: number; readonly keys: Promise<PageTokenKeys> };
  private readonly cacheMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: DynamoDbPageTokenKeysOptions) {
    this.cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
    this.clock = options.clock ?? { now: () => new Date() };
  }

  keys(): Promise<PageTokenKeys> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.keys;
    // One read for concurrent callers; a failed read is not kept.
    const keys = this.load().catch((error: unknown) => {
      if (this.cached?.keys === keys) this.cached = undefined;
      throw error;
    });
    this.cached = { at: now, keys };
    return keys;
  }

  private async load(): Promise<PageTokenKeys> {
    const stored = await readKeys(this.options);
    if (stored) return stored.keys;
    const created = await putKeys(this.options, [newKey()], undefined);
    if (created) return created;
    const winner = await readKeys(this.options);
    if (!winner) throw new Error('page token keys were created by another instance but cannot be read back');
    return winner.keys;
  }
}

/**
 * Prepends a new key (the one that signs from now on), keeping the `keep` newest in all. Answers the
 * keys now stored. Safe to rerun: each run is one more rotation, conditional on what it read.
 */
export async function rotatePageTokenKeys(options: DynamoDbTableOptions, keep = KEPT_PAGE_TOKEN_KEYS): Promise<PageTokenKeys> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await readKeys(options);
    const encoded = stored ? stored.encoded : [];
    const written = await putKeys(options, [newKey(), ...encoded].slice(0, Math.max(1, keep)), stored?.revision);
    if (written) return written;
  }
  throw new Error('page token keys kept changing while they were being rotated');
}

function newKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

async function readKeys(options: DynamoDbTableOptions): Promise<{ readonly keys: PageTokenKeys; readonly encoded: string[]; readonly revision: number } | undefined> {
  const { Item } = await options.client.send(new GetCommand({ TableName: options.tableName, Key: PAGE_TOKEN_KEYS_KEY, ConsistentRead: true }));
  if (!Item) return undefined;
  const parsed = itemSchema.safeParse(Item);
  const keys = parsed.success ? z.array(base64Key).safeParse(parsed.data.keys) : undefined;
  if (!parsed.success || !keys?.success) throw new Error(`the page token keys item (${PAGE_TOKEN_KEYS_KEY.pk}) is malformed`);
  return { keys: { keys: keys.data }, encoded: parsed.data.keys, revision: parsed.data.revision };
}

/** Writes the keys if the item is still at `revision` (absent: not there yet); undefined when it is not. */
async function putKeys(options: DynamoDbTableOptions, encoded: string[], revision: number | undefined): Promise<PageTokenKeys | undefined> {
  try {
    await options.client.send(
      new PutCommand({
        TableName: options.tableName,
        Item: { ...PAGE_TOKEN_KEYS_KEY, type: 'page-token-keys', keys: encoded, revision: (revision ?? 0) + 1 },
        ...(revision === undefined ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: 'revision = :revision', ExpressionAttributeValues: { ':revision': revision } }),
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
  return { keys: encoded.map((key) => new Uint8Array(Buffer.from(key, 'base64'))) };
}
