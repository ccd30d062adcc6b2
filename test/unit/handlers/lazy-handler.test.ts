import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lazyHandler, type HandlerTools } from '../../../lambdas/handlers/shared/lazy-handler.ts';

const context = { awsRequestId: 'request-1' } as Context;

describe('lazyHandler', () => {
  it('builds the handler on the first invocation only, with the same logger and metrics, and reuses it while warm', async () => {
    const built: HandlerTools[] = [];
    const handler = lazyHandler({ serviceName: 'customs-test', namespace: 'Customs' }, (tools) => {
      built.push(tools);
      let calls = 0;
      return async (event: string) => `${event}:${++calls}`;
    });
    expect(built).toHaveLength(0);
    expect(await handler('a', context)).toBe('a:1');
    expect(await handler('b', context)).toBe('b:2');
    expect(built).toHaveLength(1);
  });

  it('fails the invocation whose build throws and builds again on the next', async () => {
    let attempts = 0;
    const handler = lazyHandler({ serviceName: 'customs-test', namespace: 'Customs' }, () => {
      attempts += 1;
      if (attempts === 1) throw new Error('test environment is incomplete: A: Required');
      return async (event: string) => event;
    });
    await expect(handler('a', context)).rejects.toThrow(/incomplete/);
    expect(await handler('b', context)).toBe('b');
    expect(attempts).toBe(2);
  });
});
