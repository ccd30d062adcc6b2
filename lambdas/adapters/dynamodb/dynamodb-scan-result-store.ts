import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import type { Digest } from '../../core/digest.ts';
import type { FindingChanges, PackageRef, RawFinding, ScanRecord, StoredFinding } from '../../core/pipeline/model.ts';
import type { ScanResultStore } from '../../core/ports.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import { batchWriteDocuments, type DocumentWrite } from './batch-write-documents.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { FINDINGS_PREFIX, findingsTokenPrefix, packageIndexPk, RESULT_SK, scanPk, waitingIndexPk } from './findings-keys.ts';
import { PACKAGE_SET_PREFIX, packageSetItems, readPackageSet } from './package-set-items.ts';
import { packFindings, unpackFindings, type PackedFindingsRef } from './packed-findings.ts';
import { queryAll } from './query-all.ts';
import { parseResult, resultAttributes, type CommittedResult } from './scan-items.ts';
import { scanVersionIndexAttributes } from './scan-version-index.ts';
import { waitingWrites } from './waiting-set-items.ts';

/**
 * Scan results and raw findings in the digest's partition `SCAN#<digest>`: the result item, and the
 * findings packed into gzipped chunks under the save's token (packed-findings.ts), so a scan writes
 * in proportion to its bytes rather than one item per finding. The package index is keys-only items
 * in the package's partition (`PKG#<ecosystem>#<name>`, sort key the digest's partition), so it costs
 * one write each and no index replication. A scan waiting for an ecosystem's advisories
 * (ADVISORIES_UNAVAILABLE) is indexed the same way under `WAITING#<ecosystem>`. There is no index by
 * vulnerability: the advisories say which packages an ID or alias affects (find-affected-images.ts).
 *
 * `save` is crash-safe without a transaction: it writes the new token's chunks, the package and
 * waiting sets (supersets) and new index entries, then the result item (the commit, naming the
 * token, its chunk count and hash, conditional on the result it read), then deletes every other
 * token's chunks and the index entries the scan no longer has. Readers read the result, then
 * exactly its token's chunks; a rerun after a crash at any step diffs against the committed scan
 * and clears what the crashed save left.
 */
export class DynamoDbScanResultStore implements ScanResultStore {
  constructor(private readonly options: DynamoDbTableOptions) {}

  async get(digest: Digest): Promise<ScanRecord | undefined> {
    const result = await this.committed(digest);
    if (!result) return undefined;
    const { scanToken: _token, findingChunks: _chunks, findingsSha256: _sha256, findingsBytes: _bytes, ...record } = result;
    return record;
  }

  async findings(digest: Digest): Promise<readonly StoredFinding[]> {
    const result = await this.committed(digest);
    if (!result || result.findingChunks === 0) return [];
    const chunks = await this.partition(digest, findingsTokenPrefix(result.scanToken));
    return unpackFindings(digest, result.scanToken, { chunks: result.findingChunks, sha256: result.findingsSha256 }, chunks);
  }

