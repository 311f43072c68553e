import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { compileRulePack, type CompiledPack } from '#domain/rules/compile.ts';
import type { RulePackSource } from '#use-cases/ports.ts';

/** Sort key of the item that names a pack's version in force. */
export const ACTIVE_VERSION = 'ACTIVE';

/**
 * Rule packs in DynamoDB: each version stored as its JSON document, plus an ACTIVE pointer.
 * Publishing validates and compiles first, so a bad pack never reaches the table.
 */
export class DynamoRulePackStore {
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

  async activate(packId: string, version: string, activatedBy: string, now: Date): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { packId, version: ACTIVE_VERSION, activeVersion: version, activatedBy, activatedAt: now.toISOString() },
      }),
    );
  }

  async activeVersion(packId: string): Promise<string> {
    const pointer = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { packId, version: ACTIVE_VERSION }, ConsistentRead: true }),
    );
    const version = pointer.Item?.activeVersion;
    if (typeof version !== 'string') throw new Error(`rule pack ${packId} has no active version`);
    return version;
  }

  async load(packId: string, version: string): Promise<CompiledPack> {
    const stored = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { packId, version } }));
    const document = stored.Item?.document;
    if (typeof document !== 'string') throw new Error(`rule pack ${packId} version ${version} is not stored`);
    return compileRulePack(JSON.parse(document));
  }
}

/**
 * The Lambda's view of the active pack: re-reads the ACTIVE pointer at most every `maxAgeMs`
 * (bounded staleness), compiles each version once, and never serves a pack older than the bound:
 * when the pointer cannot be read past it, screening fails closed.
 */
export class CachedRulePackSource implements RulePackSource {
  private current?: { pack: CompiledPack; checkedAt: number };
  private readonly compiled = new Map<string, CompiledPack>();

  constructor(
    private readonly store: DynamoRulePackStore,
    private readonly packId: string,
    private readonly maxAgeMs: number,
  ) {}

  async activePack(now: Date): Promise<CompiledPack> {
    if (this.current && now.getTime() - this.current.checkedAt < this.maxAgeMs) return this.current.pack;
    const version = await this.store.activeVersion(this.packId);
    let pack = this.compiled.get(version);
    if (!pack) {
      pack = await this.store.load(this.packId, version);
      this.compiled.set(version, pack);
    }
    this.current = { pack, checkedAt: now.getTime() };
    return pack;
  }
}
