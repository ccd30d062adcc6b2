import { CustomsError } from '../../core/errors.ts';
import { isLoopbackRegistry } from '../../core/image/reference.ts';

/**
 * Credentials (passwords, identity tokens, tokens obtained with them) travel only over HTTPS, or
 * over plain HTTP to this machine, where there is no wire to sniff.
 */
export function assertMaySendCredentials(url: URL, repositoryName: string): void {
  if (url.protocol === 'https:' || isLoopbackRegistry(url.host)) return;
  throw new CustomsError(
    'usage',
    `refusing to send credentials for ${repositoryName} over plain HTTP to ${url.host}; use HTTPS or a loopback registry`,
  );
}

export function basicAuthorization(credential: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
}
