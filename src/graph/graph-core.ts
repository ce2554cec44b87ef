// Graph bookkeeping: named inputs, trainable params, constants, recorded nodes, outputs, and export to a ModelProto.
import { autofasError } from '../schema/errors.js';
import {
  makeGraph,
  makeModel,
  makeNode,
  makeTensor,
  makeValueInfo,
  type AttrValue,
  type Dim,
  type Dtype,
  type MakeModelOptions,
  type TensorData,
} from './builder.js';
import type { ModelProto, TensorProto } from './onnx-proto.js';

/** A tensor flowing through the graph: its ONNX name, element type and (possibly symbolic) dims. */
export interface Value {
  readonly name: string;
  readonly dtype: Dtype;
  readonly dims: readonly Dim[];
}

/** One recorded op; gradient rules read it. */
export interface GraphNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** Build-time facts gradient rules need that ONNX keeps in constant inputs (axes, sizes, slice bounds). */
  readonly meta: Readonly<Record<string, readonly number[] | undefined>>;
}

/** A trainable weight: its graph value and the Float32Array that holds it (updated in place by optimisers). */
export interface ParamEntry {
  readonly value: Value;
  readonly data: Float32Array;
}

/** Options for Graph#toModel. */
export interface ToModelOptions extends MakeModelOptions {
  /**
   * 'initializers' bakes params into the model (export, serving); 'inputs' makes each param a graph input fed per
   * run (training: params change every step and ORT sessions cannot update initializers in place).
   * @default 'initializers'
   */
  readonly params?: 'initializers' | 'inputs';
  /** Values to expose as outputs, named by their value name. @default the outputs registered with output() */
  readonly outputs?: readonly Value[];
}

function graphError(message: string, details: Record<string, unknown> = {}): Error {
  return autofasError('ERR_AUTOFAS_GRAPH', message, details);
}

const INT_DTYPES: readonly Dtype[] = ['int32', 'int64', 'uint8', 'bool'];

/** Bookkeeping half of Graph (ops live in graph.ts). */
export class GraphCore {
  readonly name: string;
  readonly nodes: GraphNode[] = [];
  private readonly inputList: Value[] = [];
  private readonly paramMap = new Map<string, ParamEntry>();
  private readonly constantMap = new Map<string, TensorProto>();
  private readonly outputList: Value[] = [];
  private readonly taken = new Set<string>();
  private readonly producers = new Map<string, GraphNode>();
  private readonly scalars = new Map<string, Value>();
  private counter = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Declares a fed input: `g.input('x', 'float32', ['N', 16])`. */
  input(name: string, dtype: Dtype, dims: readonly Dim[]): Value {
    const value = this.claim(name, dtype, dims);
    this.inputList.push(value);
    return value;
  }

  /** Declares a trainable float32 weight backed by `data` (kept by reference; optimisers update it in place). */
  param(name: string, dims: readonly number[], data: Float32Array): Value {
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw graphError(`param ${name}: ${data.length} values for dims [${dims.join(',')}]`, { name });
    const value = this.claim(name, 'float32', dims);
    this.paramMap.set(name, { value, data });
    return value;
  }

  /** A constant tensor (always an initializer). */
  constant(data: TensorData | readonly number[], dims: readonly number[], dtype: Dtype = 'float32', name?: string): Value {
    const value = this.claim(name ?? this.fresh('const'), dtype, dims);
    this.constantMap.set(value.name, makeTensor(value.name, dtype, dims, data));
    return value;
  }

  /** A cached rank-0 constant of the given dtype. */
  scalar(x: number, dtype: Dtype = 'float32'): Value {
    const key = `${dtype}:${Object.is(x, -0) ? '-0' : x}`;
    let value = this.scalars.get(key);
    if (!value) {
      value = this.constant([x], [], dtype);
      this.scalars.set(key, value);
    }
    return value;
  }

  /** A cached int64 vector constant (axes, shapes, slice bounds). */
  ints(values: readonly number[]): Value {
    const key = `ints:${values.join(',')}`;
    let value = this.scalars.get(key);
    if (!value) {
      value = this.constant(values, [values.length], 'int64');
      this.scalars.set(key, value);
    }
    return value;
  }

