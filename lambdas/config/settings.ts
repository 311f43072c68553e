import { z } from 'zod';

/**
 * Settings shared by every function's configuration: each function reads and validates its
 * environment once, at start-up, and a missing or malformed setting fails loudly, naming the variable.
 */

/** An environment variable holding a JSON object of strings (checked by `values`). */
export const jsonObject = <T extends z.ZodType>(values: T, description: string) =>
  z.string({ error: `must be ${description}` }).transform((text, ctx) => {
    try {
      return z.record(z.string(), values).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be ${description}` });
      return z.NEVER;
    }
  });

/** An environment variable holding a JSON array (of values checked by `values`). */
export const jsonArray = <T extends z.ZodType>(values: T, description: string) =>
  z.string({ error: `must be ${description}` }).transform((text, ctx) => {
    try {
      return z.array(values).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be ${description}` });
      return z.NEVER;
    }
  });

/** An environment variable holding one JSON value checked by `schema`. */
export const jsonValue = <T extends z.ZodType>(schema: T, description: string) =>
  z.string({ error: `must be ${description}` }).transform((text, ctx) => {
    try {
      return schema.parse(JSON.parse(text)) as z.output<T>;
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be ${description}` });
      return z.NEVER;
    }
  });

export const OutboundQueueUrlsSchema = jsonObject(
  z.url(),
  'a JSON object mapping partnerId to its outbound decision queue URL',
);

export const PseudonymKeySettings = {
  PSEUDONYM_KEY: z.string().min(32).optional(),
  PSEUDONYM_KEY_SECRET_ARN: z.string().min(1).optional(),
};

export type PseudonymKeySetting = { readonly value: string } | { readonly secretArn: string };

/** Where the account pseudonym key comes from: Secrets Manager in AWS, the environment locally. */
export function pseudonymKeySetting(
  functionName: string,
  settings: { PSEUDONYM_KEY?: string | undefined; PSEUDONYM_KEY_SECRET_ARN?: string | undefined },
): PseudonymKeySetting {
  if (settings.PSEUDONYM_KEY) return { value: settings.PSEUDONYM_KEY };
  if (settings.PSEUDONYM_KEY_SECRET_ARN) return { secretArn: settings.PSEUDONYM_KEY_SECRET_ARN };
  throw new Error(
    `${functionName} configuration is invalid: set PSEUDONYM_KEY_SECRET_ARN (AWS) or PSEUDONYM_KEY (local)`,
  );
}

/** Parses an environment with a schema, or throws one message listing every bad variable. */
export function parseEnvironment<T extends z.ZodType>(
  functionName: string,
  schema: T,
  env: Record<string, string | undefined>,
): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `${functionName} configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
