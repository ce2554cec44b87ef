// Test helper: checks one op's forward (dims vs ORT, optional JS reference) and its gradient rule vs central differences.
import assert from 'node:assert/strict';
import { grad } from '../../src/graph/autodiff.js';
import { encodeModel, type Dim, type Dtype, type TensorData } from '../../src/graph/builder.js';
import { Graph, type Value } from '../../src/graph/graph.js';
import { createSession, type Feeds } from '../../src/graph/runtime.js';
import { createRng } from '../../src/util/random.js';

/** One input of an op case. */
export interface CaseInput {
  /** Declared dims (may be symbolic). */
  readonly dims: readonly Dim[];
  /** Concrete run-time shape. @default dims (all numeric) */
  readonly shape?: readonly number[];
  /** @default the case dtype (float64) */
  readonly dtype?: Dtype;
  /** Explicit values; otherwise uniform in [low, high]. */
  readonly data?: readonly number[];
  readonly low?: number;
  readonly high?: number;
}

/** An op case: inputs, how to build the op, and an optional JS reference for the forward. */
export interface OpCase {
  readonly name: string;
  readonly inputs: readonly CaseInput[];
  readonly build: (g: Graph, xs: Value[]) => Value;
  readonly reference?: (xs: number[][]) => number[];
}

function typed(dtype: Dtype, values: readonly number[]): TensorData {
  if (dtype === 'float32') return Float32Array.from(values);
  if (dtype === 'int32') return Int32Array.from(values);
  if (dtype === 'int64') return BigInt64Array.from(values, (v) => BigInt(v));
  if (dtype === 'bool' || dtype === 'uint8') return Uint8Array.from(values);
  return Float64Array.from(values);
}

/** The given data of an input, else uniform random values in [low, high) (default [-2, 2)). */
function inputValues(spec: OpCase['inputs'][number], rng: ReturnType<typeof createRng>): number[] {
  const shape = spec.shape ?? (spec.dims as number[]);
  const n = shape.reduce((a, b) => a * b, 1);
  const lo = spec.low ?? -2;
  const hi = spec.high ?? 2;
  return spec.data ? [...spec.data] : Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/**
 * Forward: output dims inferred by the builder match ORT's (symbolic dims excepted) and values match `reference`.
 * Backward: analytic gradients of loss = sum(op(x) * r) (r random) match central differences of the same forward run
 * in ORT in float64 (eps 1e-6; float64 keeps the difference quotient accurate to ~1e-9, so tolerances stay tight).
 * Resolves to the op types the case built once their gradients passed that check (rejects otherwise).
 */
export async function checkOp(c: OpCase, floatType: Dtype = 'float64'): Promise<ReadonlySet<string>> {
  const rng = createRng(c.name.length * 7919 + 13);
  const g = new Graph(`check_${c.name}`);
  const dtypes = c.inputs.map((i) => i.dtype ?? floatType);
  const xs = c.inputs.map((spec, k) => g.input(`x${k}`, dtypes[k], spec.dims));
  const values = c.inputs.map((spec) => inputValues(spec, rng));
  const shapes = c.inputs.map((spec) => spec.shape ?? (spec.dims as number[]));
  const startNodes = g.nodes.length;
  const y = c.build(g, xs);
  const built = new Set(g.nodes.slice(startNodes).map((node) => node.opType));
  const r = g.input('r', y.dtype, y.dims.map((_, i) => `r${i}`));
  const loss = g.reduceSum(g.mul(y, r));
  const wrt = xs.filter((x) => g.isFloat(x));
  assert.ok(wrt.length > 0, `${c.name}: no float input to check a gradient against`);
  const grads = grad(g, loss, wrt);
  const outY = g.identity(y);
  const session = await createSession(encodeModel(g.toModel({ outputs: [loss, outY, ...grads] })));
  try {
    const feeds: Record<string, { data: TensorData; dims: number[] }> = {};
    xs.forEach((x, k) => (feeds[x.name] = { data: typed(dtypes[k], values[k]), dims: [...shapes[k]] }));
    // First run with r = 0 only to learn y's run-time shape.
    const probe = await session.run({ ...feeds, r: { data: typed(y.dtype, [0]), dims: y.dims.map(() => 1) } }, [outY.name]);
    const yShape = probe[outY.name].dims as number[];
    assert.equal(yShape.length, y.dims.length, `${c.name}: rank`);
    y.dims.forEach((d, i) => typeof d === 'number' && assert.equal(yShape[i], d, `${c.name}: dim ${i}`));
    const rValues = Array.from({ length: yShape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1);
    feeds.r = { data: typed(y.dtype, rValues), dims: [...yShape] };
    const out = await session.run(feeds);
    if (c.reference) assertClose(Array.from(out[outY.name].data as Float64Array), c.reference(values), 1e-5, `${c.name} forward`);
    for (const [k, x] of xs.entries()) {
      const gi = wrt.indexOf(x);
      if (gi < 0) continue;
      const analytic = Array.from(out[grads[gi].name].data as Float64Array);
      const numeric = await numericGrad(session, feeds, x.name, values[k], dtypes[k], loss.name);
      assertClose(analytic, numeric, dtypes[k] === 'float64' ? 1e-5 : 2e-2, `${c.name} d/d${x.name}`);
    }
    return built;
  } finally {
    await session.dispose();
  }
}

async function numericGrad(
  session: Awaited<ReturnType<typeof createSession>>,
  feeds: Record<string, { data: TensorData; dims: number[] }>,
  name: string,
  values: readonly number[],
  dtype: Dtype,
  lossName: string,
): Promise<number[]> {
  const eps = dtype === 'float64' ? 1e-6 : 1e-2;
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const at = async (delta: number): Promise<number> => {
      const v = [...values];
      v[i] += delta;
      const f: Feeds = { ...feeds, [name]: { data: typed(dtype, v), dims: feeds[name].dims } };
      return Number((await session.run(f, [lossName]))[lossName].data[0]);
    };
    out.push(((await at(eps)) - (await at(-eps))) / (2 * eps));
  }
  return out;
}

function assertClose(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}
