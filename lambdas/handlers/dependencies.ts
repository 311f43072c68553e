import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { type AwsClients, createAwsClients } from '#adapters/aws-clients.ts';
import type { PseudonymKeySetting } from '#config/settings.ts';
import { createPseudonymiser, type Pseudonymiser } from '#domain/identity/pseudonym.ts';

/**
 * What every handler factory takes. In Lambda, nothing: clients from the environment and the wall
 * clock. The local runtime passes its own clients (pointed at its stand-ins, with the function's IAM
 * policies enforced on every call) and, for past files, a simulated clock; it never configures a
 * handler through its environment.
 */
export interface HandlerDependencies {
  readonly clients?: AwsClients;
  /** The time transfers are screened and flags decided at. */
  readonly clock?: () => Date;
}

export const wallClock = () => new Date();

/** The dependencies with their defaults; call it in a factory's start-up, so clients are made once per container. */
export function resolveDependencies(dependencies: HandlerDependencies): Required<HandlerDependencies> {
  return { clients: dependencies.clients ?? createAwsClients(), clock: dependencies.clock ?? wallClock };
}

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

/** The account pseudonymiser, with its key from Secrets Manager (read through `clients`, cached an hour). */
export async function loadPseudonymiser(setting: PseudonymKeySetting, clients: AwsClients): Promise<Pseudonymiser> {
  const secrets = new SecretsProvider({ awsSdkV3Client: clients.secretsManager });
  const key = 'value' in setting ? setting.value : await secrets.get(setting.secretArn, { maxAge: 3600 });
  if (typeof key !== 'string' || !key) throw new Error('the pseudonymisation key secret is empty');
  return createPseudonymiser(key);
}
