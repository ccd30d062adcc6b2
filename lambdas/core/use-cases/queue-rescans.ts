import type { AdvisoryChanges, ChangedPackageKey } from '../advisories/sync-model.ts';
import { ecosystemKey, normalizePackageName, parseEcosystem } from '../advisories/ecosystem.ts';
import type { Digest } from '../digest.ts';
import type { RescanMarks, RescanMessage, RescanQueue, ScanResultStore } from '../ports.ts';
import { mapLimit } from '../util/map-limit.ts';

export interface QueueRescansOptions {
  /** Digests per queue message (one re-evaluation invocation's worth), e.g. 50. */
  readonly digestsPerMessage: number;
  /** Package index queries in flight at once. Default 16. */
  readonly concurrency?: number;
}

/**
 * Marks that also record when their digests were enqueued. A mark claimed but never confirmed (the
 * fan-out died between the two) can be claimed again once its lease is over, so a crash there
 * delays those rescans instead of losing them.
 */
export interface ConfirmableRescanMarks extends RescanMarks {
  confirm(syncId: string, digests: readonly Digest[]): Promise<void>;
}

export interface QueueRescansDeps {
  /** `digestsWaitingFor` is needed only when the call names ecosystems whose waiting images to rescan. */
  readonly results: Pick<ScanResultStore, 'digestsWithPackage'> & Partial<Pick<ScanResultStore, 'digestsWaitingFor'>>;
  readonly marks: RescanMarks | ConfirmableRescanMarks;
  readonly queue: RescanQueue;
  readonly options: QueueRescansOptions;
}

/** What else one fan-out covers besides the changed keys. */
export interface QueueRescansCall {
  /**
   * Ecosystems just loaded, as a waiting scan names them (`Debian:12`, `npm`): the images whose scan
   * was ADVISORIES_UNAVAILABLE for want of one are rescanned too, whether or not any of their
   * packages changed (a package without advisories has no changed key, yet the image now has an answer).
   */
  readonly waitingFor?: readonly string[];
}

export interface QueueRescansResult {
  /** Distinct digests the package index holds for the changed keys, and those waiting for the ecosystems loaded. */
  readonly digests: number;
  /** Of them, the digests found waiting for an ecosystem loaded (some may hold a changed package too). */
  readonly waiting: number;
  /** Digests this call marked first and enqueued. */
  readonly queued: number;
  /** Digests an earlier or overlapping fan-out of the same sync marked (and enqueues). */
  readonly alreadyQueued: number;
  readonly messages: number;
}

/** Digests marked and enqueued per round: a crash loses at most one round's confirmations. */
const ROUND_SIZE = 500;

/**
 * The rescan fan-out of one sync: its changed (ecosystem, package) keys → the package index → the
 * distinct digests containing any of them → a conditional mark per (syncId, digest) → queue
 * messages of many digests each. The mark is written before enqueueing, so overlapping or retried
 * fan-outs of the same sync enqueue each digest once (an in-memory set would only cover one
 * invocation); marks that can be confirmed are confirmed after the send (see ConfirmableRescanMarks).
 *
 * A key naming an ecosystem without a release (`Debian` + `glibc`) reaches only digests indexed
 * under that exact key: the package index has no release wildcard. The images waiting for an
 * ecosystem the sync just loaded (`call.waitingFor`) join the same digests, marks and messages.
 */
export async function queueRescans(changes: AdvisoryChanges, deps: QueueRescansDeps, call: QueueRescansCall = {}): Promise<QueueRescansResult> {
  const size = deps.options.digestsPerMessage;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`digestsPerMessage must be a positive integer, got ${size}`);
  const keys = distinctKeys(changes.keys);
  const concurrency = deps.options.concurrency ?? 16;
  const perKey = await mapLimit(keys, concurrency, (key) => deps.results.digestsWithPackage(key.ecosystem, key.name));
  const waiting = new Set((await waitingDigests(call.waitingFor ?? [], deps.results, concurrency)).flat());
  // The same marks as the changed keys' digests: a digest both holding a changed package and waiting is queued once.
  const digests = [...new Set([...perKey.flat(), ...waiting])].sort();
  let queued = 0;
  let messages = 0;
  for (let start = 0; start < digests.length; start += ROUND_SIZE) {
    const round = digests.slice(start, start + ROUND_SIZE);
    const claimed = [...(await deps.marks.claim(changes.syncId, round))].sort();
    if (claimed.length === 0) continue;
    const batch: RescanMessage[] = [];
    for (let at = 0; at < claimed.length; at += size) batch.push({ syncId: changes.syncId, digests: claimed.slice(at, at + size) });
    await deps.queue.send(batch);
    if ('confirm' in deps.marks) await deps.marks.confirm(changes.syncId, claimed);
    queued += claimed.length;
    messages += batch.length;
  }
  return { digests: digests.length, waiting: waiting.size, queued, alreadyQueued: digests.length - queued, messages };
}

function waitingDigests(ecosystems: readonly string[], results: QueueRescansDeps['results'], concurrency: number): Promise<(readonly Digest[])[]> {
  const distinct = [...new Set(ecosystems)];
  if (distinct.length === 0) return Promise.resolve([]);
  const { digestsWaitingFor } = results;
  if (!digestsWaitingFor) throw new TypeError('queueRescans: waitingFor needs a results store with digestsWaitingFor');
  return mapLimit(distinct, concurrency, (ecosystem) => digestsWaitingFor.call(results, ecosystem));
}

/** Keys as the package index keys them (release granularity, names as the ecosystem compares them), each once. */
function distinctKeys(keys: readonly ChangedPackageKey[]): ChangedPackageKey[] {
  const seen = new Map<string, ChangedPackageKey>();
  for (const key of keys) {
    const parsed = parseEcosystem(key.ecosystem);
    const id = `${ecosystemKey(parsed)}\0${normalizePackageName(parsed.base, key.name)}`;
    if (!seen.has(id)) seen.set(id, key);
  }
  return [...seen.values()];
}
