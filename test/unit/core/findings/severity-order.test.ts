import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import type { Severity } from '../../../../lambdas/core/findings/model.ts';
import { compareSeverity, isAtLeast, parseSeverity } from '../../../../lambdas/core/findings/severity-order.ts';

describe('compareSeverity', () => {
  it('sorts worst first, UNKNOWN last', () => {
    const mixed: Severity[] = ['LOW', 'UNKNOWN', 'CRITICAL', 'MEDIUM', 'HIGH', 'LOW'];
    expect(mixed.sort(compareSeverity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'LOW', 'UNKNOWN']);
    expect(compareSeverity('HIGH', 'HIGH')).toBe(0);
  });
});

describe('isAtLeast', () => {
  it.each([
    ['CRITICAL', 'HIGH', true],
    ['HIGH', 'HIGH', true],
    ['MEDIUM', 'HIGH', false],
    ['LOW', 'LOW', true],
    ['UNKNOWN', 'LOW', false],
    ['UNKNOWN', 'UNKNOWN', true],
    ['LOW', 'UNKNOWN', true],
  ] as const)('%s against %s: %s', (severity, threshold, expected) => {
    expect(isAtLeast(severity, threshold)).toBe(expected);
  });
});

describe('parseSeverity', () => {
  it.each([
    ['critical', 'CRITICAL'],
    ['High', 'HIGH'],
    [' medium ', 'MEDIUM'],
    ['MODERATE', 'MEDIUM'],
    ['moderate', 'MEDIUM'],
    ['low', 'LOW'],
    ['unknown', 'UNKNOWN'],
  ])('%j is %s', (text, severity) => {
    expect(parseSeverity(text)).toBe(severity);
  });

  it('refuses anything else as a usage error naming the value', () => {
    for (const bad of ['severe', '', 'HIGHEST', 'important']) {
      let caught: unknown;
      try {
        parseSeverity(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CustomsError);
      expect((caught as CustomsError).code).toBe('usage');
      expect((caught as CustomsError).message).toContain(JSON.stringify(bad));
    }
  });
});
