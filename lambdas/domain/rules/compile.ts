import type { EvidenceValue, Outcome, Reason } from '../contract/decision.ts';
import { harderOutcome, outcomeOf } from '../contract/decision.ts';
import type { FieldIssue } from '../contract/issues.ts';
import { describeIssues } from '../contract/issues.ts';
import { convertMinorUnits, formatMinorUnits, parseRate, toMinorUnits, type Rate } from '../contract/money.ts';
import { FACTS, type FactDefinition, type Facts } from './facts.ts';
import { RulePackSchema, type Condition, type Predicate, type Rule, type RulePack } from './rule-pack.ts';

/** Indexes of the rules whose condition is true; undefined when none is. */
type FiredRules = (facts: Facts) => number[] | undefined;

export interface CompiledRule {
  readonly id: string;
  readonly typology: string;
  readonly points: number;
  readonly minOutcome?: Outcome;
  readonly holdMinutes?: number;
  readonly reason: (facts: Facts) => Reason;
}

export interface Evaluation {
  readonly score: number;
  readonly outcome: Outcome;
  /** Minutes a DELAY holds the money; undefined for other outcomes. */
  readonly holdMinutes?: number;
  readonly reasons: Reason[];
}

export interface CompiledPack {
  readonly packId: string;
  readonly version: string;
  readonly referenceCurrency: string;
  readonly source: RulePack;
  readonly rules: readonly CompiledRule[];
  /** Amount in minor units of the reference currency, or undefined when the pack has no rate for it. */
  toReference(minor: bigint, currency: string): bigint | undefined;
  evaluate(facts: Facts): Evaluation;
}

export class RulePackError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(`rule pack refused: ${describeIssues(issues)}`);
    this.name = 'RulePackError';
  }
}

/**
 * Validates a rule pack and turns it into plain synchronous closures, once per version: evaluating a
 * transfer then walks no JSON and allocates nothing unless a rule fires.
 */
export function compileRulePack(input: unknown): CompiledPack {
  const parsed = RulePackSchema.safeParse(input);
  if (!parsed.success) {
    throw new RulePackError(
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(pack)', message: i.message })),
    );
  }
  const pack = parsed.data;
  const issues: FieldIssue[] = [];
  const rates = new Map<string, Rate>([[pack.referenceCurrency, { numerator: 1n, denominator: 1n }]]);
  for (const [currency, rate] of Object.entries(pack.fxRates)) if (rate) rates.set(currency, parseRate(rate));

  const seen = new Set<string>();
  const rules: CompiledRule[] = [];
  const conditions = new ConditionCompiler(pack, issues);
  pack.rules.forEach((rule, index) => {
    const path = `rules.${index}`;
    if (seen.has(rule.id)) issues.push({ path: `${path}.id`, message: `duplicate rule id ${rule.id}` });
    seen.add(rule.id);
    if (rule.holdMinutes !== undefined && rule.minOutcome !== 'DELAY') {
      issues.push({ path: `${path}.holdMinutes`, message: 'only a rule with minOutcome DELAY can set holdMinutes' });
    }
    const reason = compileReason(rule, pack, issues, path);
    if (!rule.enabled) {
      // A disabled rule is still checked, so that enabling it later cannot surprise anyone.
      new ConditionCompiler(pack, issues).addRule(-1, rule.when, `${path}.when`);
    } else {
      conditions.addRule(rules.length, rule.when, `${path}.when`);
      rules.push({
        id: rule.id,
        typology: rule.typology,
        points: rule.points,
        reason,
        ...(rule.minOutcome ? { minOutcome: rule.minOutcome } : {}),
        ...(rule.holdMinutes ? { holdMinutes: rule.holdMinutes } : {}),
      });
    }
  });
  if (issues.length) throw new RulePackError(issues);
  const firedRules = conditions.build();

  const thresholds = pack.thresholds;
  return {
    packId: pack.packId,
    version: pack.version,
    referenceCurrency: pack.referenceCurrency,
    source: pack,
    rules,
    toReference(minor, currency) {
      const rate = rates.get(currency);
      if (!rate) return undefined;
      return currency === pack.referenceCurrency
        ? minor
        : convertMinorUnits(minor, currency, pack.referenceCurrency, rate);
    },
    evaluate(facts) {
      let points = 0;
      let forced: Outcome = 'ALLOW';
      let holdMinutes = 0;
      const firedIndexes = firedRules(facts);
      const fired = firedIndexes?.map((index) => rules[index]!);
      for (const rule of fired ?? []) {
        points += rule.points;
        if (rule.minOutcome) forced = harderOutcome(forced, rule.minOutcome);
        if (rule.holdMinutes && rule.holdMinutes > holdMinutes) holdMinutes = rule.holdMinutes;
      }
      const score = Math.min(100, points);
      const outcome = outcomeOf(score, forced, thresholds);
      const reasons = fired ? fired.map((rule) => rule.reason(facts)) : [];
      return outcome === 'DELAY'
        ? { score, outcome, reasons, holdMinutes: Math.max(holdMinutes, pack.delayMinutes) }
        : { score, outcome, reasons };
    },
  };
}

