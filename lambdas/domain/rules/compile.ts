import type { EvidenceValue, Outcome, Reason } from '../contract/decision.ts';
import { harderOutcome } from '../contract/decision.ts';
import type { FieldIssue } from '../contract/issues.ts';
import { describeIssues } from '../contract/issues.ts';
import { convertMinorUnits, formatMinorUnits, parseRate, toMinorUnits, type Rate } from '../contract/money.ts';
import { FACTS, type FactDefinition, type Facts } from './facts.ts';
import { RulePackSchema, type Condition, type Predicate, type Rule, type RulePack } from './rule-pack.ts';

/** Kleene logic: a condition over a fact the event did not carry is unknown, and unknown never fires. */
type Truth = boolean | undefined;
type Test = (facts: Facts) => Truth;

export interface CompiledRule {
  readonly id: string;
  readonly typology: string;
  readonly points: number;
  readonly minOutcome?: Outcome;
  readonly holdMinutes?: number;
  readonly test: Test;
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
    throw new RulePackError(parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(pack)', message: i.message })));
  }
  const pack = parsed.data;
  const issues: FieldIssue[] = [];
  const rates = new Map<string, Rate>([[pack.referenceCurrency, { numerator: 1n, denominator: 1n }]]);
  for (const [currency, rate] of Object.entries(pack.fxRates)) if (rate) rates.set(currency, parseRate(rate));

  const seen = new Set<string>();
  const rules: CompiledRule[] = [];
  pack.rules.forEach((rule, index) => {
    const path = `rules.${index}`;
    if (seen.has(rule.id)) issues.push({ path: `${path}.id`, message: `duplicate rule id ${rule.id}` });
    seen.add(rule.id);
    if (rule.holdMinutes !== undefined && rule.minOutcome !== 'DELAY') {
      issues.push({ path: `${path}.holdMinutes`, message: 'only a rule with minOutcome DELAY can set holdMinutes' });
    }
    const compiler = new ConditionCompiler(pack, issues);
    const test = compiler.compile(rule.when, `${path}.when`);
    const reason = compileReason(rule, pack, issues, path);
    if (rule.enabled) {
      rules.push({
        id: rule.id,
        typology: rule.typology,
        points: rule.points,
        test,
        reason,
        ...(rule.minOutcome ? { minOutcome: rule.minOutcome } : {}),
        ...(rule.holdMinutes ? { holdMinutes: rule.holdMinutes } : {}),
      });
    }
  });
  if (issues.length) throw new RulePackError(issues);

  const { delay, review } = pack.thresholds;
  return {
    packId: pack.packId,
    version: pack.version,
    referenceCurrency: pack.referenceCurrency,
    source: pack,
    rules,
    toReference(minor, currency) {
      const rate = rates.get(currency);
      if (!rate) return undefined;
      return currency === pack.referenceCurrency ? minor : convertMinorUnits(minor, currency, pack.referenceCurrency, rate);
    },
    evaluate(facts) {
      let points = 0;
      let forced: Outcome = 'ALLOW';
      let holdMinutes = 0;
      let fired: CompiledRule[] | undefined;
      for (const rule of rules) {
        if (rule.test(facts) !== true) continue;
        (fired ??= []).push(rule);
        points += rule.points;
        if (rule.minOutcome) forced = harderOutcome(forced, rule.minOutcome);
        if (rule.holdMinutes && rule.holdMinutes > holdMinutes) holdMinutes = rule.holdMinutes;
      }
      const score = Math.min(100, points);
      const byScore: Outcome = score >= review ? 'REVIEW' : score >= delay ? 'DELAY' : 'ALLOW';
      const outcome = harderOutcome(byScore, forced);
      const reasons = fired ? fired.map((rule) => rule.reason(facts)) : [];
      return outcome === 'DELAY'
        ? { score, outcome, reasons, holdMinutes: Math.max(holdMinutes, pack.delayMinutes) }
        : { score, outcome, reasons };
    },
  };
}

class ConditionCompiler {
  constructor(
    private readonly pack: RulePack,
    private readonly issues: FieldIssue[],
  ) {}

