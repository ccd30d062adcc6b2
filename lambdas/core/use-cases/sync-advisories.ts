import { randomUUID } from 'node:crypto';
import { DEFAULT_OSV_LIMITS } from '../advisories/osv-limits.ts';
import type { OsvRecord } from '../advisories/osv-schema.ts';
import { parseOsvRecord } from '../advisories/parse-osv-record.ts';
import type { AdvisoryChanges, ChangedPackageKey, EcosystemCursor, EcosystemSyncReport, SyncProgress } from '../advisories/sync-model.ts';
import { ChangeAccumulator, idsToFetch, laterOf, listingSince, namesEcosystem, newestModified, resumeAt, syncModeOf, vanishedIds } from '../advisories/sync-plan.ts';
import { isCustomsError, messageOf } from '../errors.ts';
import type { AdvisoryChangeSets, AdvisoryWriter, AdvisoryWriteResult, Clock, OsvExport, PendingFanOuts, SyncCursorStore, SyncLease } from '../ports.ts';
import { mapLimit } from '../util/map-limit.ts';

/** A write's answer with the packages the versions it replaced named: a package a record drops changed too. */
export interface SyncWriteResult extends AdvisoryWriteResult {
  readonly previousKeys: readonly ChangedPackageKey[];
}

/** What a write is about to change, told before any of its items is written. */
export interface PlannedAdvisoryChanges {
  readonly written: readonly OsvRecord[];
  readonly previousKeys: readonly ChangedPackageKey[];
}

/** The writer the sync needs: AdvisoryWriter whose write also answers the replaced versions. */
export interface SyncAdvisoryWriter extends AdvisoryWriter {
  /**
   * `beforeWrite` is awaited with the records about to be written (and the packages their replaced
   * versions named) before any item is: once a record is stored it reads as unchanged, so a crash
   * after its write but before the sync stored its change would otherwise lose that change.
   */
  write(records: readonly { readonly record: OsvRecord; readonly source: string }[], beforeWrite?: (planned: PlannedAdvisoryChanges) => Promise<void>): Promise<SyncWriteResult>;
}

export interface SyncAdvisoriesOptions {
  /** OSV base ecosystems, as the bucket names its folders (`Debian`, `npm`). */
  readonly ecosystems: readonly string[];
  /** How far before the cursor an incremental listing is read again (default 2 days). */
  readonly overlapMs?: number;
  /** How often all.zip is loaded whole and its IDs compared with the table, retracting the rest (default 7 days). */
  readonly fullCompareEveryMs?: number;
  readonly leaseMs: number;
  /** Milliseconds left in this invocation; absent: no limit. */
  readonly deadline?: () => number;
  /** Records per durable group (default 200). */
  readonly groupSize?: number;
  /** ID.json fetches in flight (default 8). */
  readonly fetchConcurrency?: number;
  /** Named in each stored record's source and in the freshness items (the export's base URL). */
  readonly sourceName: string;
}

/** One sync's rescan fan-out, as a run hands it to `fanOut`. */
export interface SyncFanOut {
  readonly syncId: string;
  /** The sync's change set; absent when it changed nothing. */
  readonly changes?: AdvisoryChanges;
  /** True for the sync this run just completed; false for an earlier run's, found pending. */
  readonly own: boolean;
  /** Renews the sync lease (SyncLeaseLostError when it was lost): a long fan-out calls it before each send. */
  readonly keepLease: () => Promise<void>;
}

export interface SyncAdvisoriesDeps {
  readonly source: OsvExport;
  readonly writer: SyncAdvisoryWriter;
  readonly cursors: SyncCursorStore;
  readonly lease: SyncLease;
  readonly changeSets: AdvisoryChangeSets;
  readonly clock: Clock;
  readonly options: SyncAdvisoriesOptions;
  /**
   * With `fanOut`: each sync is marked pending before it writes anything and closed once its
   * fan-out returned, so a run killed between its last cursor put and the end of its fan-out leaves
   * the fan-out to the next run holding the lease (which finishes the pending ones first).
   */
  readonly pending?: PendingFanOuts;
  /** Queues a completed sync's rescans; throws when not every digest is known queued (the mark stays pending). */
  readonly fanOut?: (fanOut: SyncFanOut) => Promise<void>;
}

