import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import type { Digest } from '../../core/digest.ts';
import type { FindingChanges, PackageRef, RawFinding, ScanRecord, StoredFinding } from '../../core/pipeline/model.ts';
import type { ScanResultStore } from '../../core/ports.ts';
import { findingKey } from '../../core/pipeline/raw-findings.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import { batchWriteDocuments, type DocumentWrite } from './batch-write-documents.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { FINDING_PREFIX, findingSk, packageIndexPk, RESULT_SK, scanPk, vulnIndexPk, waitingIndexPk } from './findings-keys.ts';
import { PACKAGE_SET_PREFIX, packageSetItems, readPackageSet } from './package-set-items.ts';
import { queryAll } from './query-all.ts';
import { findingItemSchema, parseResult, resultAttributes, storedFinding, toStoredFinding, type FindingItem } from './scan-items.ts';
import { waitingWrites } from './waiting-set-items.ts';

/**
 * Scan results and raw findings (one item per finding, within one write unit for a typical one) in
 * the digest's partition `SCAN#<digest>`; the package and vulnerability indexes as keys-only items
 * in the package's or vulnerability's partition (`PKG#<ecosystem>#<name>`, `VULN#<id>`, sort key the
 * digest's partition), so they cost one write each and no index replication. A scan waiting for an
 * ecosystem's advisories (ADVISORIES_UNAVAILABLE) is indexed the same way under `WAITING#<ecosystem>`.
 *
 * `save` is crash-safe without a transaction (a scan can have thousands of items): it writes the
 * findings and new index items, then the result item (the commit), then deletes what the new scan
 * no longer has. Each save has a token; a finding item remembers the last save that wrote it and
 * the last committed save that included it, so a rerun after a crash at any step still tells
 * added from removed relative to the last committed scan, and readers see only committed findings.
 */
export class DynamoDbScanResultStore implements ScanResultStore {
  constructor(private readonly options: DynamoDbTableOptions) {}

  async get(digest: Digest): Promise<ScanRecord | undefined> {
    const result = await this.committed(digest);
    if (!result) return undefined;
    const { scanToken: _token, ...record } = result;
    return record;
  }

  async findings(digest: Digest): Promise<readonly StoredFinding[]> {
    const result = await this.committed(digest);
    if (!result) return [];
    const items = await this.partition(digest, FINDING_PREFIX);
    return items
      .map((item) => findingItemSchema.parse(item))
      .filter((item) => item.lastScan === result.scanToken || item.committedScan === result.scanToken)
      .map(toStoredFinding);
  }