  /** Registers a graph output; with a different `name`, an Identity node gives it that name. */
  output(value: Value, name?: string): Value {
    const out = name === undefined || name === value.name ? value : this.emit('Identity', [value], [value], {}, name)[0];
    this.outputList.push(out);
    return out;
  }

  get inputs(): readonly Value[] {
    return this.inputList;
  }
  get params(): readonly ParamEntry[] {
    return [...this.paramMap.values()];
  }
  get outputs(): readonly Value[] {
    return this.outputList;
  }
  /** The node that produced a value (undefined for inputs, params and constants). */
  producer(value: Value): GraphNode | undefined {
    return this.producers.get(value.name);
  }
  /** True for float dtypes (those that carry gradients). */
  isFloat(value: Value): boolean {
    return !INT_DTYPES.includes(value.dtype);
  }

  /** A new deterministic name `${prefix}_${k}` not used in this graph. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.taken.has(name));
    return name;
  }

  /** Records a node; `outs` gives dtype and dims of each output. Returns the output values. */
  emit(
    opType: string,
    inputs: readonly Value[],
    outs: readonly Pick<Value, 'dtype' | 'dims'>[],
    attrs: Readonly<Record<string, AttrValue>> = {},
    outName?: string,
    meta: Readonly<Record<string, readonly number[] | undefined>> = {},
  ): Value[] {
    const prefix = opType.toLowerCase();
    const outputs = outs.map((o, i) => this.claim(i === 0 && outName ? outName : this.fresh(prefix), o.dtype, o.dims));
    const node: GraphNode = { opType, name: `${prefix}_node_${this.nodes.length}`, inputs, outputs, attrs, meta };
    this.nodes.push(node);
    for (const o of outputs) this.producers.set(o.name, node);
    return outputs;
  }

  private claim(name: string, dtype: Dtype, dims: readonly Dim[]): Value {
    if (this.taken.has(name)) throw graphError(`graph ${this.name}: name '${name}' is already used`, { name });
    this.taken.add(name);
    return Object.freeze({ name, dtype, dims: Object.freeze([...dims]) });
  }

  /** A ModelProto holding only the nodes, inputs, params and constants the chosen outputs depend on. */
  toModel(options: ToModelOptions = {}): ModelProto {
    const outputs = options.outputs ?? this.outputList;
    if (outputs.length === 0) throw graphError(`graph ${this.name}: no outputs`);
    const { nodes, used } = this.prune(outputs);
    const asInputs = options.params === 'inputs';
    const params = this.params.filter((p) => used.has(p.value.name));
    const inputs = [...this.inputList.filter((v) => used.has(v.name)), ...(asInputs ? params.map((p) => p.value) : [])];
    const protoNodes = nodes.map((n) => makeNode(n.opType, n.inputs.map((v) => v.name), n.outputs.map((v) => v.name), n.attrs, n.name));
    const outInfos = outputs.map((v) => makeValueInfo(v.name, v.dtype, v.dims));
    const sourceNames = new Set(inputs.map((v) => v.name).concat([...this.constantMap.keys()], params.map((p) => p.value.name)));
    for (const v of outputs) {
      if (sourceNames.has(v.name)) throw graphError(`output '${v.name}' is an input or initializer; wrap it with identity()`);
    }
    const initializers = [
      ...(asInputs ? [] : params.map((p) => makeTensor(p.value.name, 'float32', p.value.dims as number[], p.data))),
      ...[...this.constantMap.values()].filter((t) => used.has(t.name)),
    ];
    const inputInfos = inputs.map((v) => makeValueInfo(v.name, v.dtype, v.dims));
    return makeModel(makeGraph(protoNodes, this.name, inputInfos, outInfos, initializers), options);
  }

  private prune(outputs: readonly Value[]): { nodes: GraphNode[]; used: Set<string> } {
    const used = new Set(outputs.map((v) => v.name));
    const keep: GraphNode[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (!node.outputs.some((o) => used.has(o.name))) continue;
      keep.push(node);
      for (const v of node.inputs) used.add(v.name);
    }
    return { nodes: keep.reverse(), used };
  }
}
