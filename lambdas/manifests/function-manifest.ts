import { z } from 'zod';
import { TABLES, type TableKey, type TableNames } from '#adapters/dynamodb/tables.ts';

/**
 * What a function is, in one place: its handler, the environment it reads (a zod schema the config
 * loader parses with), how that environment is written from typed inputs (the CDK stacks and the
 * local runtime both call `render`), and every call it makes on every table, queue, key and secret.
 * The CDK stacks derive the function's IAM statements from `grants`, so the role allows exactly this.
 */

export type DynamoDbAction =
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query';
export type SqsAction = 'sqs:SendMessage';
export type KmsAction = 'kms:Decrypt' | 'kms:DescribeKey' | 'kms:Encrypt' | 'kms:GenerateDataKey';
export type SecretsManagerAction = 'secretsmanager:GetSecretValue';

type IndexNameOf<K extends TableKey> = (typeof TABLES)[K] extends {
  readonly globalSecondaryIndexes: ReadonlyArray<{ readonly indexName: infer N }>;
}
  ? N
  : never;

/** A table, or one of its global secondary indexes (Query only reaches an index through its own ARN). */
export type TableTarget =
  | TableKey
  | { [K in TableKey]: { readonly table: K; readonly index: IndexNameOf<K> } }[TableKey];

/**
 * One IAM statement: its sid says why the function makes these calls. Queues are every partner's
 * queue of that role; the key is the one customer managed key of tables, queues and secret.
 */
export type Grant =
  | {
      readonly sid: string;
      readonly actions: readonly DynamoDbAction[];
      readonly tables: readonly TableTarget[];
    }
  | {
      readonly sid: string;
      readonly actions: readonly SqsAction[];
      /** Every partner's queues of one role: outbound decisions, or inbound transfers (the decision API's hand-off). */
      readonly queues: readonly ('decisions' | 'inbound')[];
    }
  | {
      readonly sid: string;
      readonly actions: readonly SecretsManagerAction[];
      readonly secrets: readonly 'pseudonymKey'[];
    }
  | { readonly sid: string; readonly actions: readonly KmsAction[]; readonly keys: readonly 'data'[] };

/** How the function is invoked; an SQS trigger's consuming permissions come with the event source. */
export type Trigger =
  | { readonly kind: 'sqs'; readonly queues: 'inbound' }
  | { readonly kind: 'http' }
  | { readonly kind: 'schedule' };

export interface FunctionManifest<Settings extends z.ZodRawShape, Inputs> {
  /** Handler module relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly trigger: Trigger;
  readonly grants: readonly Grant[];
  /** Every table the grants name, in TABLES order: each gets its name through its envVar. */
  readonly tables: readonly TableKey[];
  /**
   * The whole environment the function reads: its settings and one variable per table it uses (typed
   * by the settings alone; tableNamesOf reads the table variables).
   */
  readonly environment: z.ZodObject<Settings>;
  /** The environment from typed inputs; table variables come from `tables` for exactly the tables used. */
  render(inputs: Inputs & { readonly tables: Readonly<TableNames> }): Record<string, string>;
}

/**
 * Template metadata on each function resource naming its manifest's entry: inert in AWS, read by the
 * local runtime to run the function's TypeScript source (lambdas/handlers) in place of its bundle.
 */
export const ENTRY_METADATA = 'transfer-screening:entry';

export const tableOf = (target: TableTarget): TableKey => (typeof target === 'string' ? target : target.table);

/** The tables the DynamoDB grants name, in TABLES order. */
function tablesOf(grants: readonly Grant[]): TableKey[] {
  const used = new Set(grants.flatMap((grant) => ('tables' in grant ? grant.tables.map(tableOf) : [])));
  return (Object.keys(TABLES) as TableKey[]).filter((key) => used.has(key));
}

export function defineFunctionManifest<Settings extends z.ZodRawShape, Inputs>(definition: {
  readonly entry: string;
  readonly trigger: Trigger;
  readonly grants: readonly Grant[];
  readonly settings: Settings;
  readonly renderSettings: (inputs: Inputs) => Record<string, string | undefined>;
}): FunctionManifest<Settings, Inputs> {
  const tables = tablesOf(definition.grants);
  const tableVariables = Object.fromEntries(
    tables.map((key) => [TABLES[key].envVar, z.string().min(1, { error: `must name the ${TABLES[key].id} table` })]),
  ) as Record<string, z.ZodString>;
  return {
    entry: definition.entry,
    trigger: definition.trigger,
    grants: definition.grants,
    tables,
    environment: z.object({ ...definition.settings, ...tableVariables }) as z.ZodObject<Settings>,
    render(inputs) {
      const settings = Object.entries(definition.renderSettings(inputs)).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      );
      return {
        ...Object.fromEntries(settings),
        ...Object.fromEntries(tables.map((key) => [TABLES[key].envVar, inputs.tables[key]])),
      };
    },
  };
}

/** The table names a parsed environment holds, for the tables a manifest uses. */
export function tableNamesOf<K extends TableKey>(
  tables: readonly K[],
  settings: Record<string, unknown>,
): Record<K, string> {
  return Object.fromEntries(tables.map((key) => [key, String(settings[TABLES[key].envVar])])) as Record<K, string>;
}