  async save(record: ScanRecord, findings: readonly RawFinding[], packages: readonly PackageRef[]): Promise<FindingChanges> {
    const { client, tableName } = this.options;
    const pk = scanPk(record.digest);
    // Short: it is stored twice on every finding item, which should stay within one write unit (1 KB).
    const token = randomBytes(9).toString('base64url');
    const seen = record.finishedAt.toISOString();
    const [previous, existing] = await Promise.all([this.committed(record.digest), this.partition(record.digest, '')]);
    const committed = previous?.scanToken;
    const old = new Map<string, FindingItem>();
    const unreadable: string[] = [];
    for (const item of existing) {
      const sk = String(item.sk);
      if (!sk.startsWith(FINDING_PREFIX)) continue;
      const parsed = findingItemSchema.safeParse(item);
      // An unreadable item is overwritten or deleted below, never trusted.
      if (parsed.success) old.set(sk, parsed.data);
      else unreadable.push(sk);
    }
    const inCommitted = (item: FindingItem | undefined): boolean => committed !== undefined && item !== undefined && (item.lastScan === committed || item.committedScan === committed);
    const idsOf = (items: Iterable<Pick<RawFinding, 'id' | 'aliases'>>): Set<string> => new Set([...items].flatMap((finding) => [finding.id, ...finding.aliases]));

    // 1. Findings, then the index entries they imply (so every entry ever written has a finding item,
    //    package set or waiting set naming it, and can be found again to delete).
    const keep = new Set<string>();
    const added: string[] = [];
    const findingWrites: DocumentWrite[] = [];
    for (const finding of findings) {
      const sk = findingSk(finding.id, finding.package.id);
      if (keep.has(sk)) continue;
      keep.add(sk);
      const before = old.get(sk);
      const wasCommitted = inCommitted(before);
      if (!wasCommitted) added.push(finding.key);
      const item = { pk, sk, finding: storedFinding(finding), firstSeen: before?.firstSeen.toISOString() ?? seen, lastSeen: seen, lastScan: token, ...(wasCommitted ? { committedScan: committed } : {}) };
      findingWrites.push({ PutRequest: { Item: item } });
    }
    const oldSet = readPackageSet(existing.filter((item) => String(item.sk).startsWith(PACKAGE_SET_PREFIX)));
    const refKey = (ref: PackageRef): string => packageIndexPk(ref.ecosystem, ref.name);
    const newRefs = new Map(packages.map((ref) => [refKey(ref), ref]));
    const mayExistRefs = new Map([...(oldSet?.refs ?? []).map((ref): [string, PackageRef] => [refKey(ref), ref]), ...newRefs]);
    const committedRefs = oldSet?.exact && oldSet.token === committed ? new Set(oldSet.refs.map(refKey)) : new Set<string>();
    const waiting = waitingWrites(pk, existing, previous?.unavailableEcosystems ?? [], record.unavailableEcosystems ?? []);
    const puts = (items: readonly Record<string, unknown>[]): DocumentWrite[] => items.map((Item) => ({ PutRequest: { Item } }));
    await batchWriteDocuments(client, tableName, [...findingWrites, ...puts(packageSetItems(pk, { refs: [...mayExistRefs.values()], token, exact: false })), ...puts(waiting.supersetPuts)]);

    const newIds = idsOf(findings);
    const committedIds = idsOf([...old.values()].filter(inCommitted).map((item) => item.finding));
    const indexWrites: DocumentWrite[] = [
      ...[...newRefs.keys()].filter((key) => !committedRefs.has(key)).map((key) => ({ PutRequest: { Item: { pk: key, sk: pk } } })),
      ...[...newIds].filter((id) => !committedIds.has(id)).map((id) => ({ PutRequest: { Item: { pk: vulnIndexPk(id), sk: pk } } })),
      ...puts(waiting.entryPuts),
    ];
    await batchWriteDocuments(client, tableName, indexWrites);

    // 2. The commit.
    await client.send(new PutCommand({ TableName: tableName, Item: { pk, sk: RESULT_SK, type: 'result', ...resultAttributes(record, token) } }));

    // 3. What the new scan no longer has: index entries first, then findings, then the exact sets.
    const removed = [...old.entries()].filter(([sk, item]) => !keep.has(sk) && inCommitted(item)).map(([, item]) => findingKey(item.finding));
    const staleIds = [...idsOf([...old.values()].map((item) => item.finding))].filter((id) => !newIds.has(id));
    const staleRefs = [...mayExistRefs.keys()].filter((key) => !newRefs.has(key));
    await batchWriteDocuments(
      client,
      tableName,
      [...staleRefs.map((key) => ({ pk: key, sk: pk })), ...staleIds.map((id) => ({ pk: vulnIndexPk(id), sk: pk })), ...waiting.staleEntries].map((Key) => ({ DeleteRequest: { Key } })),
    );
    const staleFindings = [...old.keys(), ...unreadable].filter((sk) => !keep.has(sk));
    const exactSet = packageSetItems(pk, { refs: [...newRefs.values()], token, exact: true });
    const extraParts = existing.map((item) => String(item.sk)).filter((sk) => sk.startsWith(PACKAGE_SET_PREFIX) && !exactSet.some((part) => part.sk === sk));
    await batchWriteDocuments(client, tableName, [...[...staleFindings, ...extraParts].map((sk) => ({ pk, sk })), ...waiting.setDeletes].map((Key) => ({ DeleteRequest: { Key } })));
    await batchWriteDocuments(client, tableName, puts([...exactSet, ...waiting.exactPuts]));
    return { added: added.sort(), removed: removed.sort() };
  }

  /** Digests whose images contain a package, by OSV ecosystem (`Debian:12`, `npm`) and name as advisories name it. */
  async digestsWithPackage(ecosystem: string, name: string): Promise<Digest[]> {
    return this.indexed(packageIndexPk(ecosystem, name));
  }

  /** Digests with a finding known by this ID or alias. */
  async digestsAffectedBy(id: string): Promise<Digest[]> {
    return this.indexed(vulnIndexPk(id));
  }

  /**
   * Digests indexed as waiting for an ecosystem's advisories. An entry goes when a later save of the
   * digest no longer waits; one left by a save that crashed before its commit stays until the
   * digest's next save, so a re-evaluation reads the result's status before acting.
   */
  async digestsWaitingFor(ecosystem: string): Promise<readonly Digest[]> {
    return this.indexed(waitingIndexPk(ecosystem));
  }

  /** Index entries are keys only: `pk` the package or vulnerability, `sk` the digest's partition. */
  private async indexed(pk: string): Promise<Digest[]> {
    const items = await queryAll(this.options.client, { TableName: this.options.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } });
    return items.map((item) => digestSchema.parse(String(item.sk).slice('SCAN#'.length)));
  }

  private async committed(digest: Digest): Promise<(ScanRecord & { scanToken: string }) | undefined> {
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
