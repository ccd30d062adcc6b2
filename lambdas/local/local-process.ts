import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * A service the local stack and the tests run as a child process on loopback (DynamoDB Local,
 * docker-registry, moto_server): started, waited for, stopped, with the tail of its stderr kept
 * for the error that says why it did not come up.
 */
export interface LocalProcess {
  readonly child: ChildProcess;
  /** The last few KB of what it wrote to stderr (and a spawn error, if any). */
  stderr(): string;
  stop(): Promise<void>;
}

export function startLocalProcess(command: string, args: readonly string[], options: Pick<SpawnOptions, 'cwd'> = {}): LocalProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on('error', (error) => {
    stderr += `\n${error.message}`;
  });
  return { child, stderr: () => stderr, stop: () => stopProcess(child) };
}

/**
 * Polls `ready` until it answers true. Fails when the process exits first (with `hint` when it
 * wrote nothing) or when `timeoutMs` passes, naming the service.
 */
export async function waitUntilReady(service: LocalProcess, name: string, ready: () => Promise<boolean>, options: { timeoutMs?: number; hint?: string } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${name} exited with ${service.child.exitCode}: ${service.stderr() || options.hint || 'no output'}`);
    if (await ready().catch(() => false)) return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  service.child.kill('SIGKILL');
  throw new Error(`${name} did not start within ${timeoutMs / 1000} s: ${service.stderr()}`);
}

/** True once `url` answers any HTTP response for which `accept(status)` holds. */
export async function answers(url: string, accept: (status: number) => boolean = () => true): Promise<boolean> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return accept(response.status);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** Asks the kernel for a free loopback port. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Whether an executable of that name is on PATH (to say what to install before spawning fails). */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