export interface SyncRun {
  readonly syncId: string;
  readonly reports: readonly EcosystemSyncReport[];
  /** False: out of time, continue at once through the continuation queue with the same syncId. */
  readonly complete: boolean;
  /** Everything this sync changed so far (continuations included), as stored in changeSets; absent when nothing did. */
  readonly changes?: AdvisoryChanges;
  /** False: another run holds the lease, and nothing was done. */
  readonly leaseHeld: boolean;
  /** Earlier syncs whose pending fan-out this run finished, oldest first. */
  readonly pendingFinished: readonly string[];
  /** Earlier syncs whose pending fan-out failed again: still pending, while this run went on with its own sync. */
  readonly pendingFailed: readonly { readonly syncId: string; readonly reason: string }[];
}

const DAY_MS = 86_400_000;
/** Time kept back after a group, beyond twice the slowest group so far, before another is started. */
const DEADLINE_RESERVE_MS = 1_000;

/**
 * One advisory sync run. Holds the lease throughout (renewed between groups); per ecosystem, a full
 * load of all.zip when never loaded whole or when a full compare is due, else the records
 * modified_id.csv lists as modified since the cursor less the overlap. Records are written in
 * groups; after each durable group the changes so far are stored, then the cursor's progress
 * advanced, so a run cut short (out of time, a crash) resumes after the last durable group. The
 * cursor itself advances only once its ecosystem's records are all stored.
 *
 * With `pending` and `fanOut`, a sync's rescans survive a crash: its pending mark is opened before
 * it writes anything and closed only after its fan-out returned once it completed. Under the lease,
 * before its own sync, a run fans out and closes the earlier syncs still pending, except one still
 * in progress (named in a cursor's progress): that one's changes are not all stored yet, and its
 * own completion fans it out. Only the lease holder fans out, so no two runs do it at once.
 */
export async function syncAdvisories(request: { readonly syncId?: string; readonly holder: string }, deps: SyncAdvisoriesDeps): Promise<SyncRun> {
  if ((deps.pending === undefined) !== (deps.fanOut === undefined)) throw new TypeError('syncAdvisories: pending and fanOut go together');
  if (!(await deps.lease.acquire(request.holder, deps.clock.now(), deps.options.leaseMs))) return { syncId: request.syncId ?? newSyncId(deps.clock.now()), reports: [], complete: false, leaseHeld: false, pendingFinished: [], pendingFailed: [] };
  try {
    // A run cut short by a crash left its syncId in a cursor's progress: going on under it hands on
    // the changes its durable groups stored with the rest, not under a sync nobody fans out.
    // A continuation whose sync another run already fanned out (it stopped between ecosystems, so
    // no cursor named it, and that run took it for a dead one) goes on as a new sync: the rescans of
    // the old one may have read its change set already, and would miss anything added to it now.
    const continuable = request.syncId !== undefined && (deps.pending === undefined || (await deps.pending.list()).includes(request.syncId)) ? request.syncId : undefined;
    const continued = continuable ?? (await interruptedSyncId(deps));
    const syncId = continued ?? newSyncId(deps.clock.now());
    // Opened again by every continuation of a sync (idempotent; open keeps the first openedAt).
    await deps.pending?.open(syncId, deps.clock.now());
    const keepLease = (): Promise<void> => renewLease(request.holder, syncId, deps);
    const earlier = await finishPending(syncId, keepLease, deps);
    const run = new Run(syncId, request.holder, deps, continued !== undefined ? await earlierChanges(deps.changeSets, syncId) : undefined);
    const reports: EcosystemSyncReport[] = [];
    let complete = true;
    for (const ecosystem of deps.options.ecosystems) {
      if (run.outOfTime()) {
        complete = false;
        break;
      }
      const report = await run.ecosystem(ecosystem);
      reports.push(report);
      if (!report.complete) {
        complete = false;
        break;
      }
    }
    const changes = run.changes.empty ? undefined : run.changes.changes();
    if (complete && deps.fanOut && deps.pending) {
      // Throwing leaves the mark open: the retry, or the next run, fans the sync out again.
      await deps.fanOut({ syncId, own: true, keepLease, ...(changes ? { changes } : {}) });
      await deps.pending.close(syncId);
    }
    return { syncId, reports, complete, leaseHeld: true, ...(changes ? { changes } : {}), ...earlier };
  } finally {
    await deps.lease.release(request.holder);
  }
}

/** The lease was lost mid-run (it expired and another run took it): stop writing at once. */
export class SyncLeaseLostError extends Error {
  override readonly name = 'SyncLeaseLostError';
}

