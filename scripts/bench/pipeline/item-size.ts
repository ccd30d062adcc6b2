import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

export type Item = Record<string, AttributeValue>;

/**
 * An item's size as DynamoDB bills it (CapacityUnitCalculations in the DynamoDB developer guide):
 * attribute names plus values; strings in UTF-8, binaries raw, numbers one byte per two significant
 * digits plus one, null and booleans one byte, lists and maps 3 bytes plus one per element.
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberSize(text), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element), 0);
  return 0;
}

function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The document client hands back plain values; the low-level client AttributeValues. Every item of
 * Customs' tables has a string `pk`, so a plain `pk` tells which one this is.
 */
export function asAttributeValues(item: Record<string, unknown>): Item {
  if (typeof item.pk !== 'string') return item as Item;
  return marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true });
}
