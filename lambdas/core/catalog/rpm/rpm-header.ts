import { CustomsError } from '../../errors.ts';
import type { FileList } from '../file-list.ts';
import type { RpmHeaderInfo } from './rpm-types.ts';

/**
 * Reads the fields Customs needs from one rpm header blob as the databases store it (no lead, no
 * magic): big-endian int32 index count (il), int32 data length (dl), il 16-byte index entries
 * (tag, type, offset, count), then dl bytes of data. Region tags (HEADERIMMUTABLE and friends) are
 * simply entries we never ask for. Every offset and count is checked against the data before use.
 */

const TAGS = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
} as const;
type TagName = keyof typeof TAGS;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

const PREAMBLE = 8;
const ENTRY_SIZE = 16;
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA_LENGTH = 256 * 1024 * 1024;

interface Entry {
  readonly index: number;
  readonly type: number;
  readonly offset: number;
  readonly count: number;
}

interface Header {
  readonly data: Uint8Array;
  readonly view: DataView;
  readonly entries: ReadonlyMap<number, Entry>;
}

const utf8 = new TextDecoder('utf-8');

export function parseRpmHeader(blob: Uint8Array): RpmHeaderInfo {
  const header = readIndex(blob);
  const epoch = optional(header, 'EPOCH', (entry) => int32Array(header, 'EPOCH', entry)[0]);
  const arch = optional(header, 'ARCH', (entry) => string(header, 'ARCH', entry));
  const sourceRpm = optional(header, 'SOURCERPM', (entry) => string(header, 'SOURCERPM', entry));
  const files = fileList(header);
  return {
    name: requiredString(header, 'NAME'),
    ...(epoch !== undefined ? { epoch } : {}),
    version: requiredString(header, 'VERSION'),
    release: requiredString(header, 'RELEASE'),
    ...(arch !== undefined ? { arch } : {}),
    ...(sourceRpm !== undefined ? { sourceRpm } : {}),
    ...(files ? { files } : {}),
  };
}

