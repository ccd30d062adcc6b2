import { CustomsError } from '../../errors.ts';

/** The PAX keys Customs acts on; every other record is read and ignored. */
export interface PaxOverrides {
  path?: string;
  linkPath?: string;
  size?: number;
  /** Set when the entry is a PAX-format sparse file; its stored data is not the file's content. */
  sparse?: boolean;
}

const decoder = new TextDecoder('utf-8');

/** Parses PAX extended header records: `LENGTH KEY=VALUE\n`, where LENGTH counts the whole record. */
export function parsePaxRecords(data: Uint8Array, offset: number): PaxOverrides {
  const overrides: PaxOverrides = {};
  let position = 0;
  while (position < data.length) {
    if (data[position] === 0) break; // padding some writers leave after the last record
    const space = data.indexOf(0x20, position);
    if (space < 0) throw malformed(offset);
    const length = Number(decoder.decode(data.subarray(position, space)));
    if (!Number.isInteger(length) || length <= space - position || position + length > data.length) throw malformed(offset);
    const record = data.subarray(space + 1, position + length - 1); // drop the trailing newline
    if (data[position + length - 1] !== 0x0a) throw malformed(offset);
    const equals = record.indexOf(0x3d);
    if (equals < 0) throw malformed(offset);
    const key = decoder.decode(record.subarray(0, equals));
    const value = decoder.decode(record.subarray(equals + 1));
    applyRecord(overrides, key, value, offset);
    position += length;
  }
  return overrides;
}

function applyRecord(overrides: PaxOverrides, key: string, value: string, offset: number): void {
  switch (key) {
    case 'path':
      overrides.path = value;
      break;
    case 'linkpath':
      overrides.linkPath = value;
      break;
    case 'size': {
      const size = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(size)) throw new CustomsError('malformed', `PAX header at offset ${offset} has an invalid size ${JSON.stringify(value)}`);
      overrides.size = size;
      break;
    }
    default:
      if (key.startsWith('GNU.sparse.')) overrides.sparse = true;
  }
}

function malformed(offset: number): CustomsError {
  return new CustomsError('malformed', `PAX extended header at offset ${offset} is malformed`);
}
