import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { answers, freeLoopbackPort, startLocalProcess, waitUntilReady } from '../../../lambdas/local/local-process.ts';

describe('local services as child processes', () => {
  it('says which service exited before it was ready, with what it wrote or the hint', async () => {
    const noisy = startLocalProcess(process.execPath, ['-e', 'console.error("port in use"); process.exit(3)']);
    await expect(waitUntilReady(noisy, 'the service', async () => false)).rejects.toThrow(/^the service exited with 3: port in use/);
    const silent = startLocalProcess(process.execPath, ['-e', 'process.exit(4)']);
    await expect(waitUntilReady(silent, 'the service', async () => false, { hint: 'is it installed?' })).rejects.toThrow('the service exited with 4: is it installed?');
  });

  it('gives up after the timeout and kills the process', async () => {
    const idle = startLocalProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await expect(waitUntilReady(idle, 'the idle service', async () => false, { timeoutMs: 300 })).rejects.toThrow('the idle service did not start within 0.3 s');
    await new Promise((resolveExit) => idle.child.once('exit', resolveExit));
    expect(idle.child.signalCode).toBe('SIGKILL');
  });

  it('waits until the service answers, and stops it', async () => {
    const port = await freeLoopbackPort();
    const script = `require('node:http').createServer((q, s) => s.writeHead(503).end()).listen(${port}, '127.0.0.1')`;
    const service = startLocalProcess(process.execPath, ['-e', script]);
    await waitUntilReady(service, 'the server', () => answers(`http://127.0.0.1:${port}/`));
    await expect(answers(`http://127.0.0.1:${port}/`, (status) => status === 200)).resolves.toBe(false);
    await service.stop();
    expect(service.child.exitCode !== null || service.child.signalCode !== null).toBe(true);
    await expect(answers(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('hands out a port nothing listens on', async () => {
    const port = await freeLoopbackPort();
    const server = createServer();
    await new Promise<void>((resolveListen) => server.listen(port, '127.0.0.1', resolveListen));
    server.close();
  });
});