function readIndex(blob: Uint8Array): Header {
  if (blob.length < PREAMBLE) throw malformed(`rpm header is ${blob.length} bytes, shorter than its ${PREAMBLE}-byte preamble`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  if (il < 1 || il > MAX_INDEX_ENTRIES) throw malformed(`rpm header declares ${il} index entries (expected 1..${MAX_INDEX_ENTRIES})`);
  if (dl > MAX_DATA_LENGTH) throw malformed(`rpm header declares ${dl} data bytes (cap ${MAX_DATA_LENGTH})`);
  const dataStart = PREAMBLE + il * ENTRY_SIZE;
  if (dataStart + dl > blob.length) {
    throw malformed(`rpm header declares ${il} index entries and ${dl} data bytes (${dataStart + dl} bytes) but the blob has ${blob.length}`);
  }
  const entries = new Map<number, Entry>();
  for (let index = 0; index < il; index++) {
    const at = PREAMBLE + index * ENTRY_SIZE;
    const tag = view.getInt32(at);
    const offset = view.getInt32(at + 8);
    if (offset < 0 || offset > dl) {
      throw malformed(`rpm header entry ${index} (${tagLabel(tag)}) points at data offset ${offset}, outside its ${dl} data bytes`);
    }
    // A later entry for the same tag wins: that is how rpm's appended ("dribble") entries replace region ones.
    entries.set(tag, { index, type: view.getUint32(at + 4), offset, count: view.getUint32(at + 12) });
  }
  const data = blob.subarray(dataStart, dataStart + dl);
  return { data, view: new DataView(data.buffer, data.byteOffset, data.byteLength), entries };
}

function requiredString(header: Header, tag: TagName): string {
  const value = optional(header, tag, (entry) => string(header, tag, entry));
  if (value === undefined) throw malformed(`rpm header has no ${tag} (${TAGS[tag]}) tag`);
  return value;
}

function optional<T>(header: Header, tag: TagName, read: (entry: Entry) => T): T | undefined {
  const entry = header.entries.get(TAGS[tag]);
  return entry ? read(entry) : undefined;
}

/** STRING, or the first string of an I18NSTRING (the untranslated one). */
function string(header: Header, tag: TagName, entry: Entry): string {
  if (entry.type !== TYPE_STRING && entry.type !== TYPE_I18NSTRING) throw badType(tag, entry, 'a string');
  if (entry.count < 1) throw badCount(tag, entry);
  return stringAt(header, tag, entry.offset).value;
}

function stringArray(header: Header, tag: TagName, entry: Entry): string[] {
  if (entry.type !== TYPE_STRING_ARRAY) throw badType(tag, entry, 'a string array');
  // Every string takes at least its terminating NUL, so a larger count cannot fit the data.
  if (entry.count < 1 || entry.count > header.data.length - entry.offset) throw badCount(tag, entry);
  const values: string[] = [];
  let offset = entry.offset;
  for (let i = 0; i < entry.count; i++) {
    const { value, next } = stringAt(header, tag, offset);
    values.push(value);
    offset = next;
  }
  return values;
}

function stringAt(header: Header, tag: TagName, offset: number): { value: string; next: number } {
  const end = header.data.indexOf(0, offset);
  if (end < 0) throw malformed(`rpm header ${tag} (${TAGS[tag]}) string at data offset ${offset} has no terminating NUL within ${header.data.length} data bytes`);
  return { value: utf8.decode(header.data.subarray(offset, end)), next: end + 1 };
}

/** INT32 values, unsigned (rpm's epoch and dir indexes are uint32). */
function int32Array(header: Header, tag: TagName, entry: Entry): number[] {
  if (entry.type !== TYPE_INT32) throw badType(tag, entry, 'INT32');
  if (entry.count < 1 || entry.count > (header.data.length - entry.offset) / 4) throw badCount(tag, entry);
  const values: number[] = [];
  for (let i = 0; i < entry.count; i++) values.push(header.view.getUint32(entry.offset + i * 4));
  return values;
}

function fileList(header: Header): FileList | undefined {
  const baseNames = optional(header, 'BASENAMES', (entry) => stringArray(header, 'BASENAMES', entry));
  if (baseNames) {
    const dirs = optional(header, 'DIRNAMES', (entry) => stringArray(header, 'DIRNAMES', entry));
    const dirIndexes = optional(header, 'DIRINDEXES', (entry) => int32Array(header, 'DIRINDEXES', entry));
    if (!dirs || !dirIndexes) throw malformed(`rpm header has BASENAMES but no ${dirs ? 'DIRINDEXES' : 'DIRNAMES'}`);
    if (dirIndexes.length !== baseNames.length) {
      throw malformed(`rpm header has ${baseNames.length} BASENAMES but ${dirIndexes.length} DIRINDEXES`);
    }
    const bad = dirIndexes.findIndex((dirIndex) => dirIndex >= dirs.length);
    if (bad >= 0) throw malformed(`rpm header DIRINDEXES[${bad}] is ${dirIndexes[bad]}, but there are only ${dirs.length} DIRNAMES`);
    return { dirs: dirs.map(relativeDir), names: baseNames, dirIndexes };
  }
  const oldFileNames = optional(header, 'OLDFILENAMES', (entry) => stringArray(header, 'OLDFILENAMES', entry));
  return oldFileNames ? splitFileNames(oldFileNames) : undefined;
}

/** Older packages list full paths; fold them into the dirs/names/indexes shape newer rpm uses. */
function splitFileNames(paths: readonly string[]): FileList {
  const dirs: string[] = [];
  const dirIndexByName = new Map<string, number>();
  const names: string[] = [];
  const dirIndexes: number[] = [];
  for (const path of paths) {
    const slash = path.lastIndexOf('/');
    const dir = relativeDir(path.slice(0, slash + 1));
    let dirIndex = dirIndexByName.get(dir);
    if (dirIndex === undefined) {
      dirIndex = dirs.push(dir) - 1;
      dirIndexByName.set(dir, dirIndex);
    }
    names.push(path.slice(slash + 1));
    dirIndexes.push(dirIndex);
  }
  return { dirs, names, dirIndexes };
}

/** `/usr/bin/` → `usr/bin`, `/` → ``: layer paths have neither leading nor trailing slashes. */
function relativeDir(dir: string): string {
  let start = 0;
  let end = dir.length;
  while (start < end && dir.charCodeAt(start) === 0x2f) start++;
  while (end > start && dir.charCodeAt(end - 1) === 0x2f) end--;
  return dir.slice(start, end);
}

function badType(tag: TagName, entry: Entry, expected: string): CustomsError {
  return malformed(`rpm header ${tag} (${TAGS[tag]}) entry ${entry.index} has type ${entry.type}, expected ${expected}`);
}

function badCount(tag: TagName, entry: Entry): CustomsError {
  return malformed(`rpm header ${tag} (${TAGS[tag]}) entry ${entry.index} has count ${entry.count}, which does not fit at data offset ${entry.offset}`);
}

function tagLabel(tag: number): string {
  const name = (Object.keys(TAGS) as TagName[]).find((key) => TAGS[key] === tag);
  return name ? `${name} (${tag})` : `tag ${tag}`;
}

function malformed(message: string): CustomsError {
  return new CustomsError('malformed', message);
}
