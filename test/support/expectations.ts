import { expect } from 'vitest';
import { CustomsError } from '../../lambdas/core/errors.ts';
import { parseReference, type RegistryReference } from '../../lambdas/core/image/reference.ts';

/** Parses a reference the test knows names a registry image. */
export function registryReference(text: string): RegistryReference {
  const parsed = parseReference(text);
  if (parsed.transport !== 'registry') throw new Error(`expected a registry reference, got ${text}`);
  return parsed;
}

/** The CustomsError a promise rejects with (failing the test if it resolves or throws anything else). */
export async function customsRejection(promise: Promise<unknown>): Promise<CustomsError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CustomsError);
  return error as CustomsError;
}
