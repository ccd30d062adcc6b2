import { answers, freeLoopbackPort, startLocalProcess, waitUntilReady } from '../../lambdas/local/local-process.ts';

/**
 * moto_server (moto 5.2.1, from the machine's Python) on a loopback port: ECR, SNS, SQS, S3 and
 * EventBridge with real semantics where moto has them. Tests use names of their own rather than
 * resetting it, since other test files share it.
 */
export interface RunningMoto {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<RunningMoto> {
  const port = await freeLoopbackPort();
  const service = startLocalProcess('moto_server', ['-H', '127.0.0.1', '-p', String(port)]);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(service, 'moto_server', () => answers(`${endpoint}/moto-api/`, (status) => status === 200));
  return { endpoint, stop: service.stop };
}
