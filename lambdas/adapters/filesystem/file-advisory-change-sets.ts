import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { z } from 'zod';
import { osvRecordSchema } from '../../core/advisories/osv-schema.ts';
import type { AdvisoryChanges } from '../../core/advisories/sync-model.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';
import type { AdvisoryChangeSets } from '../../core/ports.ts';
import { ChangeSetParts, mergeParts } from '../s3/change-set-parts.ts';
import { isMissing, readFileCapped, TEMP_PREFIX, writeFileAtomic } from './atomic-file.ts';
import { pathUnderRoot } from './path-under-root.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const partSchema = z.strictObject({
  syncId: z.string().min(1),
  keys: z.array(z.strictObject({ ecosystem: z.string().min(1), name: z.string().min(1) })),
  records: z.array(osvRecordSchema),
  retracted: z.array(z.string().min(1)),
});

/** What newSyncId makes, and nothing that could climb out of the directory (the S3 store's rule). */
const SYNC_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const PART_DIGITS = 6;
const PART_NAME = /^(\d{6})\.json\.gz$/;
const DIRECTORY = 'advisory-changes';

export interface FileAdvisoryChangeSetsOptions {
  /** Directory the store owns; change sets live under `advisory-changes/<syncId>/` in it. */
  readonly root: string;
  /** Largest inflated change set read back, all parts together (default 512 MiB, as on S3). */
  readonly maxBytes?: number;
}

/**
 * A sync's changes as numbered gzip JSON part files, with the S3 store's semantics: each put writes
 * only what changed since the set this instance last stored or read, get replays the parts in order,
 * a gap in the numbering is refused, each part is inflated under the cap left, checked against the
 * schema and must name the sync its directory names. A set never stored is `not-found`. Parts are
 * written atomically; a crashed write's temporary file is passed over.
 */
export class FileAdvisoryChangeSets implements AdvisoryChangeSets {
  private readonly maxBytes: number;
  private readonly stored = new Map<string, ChangeSetParts>();

  constructor(private readonly options: FileAdvisoryChangeSetsOptions) {
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  async put(changes: AdvisoryChanges): Promise<void> {
    const parts = this.stored.get(changes.syncId) ?? (await this.partsOf(changes.syncId));
    const delta = parts.delta(changes);
    if (!delta) return;
    const body = await gzipAsync(Buffer.from(JSON.stringify(delta), 'utf8'), { level: 6 });
    await writeFileAtomic(this.partPath(changes.syncId, parts.count), body);
    parts.stored(delta);
    this.stored.set(changes.syncId, parts);
  }

  async get(syncId: string): Promise<AdvisoryChanges> {
    const parts = await this.read(syncId);
    if (parts.length === 0) throw new CustomsError('not-found', `change set ${this.describe(syncId)} does not exist`);
    const merged = mergeParts(syncId, parts);
    this.stored.set(syncId, ChangeSetParts.of(merged, parts.length));
    return merged;
  }

  private async partsOf(syncId: string): Promise<ChangeSetParts> {
    const parts = await this.read(syncId);
    return parts.length === 0 ? ChangeSetParts.empty(syncId) : ChangeSetParts.of(mergeParts(syncId, parts), parts.length);
  }

  /** Parts in order, one at a time so the cap is checked before the next is inflated. */
  private async read(syncId: string): Promise<AdvisoryChanges[]> {
    const names = await this.partNames(syncId);
    const parts: AdvisoryChanges[] = [];
    let left = this.maxBytes;
    for (const [index, name] of names.entries()) {
      const part = await this.readPart(syncId, index, name, left);
      left -= part.bytes;
      parts.push(part.changes);
    }
    return parts;
  }

  private async partNames(syncId: string): Promise<string[]> {
    const dir = this.dirPath(syncId);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => !name.startsWith(TEMP_PREFIX)).sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    names.forEach((name, index) => {
      const match = PART_NAME.exec(name);
      if (!match || Number(match[1]) !== index) throw new CustomsError('malformed', `change set ${this.describe(syncId)} has ${JSON.stringify(name)} where part ${index} belongs`);
    });
    return names;
  }

  private async readPart(syncId: string, index: number, name: string, maxBytes: number): Promise<{ changes: AdvisoryChanges; bytes: number }> {
    const what = `change set part ${DIRECTORY}/${syncId}/${name}`;
    const compressed = await readFileCapped(this.partPath(syncId, index), this.maxBytes, what);
    if (!compressed) throw new CustomsError('not-found', `${what} disappeared while being read`);
    let inflated: Buffer;
    let parsed: unknown;
    try {
      inflated = await gunzipAsync(compressed, { maxOutputLength: Math.max(maxBytes, 1) });
      parsed = JSON.parse(inflated.toString('utf8'));
    } catch (error) {
      throw new CustomsError('malformed', `${what} is not gzipped JSON within the change set's ${this.maxBytes}-byte cap: ${messageOf(error)}`, { cause: error });
    }
    const result = partSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new CustomsError('malformed', `${what} is not a change set part: ${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`);
    }
    if (result.data.syncId !== syncId) throw new CustomsError('malformed', `${what} holds the changes of sync ${JSON.stringify(result.data.syncId)}`);
    return { changes: result.data, bytes: inflated.byteLength };
  }

  private describe(syncId: string): string {
    this.checkSyncId(syncId);
    return `${DIRECTORY}/${syncId}/`;
  }

  private checkSyncId(syncId: string): void {
    if (!SYNC_ID.test(syncId)) throw new CustomsError('usage', `sync id ${JSON.stringify(syncId)} is not one a change set directory can carry`);
  }

  private dirPath(syncId: string): string {
    this.checkSyncId(syncId);
    return pathUnderRoot(this.options.root, [DIRECTORY, syncId], `change set ${syncId}`);
  }

  private partPath(syncId: string, index: number): string {
    this.checkSyncId(syncId);
    return pathUnderRoot(this.options.root, [DIRECTORY, syncId, `${String(index).padStart(PART_DIGITS, '0')}.json.gz`], `change set ${syncId}`);
  }
}
