import { describe, expect, it } from 'vitest';
import type { OutgoingAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import type { AlertPublisher } from '../../../lambdas/core/ports.ts';
import { ConsoleAlertPublisher } from '../../../lambdas/adapters/webhook/console-alert-publisher.ts';
import { fanOutAlerts } from '../../../lambdas/adapters/webhook/fan-out-alert-publisher.ts';
import { alertOf, digestOf, finding, verdictOf } from '../core/alerts/alert-fixtures.ts';

function failing(tags: readonly string[] = ['1.2'], repository = 'team-a/app'): OutgoingAlert {
  const verdict = verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL'), finding('CVE-2026-0002', 'HIGH'), finding('CVE-2026-0003', 'LOW')] });
  return { alert: alertOf({ tags, verdict, key: { repository } }), audience: 'all' };
}

function consoleLines(colour: boolean, alerts: readonly OutgoingAlert[]): Promise<string[]> {
  const lines: string[] = [];
  return new ConsoleAlertPublisher({ write: (line) => lines.push(line), colour }).publish(alerts).then(() => lines);
}

describe('ConsoleAlertPublisher', () => {
  it('writes one plain line per alert: what, which image, how many, which alert', async () => {
    const outgoing = failing();
    const [line, ...rest] = await consoleLines(false, [outgoing]);
    expect(rest).toEqual([]);
    expect(line).toBe(`[customs] FAILED_POLICY FAIL CRITICAL team-a/app:1.2@${digestOf('app').slice(7, 19)} critical=1 high=1 low=1 failing=2 suppressed=0 alert=${outgoing.alert.alertId}`);
    expect(line).not.toContain('\u001b');
  });

  it('colours the severity only when asked', async () => {
    const [line] = await consoleLines(true, [failing()]);
    expect(line).toContain('\u001b[1;31mFAILED_POLICY FAIL CRITICAL\u001b[0m');
  });

  it('names an untagged image by digest and a passing one with no findings', async () => {
    const passing: OutgoingAlert = { alert: alertOf({ tags: [], eventType: 'RESOLVED', verdict: verdictOf({ findings: [] }) }), audience: 'all' };
    const [line] = await consoleLines(false, [passing]);
    expect(line).toMatch(new RegExp(`^\\[customs\\] RESOLVED PASS NONE team-a/app@${digestOf('app').slice(7, 19)} findings=0 failing=0 suppressed=0 alert=`));
  });

  it('keeps terminal escapes and newlines from names out of the line', async () => {
    const [line] = await consoleLines(false, [failing(['v1\u001b[2J\nforged'])]);
    expect([...line!].some((char) => char.charCodeAt(0) < 0x20)).toBe(false);
    expect(line).toContain('team-a/app:v1?[2J?forged@');
  });
});

describe('fanOutAlerts', () => {
  it('publishes to every publisher, and after trying all fails naming each failure', async () => {
    const seen: string[] = [];
    const recorder = (name: string): AlertPublisher => ({ publish: (alerts) => Promise.resolve(void seen.push(`${name}:${alerts.length}`)) });
    const broken = (message: string): AlertPublisher => ({ publish: () => Promise.reject(new Error(message)) });
    const alerts = [failing()];
    await fanOutAlerts([recorder('a'), recorder('b')]).publish(alerts);
    expect(seen).toEqual(['a:1', 'b:1']);
    seen.length = 0;
    const error = await fanOutAlerts([broken('webhook down'), recorder('c'), broken('sns throttled')]).publish(alerts).catch((caught: unknown) => caught);
    expect(seen).toEqual(['c:1']);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).message).toBe('2 of 3 alert publishers failed: webhook down; sns throttled');
    expect((error as AggregateError).errors).toHaveLength(2);
  });

  it('publishes nothing anywhere for an empty fan-out', async () => {
    await expect(fanOutAlerts([]).publish([failing()])).resolves.toBeUndefined();
  });
});
