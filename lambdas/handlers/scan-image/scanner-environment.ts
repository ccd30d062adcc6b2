import { readMatchingEnvironment, type MatchingEnvironment } from '../shared/judging-environment.ts';

/**
 * The scanner Lambda's configuration, from the environment the CDK construct sets
 * (lib/constructs/scanner-function.ts, SCANNER_ENVIRONMENT): the judging variables and the
 * advisory table and age limit. A missing or bad value fails the cold start naming it.
 */
export type ScannerEnvironment = MatchingEnvironment;

export function readScannerEnvironment(env: NodeJS.ProcessEnv): ScannerEnvironment {
  return readMatchingEnvironment(env, 'scanner');
}