interface Counts {
  written: number;
  unchanged: number;
  withdrawn: number;
  retracted: number;
  readonly malformed: { id: string; reason: string }[];
}

class Run {
  readonly changes: ChangeAccumulator;
  private slowestGroupMs = 0;
  private storedChanges: number;

  constructor(
    readonly syncId: string,
    private readonly holder: string,
    private readonly deps: SyncAdvisoriesDeps,
    earlier: AdvisoryChanges | undefined,
  ) {
    this.changes = new ChangeAccumulator(syncId, earlier);
    this.storedChanges = this.changes.size;
  }

  private get options(): SyncAdvisoriesOptions {
    return this.deps.options;
  }

  private get groupSize(): number {
    return Math.max(1, this.options.groupSize ?? 200);
  }

  outOfTime(): boolean {
    const left = this.options.deadline?.();
    return left !== undefined && left < 2 * this.slowestGroupMs + DEADLINE_RESERVE_MS;
  }

  async ecosystem(ecosystem: string): Promise<EcosystemSyncReport> {
    const cursor = await this.deps.cursors.get(ecosystem);
    const mode = syncModeOf(cursor, this.deps.clock.now(), this.options.fullCompareEveryMs ?? 7 * DAY_MS);
    const counts: Counts = { written: 0, unchanged: 0, withdrawn: 0, retracted: 0, malformed: [] };
    const complete = mode === 'full' ? await this.full(ecosystem, cursor, counts) : await this.incremental(ecosystem, cursor!, counts);
    return { ecosystem, mode, ...counts, complete };
  }

  /** all.zip in archive order; `entriesDone` counts every entry (malformed and other ecosystems' too). */
  private async full(ecosystem: string, start: EcosystemCursor | undefined, counts: Counts): Promise<boolean> {
    let cursor = start;
    let progress = cursor?.progress?.phase === 'full' ? cursor.progress : undefined;
    if (!progress) {
      // Read before the download: whatever is modified while it runs is newer than this, so the
      // incremental syncs after the load fetch it.
      const listing = await this.deps.source.modified(ecosystem);
      const listedThrough = newestModified(listing.entries);
      progress = { phase: 'full', syncId: this.syncId, entriesDone: 0, startedAt: this.deps.clock.now(), ...(listedThrough ? { listedThrough } : {}) };
      cursor = await this.putCursor(ecosystem, cursor, { progress });
    }
    const skip = progress.entriesDone;
    const seen = new Set<string>();
    let position = skip;
    let group: { record: OsvRecord; source: string }[] = [];
    let read = 0;
    let groupStarted = Date.now();
    const flush = async (): Promise<void> => {
      await this.write(group, [], counts);
      group = [];
      read = 0;
      progress = { ...progress!, entriesDone: position };
      cursor = await this.putCursor(ecosystem, cursor, { progress });
      await this.renew();
      this.slowestGroupMs = Math.max(this.slowestGroupMs, Date.now() - groupStarted);
      groupStarted = Date.now();
    };
    for await (const entry of this.deps.source.entries(ecosystem, { skip })) {
      position++;
      read++;
      const parsed = parseOsvRecord(entry.bytes, DEFAULT_OSV_LIMITS.maxRecordBytes);
      if (!parsed.ok) counts.malformed.push({ id: entry.name.replace(/\.json$/, ''), reason: parsed.reason });
      else if (namesEcosystem(parsed.record, ecosystem)) {
        seen.add(parsed.record.id);
        group.push({ record: parsed.record, source: `${this.options.sourceName}/${ecosystem}/${entry.name}` });
      }
      if (read >= this.groupSize) {
        await flush();
        // Leaving the loop closes the download; the entries before `position` are durable.
        if (this.outOfTime()) return false;
      }
    }
    if (read > 0) await flush();
    // Vanished records: stored but not in the archive. A resumed load read only part of it here,
    // so the CSV (read now) stands for the rest; a CSV that lost lines cannot, and the compare waits.
    let compared = true;
    let present: ReadonlySet<string>[] = [seen];
    if (skip > 0) {
      const listing = await this.deps.source.modified(ecosystem);
      compared = listing.rejected.length === 0;
      present = [seen, new Set(listing.entries.map((entry) => entry.id))];
    }
    if (compared) await this.retract(vanishedIds(await this.deps.writer.ids(ecosystem), ...present), counts);
    const now = this.deps.clock.now();
    await this.deps.writer.markFresh(ecosystem, now, this.options.sourceName);
    const modifiedThrough = laterOf(cursor?.modifiedThrough, progress.listedThrough);
    const fullLoadAt = compared ? now : cursor?.fullLoadAt;
    await this.putCursor(ecosystem, cursor, { ...(modifiedThrough ? { modifiedThrough } : {}), ...(fullLoadAt ? { fullLoadAt } : {}), syncedAt: now });
    return true;
  }

