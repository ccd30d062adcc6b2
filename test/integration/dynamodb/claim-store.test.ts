import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbClaimStore } from '../../../lambdas/adapters/dynamodb/dynamodb-claim-store.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import { ClaimLostError } from '../../../lambdas/core/pipeline/scan-errors.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const randomDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);

/** Scan claims on DynamoDB Local: one winner, leases that expire, completion only by the holder. */
describe('DynamoDB claim store', () => {
  const base = localDynamoDbClient();
  const client = findingsDocumentClient(base);
  let claims: DynamoDbClaimStore;
  const t0 = new Date('2026-12-01T10:00:00Z');
  const at = (ms: number): Date => new Date(t0.getTime() + ms);

  beforeAll(async () => {
    claims = new DynamoDbClaimStore({ client, tableName: await createLocalTable(base, FINDINGS_TABLE, 'claims') });
  });

  it('lets exactly one of twenty concurrent claimers win', async () => {
    const key = { digest: randomDigest(), scannerVersion: '1' };
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => claims.claim(key, { now: t0, leaseMs: 60_000 })));
    expect(outcomes.filter((outcome) => outcome.outcome === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.outcome === 'busy')).toHaveLength(19);
  });

  it('is busy until the lease expires, then another caller takes it and the first cannot complete', async () => {
    const key = { digest: randomDigest(), scannerVersion: '1' };
    const first = await claims.claim(key, { now: t0, leaseMs: 1_000 });
    expect(first.outcome).toBe('claimed');
    expect(await claims.claim(key, { now: at(999), leaseMs: 1_000 })).toEqual({ outcome: 'busy', leaseExpiresAt: at(1_000) });
    const second = await claims.claim(key, { now: at(1_001), leaseMs: 1_000 });
    expect(second.outcome).toBe('claimed');
    if (first.outcome !== 'claimed' || second.outcome !== 'claimed') throw new Error('unreachable');
    await expect(claims.complete(key, first.token, at(1_002))).rejects.toBeInstanceOf(ClaimLostError);
    await claims.complete(key, second.token, at(1_003));
    expect(await claims.claim(key, { now: at(10_000_000), leaseMs: 1_000 })).toEqual({ outcome: 'done' });
  });

  it('is done for ever once completed, lease or no lease, and completing twice is harmless', async () => {
    const key = { digest: randomDigest(), scannerVersion: '1' };
    const claim = await claims.claim(key, { now: t0, leaseMs: 1_000 });
    if (claim.outcome !== 'claimed') throw new Error('not claimed');
    await claims.complete(key, claim.token, at(10));
    await claims.complete(key, claim.token, at(20));
    expect(await claims.claim(key, { now: at(5_000), leaseMs: 1_000 })).toEqual({ outcome: 'done' });
  });

  it('is claimed again at once after a release, and a stranger cannot release it', async () => {
    const key = { digest: randomDigest(), scannerVersion: '1' };
    const claim = await claims.claim(key, { now: t0, leaseMs: 60_000 });
    if (claim.outcome !== 'claimed') throw new Error('not claimed');
    await claims.release(key, 'someone-else');
    expect((await claims.claim(key, { now: t0, leaseMs: 60_000 })).outcome).toBe('busy');
    await claims.release(key, claim.token);
    expect((await claims.claim(key, { now: t0, leaseMs: 60_000 })).outcome).toBe('claimed');
  });

  it('claims each scanner version separately', async () => {
    const digest = randomDigest();
    const v1 = await claims.claim({ digest, scannerVersion: '1' }, { now: t0, leaseMs: 1_000 });
    if (v1.outcome !== 'claimed') throw new Error('not claimed');
    await claims.complete({ digest, scannerVersion: '1' }, v1.token, t0);
    expect((await claims.claim({ digest, scannerVersion: '2' }, { now: t0, leaseMs: 1_000 })).outcome).toBe('claimed');
  });
});