  compile(condition: Condition, path: string): Test {
    if ('all' in condition) {
      const parts = condition.all.map((c, i) => this.compile(c, `${path}.all.${i}`));
      return (facts) => {
        let result: Truth = true;
        for (const part of parts) {
          const truth = part(facts);
          if (truth === false) return false;
          if (truth === undefined) result = undefined;
        }
        return result;
      };
    }
    if ('any' in condition) {
      const parts = condition.any.map((c, i) => this.compile(c, `${path}.any.${i}`));
      return (facts) => {
        let result: Truth = false;
        for (const part of parts) {
          const truth = part(facts);
          if (truth === true) return true;
          if (truth === undefined) result = undefined;
        }
        return result;
      };
    }
    if ('not' in condition) {
      const inner = this.compile(condition.not, `${path}.not`);
      return (facts) => {
        const truth = inner(facts);
        return truth === undefined ? undefined : !truth;
      };
    }
    return this.predicate(condition, path);
  }

  private fail(path: string, message: string): Test {
    this.issues.push({ path, message });
    return () => undefined;
  }

  private predicate(p: Predicate, path: string): Test {
    const definition = FACTS[p.fact];
    if (!definition) return this.fail(`${path}.fact`, `unknown fact "${p.fact}"; known facts: ${Object.keys(FACTS).join(', ')}`);
    const get = definition.get;
    if (p.op === 'exists') return (facts) => get(facts) !== undefined;

    switch (definition.type) {
      case 'money':
      case 'integer':
        return this.numeric(p, definition, path);
      case 'boolean': {
        if (p.op !== 'eq' && p.op !== 'ne') return this.fail(`${path}.op`, `${p.fact} is a boolean: use eq or ne`);
        if (typeof p.value !== 'boolean') return this.fail(`${path}.value`, `${p.fact} is a boolean: value must be true or false`);
        const wanted = p.op === 'eq' ? p.value : !p.value;
        return (facts) => {
          const v = get(facts);
          return v === undefined ? undefined : v === wanted;
        };
      }
      case 'string':
        return this.membership(p, definition, path);
      case 'text': {
        if (p.op !== 'containsAny') return this.fail(`${path}.op`, `${p.fact} is free text: use containsAny`);
        const keywords = this.stringValues(p, path)?.map((k) => k.normalize('NFKC').toLowerCase());
        if (!keywords) return () => undefined;
        return (facts) => {
          const text = get(facts) as string | undefined;
          if (text === undefined) return undefined;
          for (const keyword of keywords) if (text.includes(keyword)) return true;
          return false;
        };
      }
    }
  }

  private numeric(p: Predicate, definition: FactDefinition, path: string): Test {
    if (!(COMPARE as Record<string, unknown>)[p.op]) {
      return this.fail(`${path}.op`, `${p.fact} is ${definition.type === 'money' ? 'money' : 'a number'}: use eq, ne, gt, gte, lt or lte`);
    }
    const compare = COMPARE[p.op as keyof typeof COMPARE];
    const get = definition.get;
    const isMoney = definition.type === 'money';

    if (p.compareTo !== undefined) {
      const other = FACTS[p.compareTo];
      if (!other) return this.fail(`${path}.compareTo`, `unknown fact "${p.compareTo}"`);
      if (other.type !== definition.type) {
        return this.fail(`${path}.compareTo`, `${p.compareTo} is ${other.type}; it cannot be compared with ${p.fact} (${definition.type})`);
      }
      if (p.value !== undefined) return this.fail(`${path}.value`, 'give either value or compareTo, not both');
      const percent = p.percent ?? 100;
      const getOther = other.get;
      if (isMoney) {
        const scale = BigInt(percent);
        return (facts) => {
          const a = get(facts) as bigint | undefined;
          const b = getOther(facts) as bigint | undefined;
          return a === undefined || b === undefined ? undefined : compare(a * 100n, b * scale);
        };
      }
      return (facts) => {
        const a = get(facts) as number | undefined;
        const b = getOther(facts) as number | undefined;
        return a === undefined || b === undefined ? undefined : compare(a * 100, b * percent);
      };
    }
    if (p.percent !== undefined) return this.fail(`${path}.percent`, 'percent applies only with compareTo');

    if (isMoney) {
      if (typeof p.value !== 'string') {
        return this.fail(`${path}.value`, `${p.fact} is money: value must be a decimal string in ${this.pack.referenceCurrency}, such as "1000000"`);
      }
      let limit: bigint;
      try {
        limit = toMinorUnits(p.value, this.pack.referenceCurrency);
      } catch (error) {
        return this.fail(`${path}.value`, (error as Error).message);
      }
      return (facts) => {
        const a = get(facts) as bigint | undefined;
        return a === undefined ? undefined : compare(a, limit);
      };
    }
    if (typeof p.value !== 'number' || !Number.isInteger(p.value)) {
      return this.fail(`${path}.value`, `${p.fact} is a whole number: value must be an integer`);
    }
    const limit = p.value;
    return (facts) => {
      const a = get(facts) as number | undefined;
      return a === undefined ? undefined : compare(a, limit);
    };
  }