  /** The records modified_id.csv lists after the cursor less the overlap, each fetched as ID.json. */
  private async incremental(ecosystem: string, start: EcosystemCursor, counts: Counts): Promise<boolean> {
    let cursor = start;
    const resumed = cursor.progress?.phase === 'incremental' ? cursor.progress : undefined;
    const since = resumed?.since ?? listingSince(cursor.modifiedThrough!, this.options.overlapMs ?? 2 * DAY_MS);
    const listing = await this.deps.source.modified(ecosystem);
    const ids = idsToFetch(listing.entries, since);
    let progress: SyncProgress = resumed ?? { phase: 'incremental', syncId: this.syncId, since, idsDone: 0, startedAt: this.deps.clock.now() };
    for (let done = resumeAt(ids.length, resumed?.idsDone); done < ids.length; ) {
      const groupStarted = Date.now();
      const batch = ids.slice(done, done + this.groupSize);
      const fetched = await mapLimit(batch, this.options.fetchConcurrency ?? 8, async (id) => ({ id, bytes: await this.deps.source.record(ecosystem, id) }));
      const group: { record: OsvRecord; source: string }[] = [];
      const missing: string[] = [];
      for (const { id, bytes } of fetched) {
        if (bytes === undefined) {
          missing.push(id); // removed from the export since it was listed
          continue;
        }
        const parsed = parseOsvRecord(bytes, DEFAULT_OSV_LIMITS.maxRecordBytes);
        if (!parsed.ok) counts.malformed.push({ id, reason: parsed.reason });
        else if (parsed.record.id !== id) counts.malformed.push({ id, reason: `${id}.json holds record ${JSON.stringify(parsed.record.id)}` });
        else if (namesEcosystem(parsed.record, ecosystem)) group.push({ record: parsed.record, source: `${this.options.sourceName}/${ecosystem}/${id}.json` });
      }
      await this.write(group, missing, counts);
      done += batch.length;
      progress = { ...progress, idsDone: done };
      cursor = (await this.putCursor(ecosystem, cursor, { progress }))!;
      await this.renew();
      this.slowestGroupMs = Math.max(this.slowestGroupMs, Date.now() - groupStarted);
      if (done < ids.length && this.outOfTime()) return false;
    }
    const now = this.deps.clock.now();
    await this.deps.writer.markFresh(ecosystem, now, this.options.sourceName);
    const modifiedThrough = laterOf(cursor.modifiedThrough, newestModified(listing.entries));
    await this.putCursor(ecosystem, cursor, { ...(modifiedThrough ? { modifiedThrough } : {}), ...(cursor.fullLoadAt ? { fullLoadAt: cursor.fullLoadAt } : {}), syncedAt: now });
    return true;
  }

  /** One durable group: its changes stored, its records written, dropped ones retracted. */
  private async write(group: readonly { record: OsvRecord; source: string }[], missing: readonly string[], counts: Counts): Promise<void> {
    if (group.length > 0) {
      // The changes are stored before the items (see SyncAdvisoryWriter): a crash between leaves
      // them announced, and the rerun rewrites the records; announcing twice is harmless.
      const result = await this.deps.writer.write(group, async (planned) => {
        this.changes.written(planned.written, planned.previousKeys);
        await this.storeChanges();
      });
      counts.written += result.written.length;
      counts.unchanged += result.unchanged;
      counts.withdrawn += result.written.filter((record) => record.withdrawn !== undefined).length;
      for (const refused of result.refused) counts.malformed.push({ id: refused.source, reason: refused.reason });
      this.changes.written(result.written, result.previousKeys);
    }
    if (missing.length > 0) await this.retract(missing, counts);
    await this.storeChanges();
  }

  private async retract(ids: readonly string[], counts: Counts): Promise<void> {
    if (ids.length === 0) return;
    const retracted = await this.deps.writer.retract(ids);
    counts.retracted += retracted.length;
    this.changes.retract(retracted);
    await this.storeChanges();
  }

