import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { answers, freeLoopbackPort, startLocalProcess, waitUntilReady } from './local-process.ts';

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
  const jar = ['-Djava.library.path=' + join(emulator, 'DynamoDBLocal_lib'), '-jar', join(emulator, 'DynamoDBLocal.jar')];
  const service = startLocalProcess('java', [...jar, '-sharedDb', ...storage, '-port', String(port)], { cwd: emulator });
  const endpoint = `http://127.0.0.1:${port}`;
  // It answers any HTTP request once it listens (400 to one without a target).
  await waitUntilReady(service, 'DynamoDB Local', () => answers(endpoint), { hint: 'is Java 17 installed? (npm run setup)' });
  return { endpoint, stop: service.stop };
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
