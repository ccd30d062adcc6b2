import { randomBytes } from 'node:crypto';

/**
 * A message's state lives in its file name, so every change of state is one atomic rename and the
 * content is written once. Ids sort in send order; `count` is the receives so far; `at` is when a
 * ready message becomes visible or an in-flight one's visibility ends; `dedup` is the hash of the
 * sender's dedup id (or `_`); `token` names one receive, so a stale receipt cannot touch a newer one.
 *
 *   ready/<id>.<count>.<at>.<dedup>.json
 *   inflight/<id>.<count>.<at>.<dedup>.<token>.json
 */
export interface ReadyName {
  readonly id: string;
  readonly count: number;
  readonly at: number;
  readonly dedup: string;
}

export interface InFlightName extends ReadyName {
  readonly token: string;
}

const ID = '(\\d{13}-[0-9a-f]{8}-[0-9a-f]{8})';
const NUMBER = '(\\d{1,16})';
const DEDUP = '([0-9a-f]{32}|_)';
const READY = new RegExp(`^${ID}\\.${NUMBER}\\.${NUMBER}\\.${DEDUP}\\.json$`);
const IN_FLIGHT = new RegExp(`^${ID}\\.${NUMBER}\\.${NUMBER}\\.${DEDUP}\\.([0-9a-f]{16})\\.json$`);

/** No dedup id: matches nothing a hash can be. */
export const NO_DEDUP = '_';

let sequence = 0;

/** Send time, then a per-process counter (same millisecond), then randomness (other processes). */
export function newMessageId(now: Date): string {
  sequence = (sequence + 1) % 0x1_0000_0000;
  const time = String(Math.max(0, now.getTime())).padStart(13, '0');
  return `${time}-${sequence.toString(16).padStart(8, '0')}-${randomBytes(4).toString('hex')}`;
}

export function newToken(): string {
  return randomBytes(8).toString('hex');
}

export function readyName(name: ReadyName): string {
  return `${name.id}.${name.count}.${name.at}.${name.dedup}.json`;
}

export function inFlightName(name: InFlightName): string {
  return `${name.id}.${name.count}.${name.at}.${name.dedup}.${name.token}.json`;
}

export function parseReadyName(file: string): ReadyName | undefined {
  const match = READY.exec(file);
  if (!match) return undefined;
  return { id: match[1]!, count: Number(match[2]), at: Number(match[3]), dedup: match[4]! };
}

/** Also how a receipt handed back by a caller is checked: anything else could name a path. */
export function parseInFlightName(file: string): InFlightName | undefined {
  const match = IN_FLIGHT.exec(file);
  if (!match) return undefined;
  return { id: match[1]!, count: Number(match[2]), at: Number(match[3]), dedup: match[4]!, token: match[5]! };
}