/**
 * Turns every rule's condition into the source of one JavaScript function for the whole pack, so that
 * V8 sees plain property reads and comparisons it can inline (a closure per predicate or per rule
 * leaves megamorphic calls behind: several times slower). Conditions use Kleene logic: a predicate on
 * a fact the event did not carry is unknown (undefined), and only a condition that is true fires. Nothing from the pack reaches the source unescaped: fact names must be catalogue
 * keys (fixed identifier paths), numbers are validated integers, money becomes a bigint literal from
 * validated digits, and strings are passed as constants, never spliced into code.
 */
class ConditionCompiler {
  private readonly lines: string[] = [];
  private readonly constants: unknown[] = [];
  private variables = 0;

  constructor(
    private readonly pack: RulePack,
    private readonly issues: FieldIssue[],
  ) {}

  addRule(index: number, condition: Condition, path: string): void {
    const result = this.node(condition, path);
    this.lines.push(`  if (${result} === true) (fired ??= []).push(${index});`);
  }

  build(): FiredRules {
    const locals = ['fired', ...Array.from({ length: this.variables }, (_, i) => `t${i}`)].join(', ');
    const body = `"use strict";\nreturn function firedRules(f) {\n  let ${locals};\n${this.lines.join('\n')}\n  return fired;\n};`;
    return new Function('k', body)(this.constants) as FiredRules;
  }

