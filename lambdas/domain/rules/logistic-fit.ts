/**
 * L2-regularised logistic regression by Newton's method (iteratively reweighted least squares): the
 * log-odds of fraud as an intercept plus a weight per feature, fitted to labelled rows. A small
 * solver rather than a library: the pack has a few dozen binary features (its rules' firings), so a
 * Newton step is one d x d system and a fit converges in about ten steps, deterministically, where
 * npm's logistic regression packages run gradient descent with a learning rate to choose.
 *
 * The penalty `l2` (lambda) on the weights, not on the intercept, keeps a rule that fired on a
 * handful of transfers from getting an extreme weight, and makes every step's system positive
 * definite (solved by Cholesky).
 */
export interface LogisticModel {
  readonly intercept: number;
  readonly weights: readonly number[];
  readonly iterations: number;
  readonly converged: boolean;
}

export interface LogisticOptions {
  readonly l2?: number;
  readonly maxIterations?: number;
  /** Stop once no coefficient moves by more than this. */
  readonly tolerance?: number;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function fitLogistic(
  features: ReadonlyArray<ArrayLike<number>>,
  outcomes: readonly boolean[],
  { l2 = 1, maxIterations = 50, tolerance = 1e-7 }: LogisticOptions = {},
): LogisticModel {
  if (features.length !== outcomes.length) throw new RangeError('features and outcomes differ in length');
  if (!outcomes.includes(true) || !outcomes.includes(false))
    throw new RangeError('labels: need both fraud and legitimate rows to fit');
  const d = features[0]?.length ?? 0;
  const size = d + 1;
  // beta[0] is the intercept; its tiny ridge only keeps the system definite when a class is rare.
  const beta = new Float64Array(size);
  const ridge = (j: number) => (j === 0 ? 1e-9 : l2);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const gradient = new Float64Array(size);
    const hessian = Array.from({ length: size }, () => new Float64Array(size));
    for (let i = 0; i < features.length; i++) {
      const x = features[i]!;
      let z = beta[0]!;
      for (let j = 0; j < d; j++) z += beta[j + 1]! * x[j]!;
      const p = sigmoid(z);
      const w = Math.max(p * (1 - p), 1e-12);
      const residual = (outcomes[i] ? 1 : 0) - p;
      for (let a = 0; a < size; a++) {
        const xa = a === 0 ? 1 : x[a - 1]!;
        if (xa === 0) continue;
        gradient[a]! += residual * xa;
        const row = hessian[a]!;
        for (let b = 0; b <= a; b++) {
          const xb = b === 0 ? 1 : x[b - 1]!;
          if (xb !== 0) row[b]! += w * xa * xb;
        }
      }
    }
    for (let a = 0; a < size; a++) {
      gradient[a]! -= ridge(a) * beta[a]!;
      hessian[a]![a]! += ridge(a);
      for (let b = 0; b < a; b++) hessian[b]![a] = hessian[a]![b]!;
    }
    const step = solveCholesky(hessian, gradient);
    let largest = 0;
    for (let j = 0; j < size; j++) {
      beta[j]! += step[j]!;
      largest = Math.max(largest, Math.abs(step[j]!));
    }
    if (largest < tolerance)
      return { intercept: beta[0]!, weights: Array.from(beta.subarray(1)), iterations: iteration, converged: true };
  }
  return { intercept: beta[0]!, weights: Array.from(beta.subarray(1)), iterations: maxIterations, converged: false };
}

/** Solves A x = b for a symmetric positive definite A (the Newton system). */
function solveCholesky(a: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) l[i]![i] = Math.sqrt(Math.max(sum, 1e-12));
      else l[i]![j] = sum / l[j]![j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * y[k]!;
    y[i] = sum / l[i]![i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}