  async save(record: ScanRecord, findings: readonly RawFinding[], packages: readonly PackageRef[]): Promise<FindingChanges> {
    const { client, tableName } = this.options;
    const pk = scanPk(record.digest);
    const token = randomBytes(9).toString('base64url');
    const seen = record.finishedAt;
    const [previous, existing] = await Promise.all([this.committed(record.digest), this.partition(record.digest, '')]);
    const committed = previous?.scanToken;
    // The committed findings decide first seen and the diff; unreadable ones fail the save (retried), never read as none.
    const before = new Map(previous ? unpackFindings(record.digest, previous.scanToken, { chunks: previous.findingChunks, sha256: previous.findingsSha256 }, existing).map((finding) => [finding.key, finding]) : []);

    const stored = new Map<string, StoredFinding>();
    for (const finding of findings) {
      if (stored.has(finding.key)) continue;
      stored.set(finding.key, { ...finding, firstSeen: before.get(finding.key)?.firstSeen ?? seen, lastSeen: seen });
    }
    const packed = packFindings(pk, token, [...stored.values()]);
    const added = [...stored.keys()].filter((key) => !before.has(key));
    const removed = [...before.keys()].filter((key) => !stored.has(key));

    // 1. The new token's chunks and the supersets, then the index entries they imply (so every entry
    //    ever written is named by a package set or waiting set, and can be found again to delete).
    const oldSet = readPackageSet(existing.filter((item) => String(item.sk).startsWith(PACKAGE_SET_PREFIX)));
    const refKey = (ref: PackageRef): string => packageIndexPk(ref.ecosystem, ref.name);
    const newRefs = new Map(packages.map((ref) => [refKey(ref), ref]));
    const mayExistRefs = new Map([...(oldSet?.refs ?? []).map((ref): [string, PackageRef] => [refKey(ref), ref]), ...newRefs]);
    const committedRefs = oldSet?.exact && oldSet.token === committed ? new Set(oldSet.refs.map(refKey)) : new Set<string>();
    const waiting = waitingWrites(pk, existing, previous?.unavailableEcosystems ?? [], record.unavailableEcosystems ?? []);
    const puts = (items: readonly Record<string, unknown>[]): DocumentWrite[] => items.map((Item) => ({ PutRequest: { Item } }));
    await batchWriteDocuments(client, tableName, puts([...packed.items, ...packageSetItems(pk, { refs: [...mayExistRefs.values()], token, exact: false }), ...waiting.supersetPuts]));
    const indexWrites = [...[...newRefs.keys()].filter((key) => !committedRefs.has(key)).map((key) => ({ pk: key, sk: pk })), ...waiting.entryPuts];
    await batchWriteDocuments(client, tableName, puts(indexWrites));

    // 2. The commit, only over the result this save read: a concurrent save makes one of them retry.
    await this.commit(record, token, packed.ref, committed);

    // 3. What the new scan no longer has: index entries first, then other tokens' chunks (the
    //    previous scan's and any a crashed save left), then the exact sets.
    const staleRefs = [...mayExistRefs.keys()].filter((key) => !newRefs.has(key));
    const deletes = (keys: readonly Record<string, unknown>[]): DocumentWrite[] => keys.map((Key) => ({ DeleteRequest: { Key } }));
    await batchWriteDocuments(client, tableName, deletes([...staleRefs.map((key) => ({ pk: key, sk: pk })), ...waiting.staleEntries]));
    const exactSet = packageSetItems(pk, { refs: [...newRefs.values()], token, exact: true });
    const staleSks = existing
      .map((item) => String(item.sk))
      .filter((sk) => (sk.startsWith(FINDINGS_PREFIX) && !sk.startsWith(findingsTokenPrefix(token))) || (sk.startsWith(PACKAGE_SET_PREFIX) && !exactSet.some((part) => part.sk === sk)));
    await batchWriteDocuments(client, tableName, deletes([...staleSks.map((sk) => ({ pk, sk })), ...waiting.setDeletes]));
    await batchWriteDocuments(client, tableName, puts([...exactSet, ...waiting.exactPuts]));
    return { added: added.sort(), removed: removed.sort() };
  }

  /**
   * Digests whose images contain a package, by OSV ecosystem (`Debian:12`, `npm`) and name as
   * advisories name it; ecosystems at release granularity and names as the ecosystem compares them.
   */
  async digestsWithPackage(ecosystem: string, name: string): Promise<Digest[]> {
    return this.indexed(packageIndexPk(ecosystem, name));
  }

  /**
   * Digests indexed as waiting for an ecosystem's advisories. An entry goes when a later save of the
   * digest no longer waits; one left by a save that crashed before its commit stays until the
   * digest's next save, so a re-evaluation reads the result's status before acting.
   */
  async digestsWaitingFor(ecosystem: string): Promise<readonly Digest[]> {
    return this.indexed(waitingIndexPk(ecosystem));
  }

  /** Index entries are keys only: `pk` the package or ecosystem, `sk` the digest's partition. */
  private async indexed(pk: string): Promise<Digest[]> {
    const items = await queryAll(this.options.client, { TableName: this.options.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } });
    return items.map((item) => digestSchema.parse(String(item.sk).slice('SCAN#'.length)));
  }

  private async commit(record: ScanRecord, token: string, findings: PackedFindingsRef, previousToken: string | undefined): Promise<void> {
    const { client, tableName } = this.options;
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: scanPk(record.digest), sk: RESULT_SK, type: 'result', ...resultAttributes(record, token, findings), ...scanVersionIndexAttributes(record) },
          ...(previousToken === undefined ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: 'scanToken = :previous', ExpressionAttributeValues: { ':previous': previousToken } }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new Error(`scan result of ${record.digest} changed during the save (another save committed first): retried`, { cause: error });
      throw error;
    }
  }

  private async committed(digest: Digest): Promise<CommittedResult | undefined> {
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: scanPk(digest), sk: RESULT_SK }, ConsistentRead: true }));
    return Item ? parseResult(Item) : undefined;
  }

  private partition(digest: Digest, prefix: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.options.client, {
      TableName: this.options.tableName,
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': scanPk(digest), ...(prefix ? { ':prefix': prefix } : {}) },
      ConsistentRead: true,
    });
  }
}
