import { createHash } from 'node:crypto';

/** JSON with every object's keys sorted, so equal values hash equally whatever order they were written in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item)]));
}

/** A policy version: `pv1-` and the first 16 hex digits of the SHA-256 of the canonical JSON. */
export function policyVersionOf(value: unknown): string {
  return `pv1-${createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16)}`;
}
