import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseStageConfig, queuePrefix, type StageConfig, type StageConfigInput } from '../../lib/config.ts';
import { addScreeningStacks } from '../../lib/screening-stacks.ts';
import { STAGES } from '../../lib/stages.ts';
import cdkJson from '../../cdk.json' with { type: 'json' };
import type { Template } from './template.ts';

/** One stack of a cloud assembly: its name and its CloudFormation template, as `cdk deploy` would submit it. */
export interface StackTemplate {
  readonly stackName: string;
  readonly template: Template;
}

export interface CloudAssembly {
  /** The directory `cdk synth` wrote (manifest.json, templates, staged assets). */
  readonly directory: string;
  readonly stacks: readonly StackTemplate[];
}

export interface SynthesizedLocalStage extends CloudAssembly {
  readonly config: StageConfig;
  /** Deletes the assembly directory. */
  remove(): Promise<void>;
}

export const LOCAL_STAGE = 'local';
/** The local stage's name prefix: its tables are "fraud-local-<Table>", its queues "fraud-local-<partner>-<role>". */
export const LOCAL_PREFIX = queuePrefix(LOCAL_STAGE);

/** What a local run may change in the local stage before it is synthesized: the stage stays the one definition. */
export interface LocalStageOptions {
  /** Partner slugs in place of the stage's demo partners; each gets fake AWS account ids of its own. */
  readonly partners?: readonly string[];
  /** Screening settings in place of the stage's (for example a batch size of one). */
  readonly screening?: Partial<NonNullable<StageConfigInput['screening']>>;
  /** Review settings in place of the stage's (the single-officer release limits). */
  readonly review?: NonNullable<StageConfigInput['review']>;
}

/** The local stage of lib/stages.ts with the options applied, validated as any stage is. */
export function localStageConfig(options: LocalStageOptions = {}): StageConfig {
  const base = STAGES[LOCAL_STAGE] as StageConfigInput;
  // A partner of the stage keeps its settings (its decision API terms); another gets accounts of its own.
  const partners = options.partners?.map((id, index) => {
    const account = String(index + 1).padStart(12, '0');
    return base.partners.find((p) => p.id === id) ?? { id, senderAccountId: account, decisionReaderAccountId: account };
  });
  return parseStageConfig(LOCAL_STAGE, {
    ...base,
    ...(partners ? { partners } : {}),
    screening: { ...base.screening, ...options.screening },
    review: { ...base.review, ...options.review },
  });
}

/**
 * Synthesizes the local stage in this process, as `cdk synth -c stage=local` would, with cdk.json's
 * feature flags. Function code is not bundled: the local runtime runs each function's TypeScript
 * source (the bundled asset has its own test). CloudFormation's template validation is skipped: it
 * costs seconds and `cdk synth` of the deployed stages runs it.
 */
export async function synthesizeLocalStage(options: LocalStageOptions = {}): Promise<SynthesizedLocalStage> {
  const config = localStageConfig(options);
  const directory = await mkdtemp(join(tmpdir(), 'fraudctl-assembly-'));
  try {
    const app = new App({
      outdir: directory,
      context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    addScreeningStacks(app, config);
    app.synth();
    const assembly = await readCloudAssembly(directory);
    return { ...assembly, config, remove: () => rm(directory, { recursive: true, force: true }) };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

interface AssemblyManifest {
  readonly artifacts?: Record<
    string,
    { readonly type: string; readonly properties?: { readonly templateFile?: string }; readonly displayName?: string }
  >;
}

/** Reads the stacks of a cloud assembly directory (cdk.out), in the order its manifest lists them. */
export async function readCloudAssembly(directory: string): Promise<CloudAssembly> {
  const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as AssemblyManifest;
  const stacks: StackTemplate[] = [];
  for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const template = JSON.parse(await readFile(join(directory, artifact.properties.templateFile), 'utf8')) as Template;
    stacks.push({ stackName: artifact.displayName ?? name, template });
  }
  if (!stacks.length) throw new Error(`${directory} holds no CloudFormation stack: is it a cloud assembly (cdk.out)?`);
  return { directory, stacks };
}
