/**
 * CloudFormation templates as `cdk synth` writes them, and the intrinsic functions they use, resolved
 * to the local runtime's resources. Only what our templates use is resolved; anything else is an
 * error naming the function and where it stands, so that a template the runtime cannot read stops it
 * at start-up instead of running something else.
 */

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
}

export interface Template {
  readonly Resources: Readonly<Record<string, TemplateResource>>;
  readonly Outputs?: Readonly<
    Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>
  >;
  readonly Parameters?: Readonly<Record<string, { readonly Type: string; readonly Default?: unknown }>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
}

/** What a resource resolves to: its `Ref` value and its `Fn::GetAtt` attributes. */
export interface PhysicalResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The pseudo parameters of the local account. */
export interface LocalAccount {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
}

/** Where a value stands, for error messages: stack, resource and property path. */
export type Path = readonly (string | number)[];

export class TemplateError extends Error {
  constructor(stackName: string, path: Path, message: string) {
    super(`${stackName}: ${path.join('.')}: ${message}`);
    this.name = 'TemplateError';
  }
}

/** Removes a property whose value is AWS::NoValue. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves the intrinsic functions of one stack's template. `physical` gives a resource of this stack;
 * `stackOutput` an output of another stack (Fn::GetStackOutput, CDK's weak cross-stack references);
 * `exportedValue` an export (Fn::ImportValue).
 */
export class StackResolver {
  constructor(
    readonly stackName: string,
    readonly template: Template,
    private readonly account: LocalAccount,
    private readonly physical: (logicalId: string) => PhysicalResource,
    private readonly stackOutput: (stackName: string, outputName: string) => string,
    private readonly exportedValue: (name: string) => string,
  ) {}

  /** A value with every intrinsic function resolved. */
  resolve(value: unknown, path: Path = []): unknown {
    const resolved = this.resolveAny(value, path);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** A value that must resolve to a string (a name, an ARN, a URL). */
  string(value: unknown, path: Path): string {
    const resolved = this.resolve(value, path);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new TemplateError(this.stackName, path, `expected a string, found ${JSON.stringify(resolved)}`);
  }

  private resolveAny(value: unknown, path: Path): unknown {
    if (Array.isArray(value))
      return value.map((item, index) => this.resolveAny(item, [...path, index])).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [name, argument] = entries[0]!;
      if (name === 'Ref') return this.ref(argument, path);
      if (name.startsWith('Fn::')) return this.call(name, argument, [...path, name]);
      if (name === 'Condition') throw new TemplateError(this.stackName, path, 'conditions are not supported locally');
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolveAny(item, [...path, key]);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private ref(target: unknown, path: Path): unknown {
    if (typeof target !== 'string') throw new TemplateError(this.stackName, path, 'Ref needs a logical id');
    switch (target) {
      case 'AWS::Region':
        return this.account.region;
      case 'AWS::AccountId':
        return this.account.accountId;
      case 'AWS::Partition':
        return this.account.partition;
      case 'AWS::URLSuffix':
        return this.account.urlSuffix;
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:${this.account.partition}:cloudformation:${this.account.region}:${this.account.accountId}:stack/${this.stackName}/local`;
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    const parameter = this.template.Parameters?.[target];
    if (parameter) {
      if (parameter.Default === undefined)
        throw new TemplateError(this.stackName, path, `parameter ${target} has no default for the local run`);
      return parameter.Default;
    }
    if (!this.template.Resources[target])
      throw new TemplateError(this.stackName, path, `Ref to ${target}, which is not in the template`);
    return this.physical(target).ref;
  }

  private call(name: string, argument: unknown, path: Path): unknown {
    switch (name) {
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        if (typeof logicalId !== 'string' || typeof attribute !== 'string')
          throw new TemplateError(this.stackName, path, 'Fn::GetAtt needs [logicalId, attribute]');
        if (!this.template.Resources[logicalId])
          throw new TemplateError(this.stackName, path, `Fn::GetAtt of ${logicalId}, which is not in the template`);
        const value = this.physical(logicalId).attributes[attribute];
        if (value === undefined)
          throw new TemplateError(
            this.stackName,
            path,
            `${logicalId} (${this.template.Resources[logicalId]!.Type}) has no attribute ${attribute} in the local runtime`,
          );
        return value;
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown];
        const list = this.resolveAny(parts, [...path, 1]);
        if (!Array.isArray(list)) throw new TemplateError(this.stackName, path, 'Fn::Join needs a list');
        return list.map((part, index) => this.asString(part, [...path, 1, index])).join(separator);
      }
      case 'Fn::Sub':
        return this.sub(argument, path);
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        const items = this.resolveAny(list, [...path, 1]);
        const position = Number(this.resolveAny(index, [...path, 0]));
        if (!Array.isArray(items) || !Number.isInteger(position) || position < 0 || position >= items.length)
          throw new TemplateError(this.stackName, path, 'Fn::Select index out of range');
        return items[position];
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return this.asString(this.resolveAny(source, [...path, 1]), path).split(separator);
      }
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = argument as { StackName: unknown; OutputName: unknown };
        return this.stackOutput(this.string(StackName, [...path, 'StackName']), this.string(OutputName, path));
      }
      case 'Fn::ImportValue':
        return this.exportedValue(this.string(argument, path));
      case 'Fn::Base64':
        return Buffer.from(this.asString(this.resolveAny(argument, path), path)).toString('base64');
      case 'Fn::GetAZs':
        return [`${this.account.region}a`, `${this.account.region}b`, `${this.account.region}c`];
      default:
        throw new TemplateError(this.stackName, path, `${name} is not supported by the local runtime`);
    }
  }

  private sub(argument: unknown, path: Path): string {
    const [text, variables] = Array.isArray(argument)
      ? (argument as [string, Record<string, unknown>])
      : [argument, {}];
    if (typeof text !== 'string') throw new TemplateError(this.stackName, path, 'Fn::Sub needs a string');
    const resolvedVariables = this.resolveAny(variables, [...path, 1]) as Record<string, unknown>;
    return text.replace(/\$\{(!?)([^}]+)\}/g, (whole, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (name in resolvedVariables) return this.asString(resolvedVariables[name], path);
      const [logicalId, attribute] = name.split('.');
      const value = attribute ? this.call('Fn::GetAtt', [logicalId, attribute], path) : this.ref(logicalId, path);
      return this.asString(value, path) ?? whole;
    });
  }

  private asString(value: unknown, path: Path): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new TemplateError(this.stackName, path, `expected a string, found ${JSON.stringify(value)}`);
  }
}

/** A construct's logical id without the 8-character hash CDK appends: "AggregatesDCEBC1D6" -> "Aggregates". */
export function withoutHash(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

export const asList = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T];
