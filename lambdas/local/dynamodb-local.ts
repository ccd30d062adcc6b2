import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/**
 * DynamoDB Local (the AWS jar, shipped in npm's amplify-dynamodb-simulator) on a loopback port,
 * for the tests and the local stack. In memory unless a data directory is given.
 */
export interface DynamoDbLocalOptions {
  /** Keep tables in this directory between runs (`-dbPath`); in memory when absent. */
  readonly dataDir?: string;
  /** A fixed port; a free one when absent. */
  readonly port?: number;
}

export interface RunningDynamoDbLocal {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const emulator = emulatorDirectory();
  const port = options.port ?? (await freeLoopbackPort());
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  const child = spawn('java', [`-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`, '-jar', join(emulator, 'DynamoDBLocal.jar'), '-sharedDb', ...storage, '-port', String(port)], {
    cwd: emulator,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on('error', (error) => {
    stderr += `\n${error.message}`;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilListening(endpoint, child, () => stderr);
  return { endpoint, stop: () => stopProcess(child) };
}

function emulatorDirectory(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('amplify-dynamodb-simulator/package.json');
  } catch {
    throw new Error('DynamoDB Local is not installed: run `npm ci` (it ships in amplify-dynamodb-simulator)');
  }
  const emulator = join(dirname(packageJson), 'emulator');
  if (!existsSync(join(emulator, 'DynamoDBLocal.jar'))) throw new Error(`DynamoDBLocal.jar is missing from ${emulator}`);
  return emulator;
}

/** DynamoDB Local answers any HTTP request once it listens (400 for a request with no target). */
async function waitUntilListening(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}: ${stderr() || 'is Java 17 installed? (npm run setup)'}`);
    try {
      const response = await fetch(endpoint);
      await response.arrayBuffer();
      return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`DynamoDB Local did not start within 30 s: ${stderr()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

function freeLoopbackPort(): Promise<number> {
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