  private fresh(): string {
    return `t${this.variables++}`;
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  /** Emits statements computing the node's truth (true, false or undefined) and names the variable holding it. */
  private node(condition: Condition, path: string): string {
    if ('all' in condition || 'any' in condition) {
      const isAll = 'all' in condition;
      const children = isAll ? condition.all : condition.any;
      const decisive = isAll ? 'false' : 'true';
      const result = this.fresh();
      this.lines.push(`  ${result} = ${isAll ? 'true' : 'false'};`);
      let closing = '';
      children.forEach((child, i) => {
        const value = this.node(child, `${path}.${isAll ? 'all' : 'any'}.${i}`);
        this.lines.push(
          `  if (${value} === ${decisive}) ${result} = ${decisive}; else {`,
          `  if (${value} === undefined) ${result} = undefined;`,
        );
        closing += '}';
      });
      this.lines.push(`  ${closing}`);
      return result;
    }
    if ('not' in condition) {
      const inner = this.node(condition.not, `${path}.not`);
      const result = this.fresh();
      this.lines.push(`  ${result} = ${inner} === undefined ? undefined : !${inner};`);
      return result;
    }
    const test = this.predicate(condition, path);
    const result = this.fresh();
    this.lines.push(`  ${result} = ${test ?? 'undefined'};`);
    return result;
  }

  private fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  /** An expression over the fact value `v`, wrapped so that a missing fact gives undefined. */
  private guarded(fact: string, expression: (v: string) => string, alsoDefined?: string): string {
    const value = this.fresh();
    const other = alsoDefined ? ` || ${alsoDefined} === undefined` : '';
    return `((${value} = f.${fact}) === undefined${other} ? undefined : ${expression(value)})`;
  }

  private predicate(p: Predicate, path: string): string | undefined {
    const definition = FACTS[p.fact];
    if (!definition) return this.fail(`${path}.fact`, unknownFact(p.fact));
    if (p.op === 'exists') return `(f.${p.fact} !== undefined)`;

    switch (definition.type) {
      case 'money':
      case 'integer':
        return this.numeric(p, definition, path);
      case 'boolean': {
        if (p.op !== 'eq' && p.op !== 'ne') return this.fail(`${path}.op`, `${p.fact} is a boolean: use eq or ne`);
        if (typeof p.value !== 'boolean')
          return this.fail(`${path}.value`, `${p.fact} is a boolean: value must be true or false`);
        const wanted = p.op === 'eq' ? p.value : !p.value;
        return this.guarded(p.fact, (v) => `${v} === ${wanted}`);
      }
      case 'string':
        return this.membership(p, definition, path);
      case 'text': {
        if (p.op !== 'containsAny') return this.fail(`${path}.op`, `${p.fact} is free text: use containsAny`);
        const keywords = this.stringValues(p, path)?.map((k) => k.normalize('NFKC').toLowerCase());
        if (!keywords) return undefined;
        const list = this.constant(keywords);
        return this.guarded(p.fact, (v) => `${list}.some((keyword) => ${v}.includes(keyword))`);
      }
    }
  }

  private numeric(p: Predicate, definition: FactDefinition, path: string): string | undefined {
    const operator = OPERATORS[p.op as keyof typeof OPERATORS];
    if (!operator) {
      return this.fail(
        `${path}.op`,
        `${p.fact} is ${definition.type === 'money' ? 'money' : 'a number'}: use eq, ne, gt, gte, lt or lte`,
      );
    }
    const isMoney = definition.type === 'money';
    if (p.compareTo !== undefined) {
      const other = FACTS[p.compareTo];
      if (!other) return this.fail(`${path}.compareTo`, unknownFact(p.compareTo));
      if (other.type !== definition.type) {
        return this.fail(
          `${path}.compareTo`,
          `${p.compareTo} is ${other.type}; it cannot be compared with ${p.fact} (${definition.type})`,
        );
      }
      if (p.value !== undefined) return this.fail(`${path}.value`, 'give either value or compareTo, not both');
      const percent = p.percent ?? 100;
      const suffix = isMoney ? 'n' : '';
      return this.guarded(
        p.fact,
        (v) => `${v} * 100${suffix} ${operator} f.${p.compareTo} * ${percent}${suffix}`,
        `f.${p.compareTo}`,
      );
    }
    if (p.percent !== undefined) return this.fail(`${path}.percent`, 'percent applies only with compareTo');
    if (isMoney) {
      if (typeof p.value !== 'string') {
        return this.fail(
          `${path}.value`,
          `${p.fact} is money: value must be a decimal string in ${this.pack.referenceCurrency}, such as "1000000"`,
        );
      }
      let limit: bigint;
      try {
        limit = toMinorUnits(p.value, this.pack.referenceCurrency);
      } catch (error) {
        return this.fail(`${path}.value`, (error as Error).message);
      }
      return this.guarded(p.fact, (v) => `${v} ${operator} ${limit}n`);
    }
    if (typeof p.value !== 'number' || !Number.isSafeInteger(p.value)) {
      return this.fail(`${path}.value`, `${p.fact} is a whole number: value must be an integer`);
    }
    const limit = p.value;
    return this.guarded(p.fact, (v) => `${v} ${operator} ${limit}`);
  }

  private membership(p: Predicate, definition: FactDefinition, path: string): string | undefined {
    if (p.op === 'eq' || p.op === 'ne') {
      if (typeof p.value !== 'string') return this.fail(`${path}.value`, `${p.fact} is text: value must be a string`);
      this.checkAllowed(definition, [p.value], `${path}.value`, p.fact);
      const wanted = this.constant(p.value);
      return this.guarded(p.fact, (v) => `${v} ${p.op === 'eq' ? '===' : '!=='} ${wanted}`);
    }
    if (p.op !== 'in' && p.op !== 'notIn')
      return this.fail(`${path}.op`, `${p.fact} is a code: use eq, ne, in or notIn`);
    const values = this.stringValues(p, path);
    if (!values) return undefined;
    this.checkAllowed(definition, values, p.list ? `${path}.list` : `${path}.value`, p.fact);
    const set = this.constant(new Set(values));
    return this.guarded(p.fact, (v) => `${p.op === 'in' ? '' : '!'}${set}.has(${v})`);
  }

  private stringValues(p: Predicate, path: string): string[] | undefined {
    if (p.list !== undefined) {
      if (p.value !== undefined) return this.fail(`${path}.value`, 'give either value or list, not both');
      const list = this.pack.lists[p.list];
      if (!list)
        return this.fail(
          `${path}.list`,
          `no list named "${p.list}" in lists; defined: ${Object.keys(this.pack.lists).join(', ') || 'none'}`,
        );
      return list;
    }
    if (!Array.isArray(p.value))
      return this.fail(`${path}.value`, `${p.op} needs an array of strings in value, or a list name in list`);
    return p.value;
  }

  private checkAllowed(definition: FactDefinition, values: string[], path: string, factName: string) {
    if (!definition.values) return;
    const unknown = values.filter((v) => !definition.values!.includes(v));
    if (unknown.length) {
      this.issues.push({
        path,
        message: `${unknown.map((v) => JSON.stringify(v)).join(', ')} can never be a value of ${factName}${definition.values.length <= 10 ? `; expected one of ${definition.values.join(', ')}` : ''}`,
      });
    }
  }
}

/** Names the nearest catalogue fact, since most unknown facts are typos of a real one. */
function unknownFact(name: string): string {
  let best = '';
  let bestDistance = Infinity;
  for (const known of Object.keys(FACTS)) {
    const distance = editDistance(name, known);
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return bestDistance <= Math.max(3, name.length / 4)
    ? `unknown fact "${name}"; did you mean "${best}"?`
    : `unknown fact "${name}"; the facts a rule can use are listed in the README (Rule packs)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const OPERATORS = { eq: '===', ne: '!==', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** "1500000.50" -> "1,500,000.50", on the decimal string (money never becomes a float, even for display). */
function groupThousands(decimal: string): string {
  const [whole = '', fraction] = decimal.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** "{creditor.distinctSenders24h}" placeholders are resolved against the fact catalogue at compile time. */
function compileReason(rule: Rule, pack: RulePack, issues: FieldIssue[], path: string): (facts: Facts) => Reason {
  const render = (value: unknown, definition: FactDefinition): EvidenceValue => {
    if (value === undefined) return null;
    if (definition.type === 'money')
      return { value: formatMinorUnits(value as bigint, pack.referenceCurrency), currency: pack.referenceCurrency };
    return value as string | number | boolean;
  };
  const text = (value: EvidenceValue): string =>
    value === null
      ? 'unknown'
      : typeof value === 'object'
        ? `${value.currency} ${groupThousands(value.value)}`
        : String(value);

  const parts: Array<string | FactDefinition> = [];
  let last = 0;
  for (const match of rule.explanation.matchAll(/\{([^}]+)\}/g)) {
    parts.push(rule.explanation.slice(last, match.index));
    const definition = FACTS[match[1]!];
    if (!definition)
      issues.push({ path: `${path}.explanation`, message: `${unknownFact(match[1]!)} (in "{${match[1]}}")` });
    else parts.push(definition);
    last = match.index + match[0].length;
  }
  parts.push(rule.explanation.slice(last));

  const evidence: Array<[string, FactDefinition]> = [];
  rule.evidence.forEach((name, i) => {
    const definition = FACTS[name];
    if (!definition) issues.push({ path: `${path}.evidence.${i}`, message: unknownFact(name) });
    else evidence.push([name, definition]);
  });

  return (facts) => {
    let explanation = '';
    for (const part of parts) explanation += typeof part === 'string' ? part : text(render(part.get(facts), part));
    const values: Record<string, EvidenceValue> = {};
    for (const [name, definition] of evidence) values[name] = render(definition.get(facts), definition);
    return { ruleId: rule.id, typology: rule.typology, points: rule.points, explanation, evidence: values };
  };
}
