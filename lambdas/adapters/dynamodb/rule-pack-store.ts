import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { compileRulePack, type CompiledPack } from '#domain/rules/compile.ts';
import { PACK_ACTIONS, type PackActor, type PackAuditEntry, RulePackRefusal } from '#domain/rules/maker-checker.ts';
import type { RulePackSource, ShadowPack } from '#use-cases/screening/ports.ts';
import type { RulePackGovernance } from '#use-cases/rules/maker-checker.ts';
import { isConditionalCheckFailure } from './conditions.ts';
import { queryItems } from './query.ts';

/** Sort key of the item that names a pack's version in force. */
export const ACTIVE_VERSION = 'ACTIVE';
/** Sort key of the item that names the version scored in shadow beside it (no shadowVersion: none). */
export const SHADOW_VERSION = 'SHADOW';

/** The two pointer items of a pack, as stored: sort key, the attribute naming the version, who and when. */
interface Pointer {
  readonly key: string;
  readonly attribute: string;
  readonly setBy: string;
  readonly setAt: string;
}
const POINTERS = {
  active: { key: ACTIVE_VERSION, attribute: 'activeVersion', setBy: 'activatedBy', setAt: 'activatedAt' },
  shadow: { key: SHADOW_VERSION, attribute: 'shadowVersion', setBy: 'setBy', setAt: 'setAt' },
} as const satisfies Record<string, Pointer>;

/**
 * Sort keys of the audit, beside the versions (lower-case, so never `AUDIT#...`) and the ACTIVE
 * pointer. A proposal and a decision have one key per version, so a conditional put lets exactly one
 * of two racing approvers win; activations may repeat (rollbacks), so theirs are unique per entry.
 */
const AUDIT_PREFIX = 'AUDIT#';
function auditKey(entry: PackAuditEntry): string {
  if (entry.action === 'PROPOSED') return `${AUDIT_PREFIX}PROPOSAL#${entry.version}`;
  if (entry.action === 'ACTIVATED') return `${AUDIT_PREFIX}ACTIVATION#${entry.at}#${randomUUID()}`;
  if (entry.action === 'SHADOWED' || entry.action === 'UNSHADOWED')
    return `${AUDIT_PREFIX}SHADOW#${entry.at}#${randomUUID()}`;
  return `${AUDIT_PREFIX}DECISION#${entry.version}`;
}

/**
 * Rule packs in DynamoDB: each version stored as its JSON document, plus an ACTIVE pointer, plus the
 * pack's append-only maker-checker audit. Publishing validates and compiles first, so a bad pack
 * never reaches the table.
 */