  /** Stored before the cursor moves past them, so a crash after never loses what changed. */
  private async storeChanges(): Promise<void> {
    if (this.changes.empty || this.changes.size === this.storedChanges) return;
    await this.deps.changeSets.put(this.changes.changes());
    this.storedChanges = this.changes.size;
  }

  private renew(): Promise<void> {
    return renewLease(this.holder, this.syncId, this.deps);
  }

  /** Writes the cursor with the fields given (progress cleared unless given); answers it as stored. */
  private async putCursor(ecosystem: string, current: EcosystemCursor | undefined, fields: Omit<EcosystemCursor, 'ecosystem' | 'revision'>): Promise<EcosystemCursor> {
    const base = current ? { ...(current.modifiedThrough ? { modifiedThrough: current.modifiedThrough } : {}), ...(current.fullLoadAt ? { fullLoadAt: current.fullLoadAt } : {}), ...(current.syncedAt ? { syncedAt: current.syncedAt } : {}) } : {};
    const next: Omit<EcosystemCursor, 'revision'> = { ...base, ...fields, ecosystem };
    if (!(await this.deps.cursors.put(next, current?.revision))) throw new SyncLeaseLostError(`sync ${this.syncId}: the ${ecosystem} cursor was moved by another writer`);
    return { ...next, revision: (current?.revision ?? 0) + 1 };
  }
}

async function renewLease(holder: string, syncId: string, deps: SyncAdvisoriesDeps): Promise<void> {
  if (!(await deps.lease.renew(holder, deps.clock.now(), deps.options.leaseMs))) {
    throw new SyncLeaseLostError(`sync ${syncId}: the lease expired and was taken by another run`);
  }
}

/**
 * The earlier syncs' pending fan-outs, oldest first, each fanned out from its stored change set
 * (none stored: it changed nothing) and closed. One that fails stays pending and the run goes on:
 * a change set that cannot be fanned out must not stop the advisories from syncing. A lost lease
 * stops the run, as it does between groups.
 */
async function finishPending(current: string, keepLease: () => Promise<void>, deps: SyncAdvisoriesDeps): Promise<Pick<SyncRun, 'pendingFinished' | 'pendingFailed'>> {
  const pendingFinished: string[] = [];
  const pendingFailed: { syncId: string; reason: string }[] = [];
  const { pending, fanOut } = deps;
  if (!pending || !fanOut) return { pendingFinished, pendingFailed };
  const open = (await pending.list()).filter((syncId) => syncId !== current);
  if (open.length === 0) return { pendingFinished, pendingFailed };
  // Any cursor's, not only this run's ecosystems': a sync in progress is fanned out when it completes.
  const inProgress = new Set((await deps.cursors.list()).flatMap((cursor) => (cursor.progress ? [cursor.progress.syncId] : [])));
  for (const syncId of open) {
    if (inProgress.has(syncId)) continue;
    await keepLease();
    try {
      const changes = await earlierChanges(deps.changeSets, syncId);
      await fanOut({ syncId, own: false, keepLease, ...(changes ? { changes } : {}) });
      await pending.close(syncId);
      pendingFinished.push(syncId);
    } catch (error) {
      if (error instanceof SyncLeaseLostError) throw error;
      pendingFailed.push({ syncId, reason: messageOf(error) });
    }
  }
  return { pendingFinished, pendingFailed };
}

/** The sync a cursor's progress names (an interrupted run's), if any of this run's ecosystems has one. */
async function interruptedSyncId(deps: SyncAdvisoriesDeps): Promise<string | undefined> {
  for (const ecosystem of deps.options.ecosystems) {
    const progress = (await deps.cursors.get(ecosystem))?.progress;
    if (progress) return progress.syncId;
  }
  return undefined;
}

/** A continuation's changes from the invocations before it (none stored yet: nothing had changed). */
async function earlierChanges(changeSets: AdvisoryChangeSets, syncId: string): Promise<AdvisoryChanges | undefined> {
  try {
    return await changeSets.get(syncId);
  } catch (error) {
    if (isCustomsError(error) && error.code === 'not-found') return undefined;
    throw error;
  }
}

/** Sortable by start, unique, and safe in an S3 key. */
function newSyncId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}-${randomUUID().slice(0, 8)}`;
}