  private membership(p: Predicate, definition: FactDefinition, path: string): Test {
    const get = definition.get;
    if (p.op === 'eq' || p.op === 'ne') {
      if (typeof p.value !== 'string') return this.fail(`${path}.value`, `${p.fact} is text: value must be a string`);
      this.checkAllowed(definition, [p.value], `${path}.value`, p.fact);
      const wanted = p.value;
      const equal = p.op === 'eq';
      return (facts) => {
        const v = get(facts);
        return v === undefined ? undefined : (v === wanted) === equal;
      };
    }
    if (p.op !== 'in' && p.op !== 'notIn') return this.fail(`${path}.op`, `${p.fact} is a code: use eq, ne, in or notIn`);
    const values = this.stringValues(p, path);
    if (!values) return () => undefined;
    this.checkAllowed(definition, values, p.list ? `${path}.list` : `${path}.value`, p.fact);
    const set = new Set(values);
    const member = p.op === 'in';
    return (facts) => {
      const v = get(facts) as string | undefined;
      return v === undefined ? undefined : set.has(v) === member;
    };
  }

  private stringValues(p: Predicate, path: string): string[] | undefined {
    if (p.list !== undefined) {
      if (p.value !== undefined) {
        this.issues.push({ path: `${path}.value`, message: 'give either value or list, not both' });
        return undefined;
      }
      const list = this.pack.lists[p.list];
      if (!list) {
        this.issues.push({ path: `${path}.list`, message: `no list named "${p.list}" in lists; defined: ${Object.keys(this.pack.lists).join(', ') || 'none'}` });
        return undefined;
      }
      return list;
    }
    if (!Array.isArray(p.value)) {
      this.issues.push({ path: `${path}.value`, message: `${p.op} needs an array of strings in value, or a list name in list` });
      return undefined;
    }
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

const COMPARE = {
  eq: <T>(a: T, b: T) => a === b,
  ne: <T>(a: T, b: T) => a !== b,
  gt: <T>(a: T, b: T) => a > b,
  gte: <T>(a: T, b: T) => a >= b,
  lt: <T>(a: T, b: T) => a < b,
  lte: <T>(a: T, b: T) => a <= b,
} as const;

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
    if (definition.type === 'money') return { value: formatMinorUnits(value as bigint, pack.referenceCurrency), currency: pack.referenceCurrency };
    return value as string | number | boolean;
  };
  const text = (value: EvidenceValue): string =>
    value === null ? 'unknown' : typeof value === 'object' ? `${value.currency} ${groupThousands(value.value)}` : String(value);

  const parts: Array<string | FactDefinition> = [];
  let last = 0;
  for (const match of rule.explanation.matchAll(/\{([^}]+)\}/g)) {
    parts.push(rule.explanation.slice(last, match.index));
    const definition = FACTS[match[1]!];
    if (!definition) issues.push({ path: `${path}.explanation`, message: `unknown fact "{${match[1]}}" in the explanation` });
    else parts.push(definition);
    last = match.index + match[0].length;
  }
  parts.push(rule.explanation.slice(last));

  const evidence: Array<[string, FactDefinition]> = [];
  rule.evidence.forEach((name, i) => {
    const definition = FACTS[name];
    if (!definition) issues.push({ path: `${path}.evidence.${i}`, message: `unknown fact "${name}"` });
    else evidence.push([name, definition]);
  });

  return (facts) => ({
    ruleId: rule.id,
    typology: rule.typology,
    points: rule.points,
    explanation: parts.map((part) => (typeof part === 'string' ? part : text(render(part.get(facts), part)))).join(''),
    evidence: Object.fromEntries(evidence.map(([name, definition]) => [name, render(definition.get(facts), definition)])),
  });
}

