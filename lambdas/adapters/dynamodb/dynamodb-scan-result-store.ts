import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import type { Digest } from '../../core/digest.ts';
import type { FindingChanges, PackageRef, RawFinding, ScanRecord, StoredFinding } from '../../core/pipeline/model.ts';
import type { ScanResultStore } from '../../core/ports.ts';
import { findingKey } from '../../core/pipeline/raw-findings.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import { batchWriteDocuments, type DocumentWrite } from './batch-write-documents.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { FINDING_PREFIX, findingSk, PACKAGE_PREFIX, packageSk, RESULT_SK, scanPk, VULN_PREFIX, vulnSk } from './findings-keys.ts';
import { queryAll } from './query-all.ts';
import { findingItemSchema, parseResult, resultAttributes, storedFinding, toStoredFinding, type FindingItem } from './scan-items.ts';

/**
 * Scan results, raw findings (one item per finding: each well under 4 KB) and the package and
 * vulnerability index items, all in the digest's partition `SCAN#<digest>`.
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
    const oldFindings = new Map<string, FindingItem>();
    const oldIndex = new Set<string>();
    for (const item of existing) {
      const sk = String(item.sk);
      if (sk.startsWith(FINDING_PREFIX)) {
        const parsed = findingItemSchema.safeParse(item);
        // An unreadable item is overwritten or deleted below, never trusted.
        if (parsed.success) oldFindings.set(sk, parsed.data);
        else oldIndex.add(sk);
      } else if (sk.startsWith(PACKAGE_PREFIX) || sk.startsWith(VULN_PREFIX)) oldIndex.add(sk);
    }
    const inCommitted = (item: FindingItem | undefined): boolean => committed !== undefined && item !== undefined && (item.lastScan === committed || item.committedScan === committed);

    const writes: DocumentWrite[] = [];
    const keep = new Set<string>();
    const added: string[] = [];
    for (const finding of findings) {
      const sk = findingSk(finding.id, finding.package.id);
      if (keep.has(sk)) continue;
      keep.add(sk);
      const old = oldFindings.get(sk);
      const wasCommitted = inCommitted(old);
      if (!wasCommitted) added.push(finding.key);
      writes.push({
        PutRequest: {
          Item: { pk, sk, finding: storedFinding(finding), firstSeen: old?.firstSeen.toISOString() ?? seen, lastSeen: seen, lastScan: token, ...(wasCommitted ? { committedScan: committed } : {}) },
        },
      });
    }
    for (const ref of packages) {
      const sk = packageSk(ref.ecosystem, ref.name);
      keep.add(sk);
      if (!oldIndex.has(sk)) writes.push({ PutRequest: { Item: { pk, sk, gsi1pk: sk, gsi1sk: pk } } });
    }
    for (const id of new Set(findings.flatMap((finding) => [finding.id, ...finding.aliases]))) {
      const sk = vulnSk(id);
      keep.add(sk);
      if (!oldIndex.has(sk)) writes.push({ PutRequest: { Item: { pk, sk, gsi2pk: sk, gsi2sk: pk } } });
    }
    await batchWriteDocuments(client, tableName, writes);

    await client.send(new PutCommand({ TableName: tableName, Item: { pk, sk: RESULT_SK, type: 'result', ...resultAttributes(record, token) } }));

    const removed = [...oldFindings.entries()].filter(([sk, item]) => !keep.has(sk) && inCommitted(item)).map(([, item]) => findingKey(item.finding));
    const stale = [...oldFindings.keys(), ...oldIndex].filter((sk) => !keep.has(sk));
    await batchWriteDocuments(client, tableName, stale.map((sk) => ({ DeleteRequest: { Key: { pk, sk } } })));
    return { added: added.sort(), removed: removed.sort() };
  }

  /** Digests whose images contain a package, by OSV ecosystem (`Debian:12`, `npm`) and name as advisories name it (gsi1). */
  async digestsWithPackage(ecosystem: string, name: string): Promise<Digest[]> {
    return this.indexed('gsi1', 'gsi1pk', packageSk(ecosystem, name));
  }

  /** Digests with a finding known by this ID or alias (gsi2). */
  async digestsAffectedBy(id: string): Promise<Digest[]> {
    return this.indexed('gsi2', 'gsi2pk', vulnSk(id));
  }

  private async indexed(index: string, attribute: string, value: string): Promise<Digest[]> {
    const items = await queryAll(this.options.client, {
      TableName: this.options.tableName,
      IndexName: index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': attribute },
      ExpressionAttributeValues: { ':pk': value },
      ProjectionExpression: 'pk',
    });
    return items.map((item) => digestSchema.parse(String(item.pk).slice('SCAN#'.length)));
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
