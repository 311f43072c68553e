import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { createPseudonymiser, type Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { PseudonymKeySetting } from '#config/settings.ts';

/**
 * Runs a function's start-up once per container and shares the result with every invocation; a
 * start-up that fails is tried again by the next invocation instead of poisoning the container.
 */
export function initialiseOnce<T>(initialise: () => Promise<T>): () => Promise<T> {
  let ready: Promise<T> | undefined;
  return () =>
    (ready ??= initialise().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
}

/** The account pseudonymiser, with its key from Secrets Manager (cached an hour) or the environment. */
export async function loadPseudonymiser(setting: PseudonymKeySetting): Promise<Pseudonymiser> {
  const key = 'value' in setting ? setting.value : await getSecret<string>(setting.secretArn, { maxAge: 3600 });
  if (!key) throw new Error('the pseudonymisation key secret is empty');
  return createPseudonymiser(key);
}