export class DynamoRulePackStore implements RulePackGovernance {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async publish(pack: unknown, options: { activate: boolean; publishedBy: string; now: Date }): Promise<CompiledPack> {
    const compiled = compileRulePack(pack);
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          packId: compiled.packId,
          version: compiled.version,
          document: JSON.stringify(compiled.source),
          publishedBy: options.publishedBy,
          publishedAt: options.now.toISOString(),
        },
        // Versions are immutable: a changed pack needs a new version string.
        ConditionExpression: 'attribute_not_exists(version) OR #d = :d',
        ExpressionAttributeNames: { '#d': 'document' },
        ExpressionAttributeValues: { ':d': JSON.stringify(compiled.source) },
      }),
    );
    if (options.activate) await this.activate(compiled.packId, compiled.version, options.publishedBy, options.now);
    return compiled;
  }

  /**
   * Puts a version in force without the maker-checker: only for the deployment's seed (publish with
   * activate, as the CDK seed and the local runtime do); people go through pointActive.
   */
  async activate(packId: string, version: string, activatedBy: string, now: Date): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { packId, version: ACTIVE_VERSION, activeVersion: version, activatedBy, activatedAt: now.toISOString() },
      }),
    );
  }

  /** Appends one audit entry; false when its step was already recorded (a proposal or decision race lost). */
  async append(entry: PackAuditEntry): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: stripUndefined({
            ...entry,
            version: auditKey(entry),
            subject: entry.version,
            backtest: jsonOrAbsent(entry.backtest),
          }),
          // Append-only: nothing ever overwrites an entry.
          ConditionExpression: 'attribute_not_exists(version)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  /** Every audit entry of a pack, oldest first. */
  async auditTrail(packId: string): Promise<PackAuditEntry[]> {
    const entries: PackAuditEntry[] = [];
    const items = await queryItems(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'packId = :p AND begins_with(version, :a)',
      ExpressionAttributeValues: { ':p': packId, ':a': AUDIT_PREFIX },
      ConsistentRead: true,
    });
    for (const item of items) {
      const { version: _key, subject, backtest, ...rest } = item;
      entries.push({
        ...(rest as Omit<PackAuditEntry, 'version'>),
        version: subject as string,
        ...(typeof backtest === 'string' ? { backtest: JSON.parse(backtest) } : {}),
      });
    }
    return entries.sort(
      (a, b) => a.at.localeCompare(b.at) || PACK_ACTIONS.indexOf(a.action) - PACK_ACTIONS.indexOf(b.action),
    );
  }

  /**
   * Moves the ACTIVE pointer from `previous` (undefined: no pointer yet) to `version`; false when
   * someone else moved it in between.
   */
  async pointActive(
    packId: string,
    version: string,
    previous: string | undefined,
    actor: PackActor,
    now: Date,
  ): Promise<boolean> {
    return this.movePointer(packId, POINTERS.active, version, previous, actor, now);
  }

  /** The version in force, or undefined when the pack has none. */
  async currentVersion(packId: string): Promise<string | undefined> {
    return this.readPointer(packId, POINTERS.active);
  }

  async activeVersion(packId: string): Promise<string> {
    const version = await this.readPointer(packId, POINTERS.active);
    if (version === undefined) throw new Error(`rule pack ${packId} has no active version`);
    return version;
  }

  /** The version scored in shadow, or undefined when none is. */
  async shadowVersion(packId: string): Promise<string | undefined> {
    return this.readPointer(packId, POINTERS.shadow);
  }

  /**
   * Points the SHADOW pointer from `previous` to `version` (undefined: shadow off); false when someone
   * else moved it in between.
   */
  async pointShadow(
    packId: string,
    version: string | undefined,
    previous: string | undefined,
    actor: PackActor,
    now: Date,
  ): Promise<boolean> {
    return this.movePointer(packId, POINTERS.shadow, version, previous, actor, now);
  }

  private async readPointer(packId: string, pointer: Pointer): Promise<string | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { packId, version: pointer.key }, ConsistentRead: true }),
    );
    const version = Item?.[pointer.attribute];
    return typeof version === 'string' ? version : undefined;
  }

  /** Compare-and-set of a pointer item: it names `version` only if it still named `previous`. */
  private async movePointer(
    packId: string,
    pointer: Pointer,
    version: string | undefined,
    previous: string | undefined,
    actor: PackActor,
    now: Date,
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            packId,
            version: pointer.key,
            ...(version ? { [pointer.attribute]: version } : {}),
            [pointer.setBy]: actor.username,
            [pointer.setAt]: now.toISOString(),
          },
          ...(previous === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pointer)' }
            : {
                ConditionExpression: '#pointer = :previous',
                ExpressionAttributeValues: { ':previous': previous },
              }),
          ExpressionAttributeNames: { '#pointer': pointer.attribute },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  async load(packId: string, version: string): Promise<CompiledPack> {
    const stored = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { packId, version } }));
    const document = stored.Item?.document;
    if (typeof document !== 'string')
      throw new RulePackRefusal('UNKNOWN_VERSION', `rule pack ${packId} has no version ${version}`);
    return compileRulePack(JSON.parse(document));
  }
}

/** A backtest summary is kept as JSON text: one attribute whatever its shape, read back exactly. */
function jsonOrAbsent(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

function stripUndefined(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined));
}

/**
 * The Lambda's view of the active pack (and, when asked to read it, the shadow pack): re-reads the
 * pointers at most every `maxAgeMs` (bounded staleness; both in parallel, one round), compiles each
 * version once, and never serves an active pack older than the bound: when the ACTIVE pointer cannot
 * be read past it, screening fails closed. The shadow never stops screening: a shadow pointer or pack
 * that cannot be read is reported as a problem until the next refresh.
 */
export class CachedRulePackSource implements RulePackSource {
  private current?: { pack: CompiledPack; shadow: ShadowPack | undefined; checkedAt: number };
  private readonly compiled = new Map<string, CompiledPack>();

  constructor(
    private readonly store: DynamoRulePackStore,
    private readonly packId: string,
    private readonly maxAgeMs: number,
    /** Read the SHADOW pointer at all; off, shadow mode costs nothing. */
    private readonly readShadow = false,
  ) {}

  async activePack(now: Date): Promise<CompiledPack> {
    return (await this.refreshed(now)).pack;
  }

  async shadowPack(now: Date): Promise<ShadowPack | undefined> {
    return (await this.refreshed(now)).shadow;
  }

  private async refreshed(now: Date) {
    if (this.current && now.getTime() - this.current.checkedAt < this.maxAgeMs) return this.current;
    const [pack, shadow] = await Promise.all([
      this.store.activeVersion(this.packId).then((version) => this.version(version)),
      this.readShadow ? this.shadow() : undefined,
    ]);
    this.current = { pack, shadow, checkedAt: now.getTime() };
    return this.current;
  }

  private async shadow(): Promise<ShadowPack | undefined> {
    let version: string | undefined;
    try {
      version = await this.store.shadowVersion(this.packId);
      return version === undefined ? undefined : { pack: await this.version(version) };
    } catch (error) {
      const what = version ? `shadow pack ${version}` : 'the SHADOW pointer';
      return { ...(version ? { version } : {}), problem: `${what} could not be read: ${(error as Error).message}` };
    }
  }

  private async version(version: string): Promise<CompiledPack> {
    let pack = this.compiled.get(version);
    if (!pack) {
      pack = await this.store.load(this.packId, version);
      this.compiled.set(version, pack);
    }
    return pack;
  }
}
