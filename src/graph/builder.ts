// onnx.helper-style constructors over the ONNX protobuf: makeNode / makeTensor / makeValueInfo / makeGraph / makeModel.
import { endianness } from 'node:os';
import { autofasError } from '../schema/errors.js';
import {
  ATTRIBUTE_TYPE,
  DATA_TYPE,
  decodeModelProto,
  encodeModelProto,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto.js';

/** Element types the engine handles. */
export type Dtype = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'uint8';
/** A dimension: a known size, or a symbolic name such as 'N' (ONNX dim_param). */
export type Dim = number | string;
/** Typed array backing a tensor of each dtype. */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** Forces a FLOAT attribute (a plain integer-valued number would otherwise become INT). */
export interface FloatAttr {
  readonly float: number;
}
/** Attribute values: integer -> INT, non-integer number -> FLOAT, string -> STRING, number[] -> INTS. */
export type AttrValue = number | string | readonly number[] | FloatAttr | TensorProto;

/** Marks a number as a FLOAT attribute: `makeNode('Gemm', ..., { alpha: attrFloat(1) })`. */
export function attrFloat(value: number): FloatAttr {
  return { float: value };
}

const IR_VERSION = 8; // opset 18 needs IR >= 8; onnxruntime 1.30 reads up to IR 10+.
const LITTLE_ENDIAN = endianness() === 'LE';
const TEXT = new TextEncoder();

function makeAttribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: ATTRIBUTE_TYPE.INT, i: value } : { name, type: ATTRIBUTE_TYPE.FLOAT, f: value };
  }
  if (typeof value === 'string') return { name, type: ATTRIBUTE_TYPE.STRING, s: TEXT.encode(value) };
  if (Array.isArray(value)) return { name, type: ATTRIBUTE_TYPE.INTS, ints: [...(value as number[])] };
  if ('float' in value) return { name, type: ATTRIBUTE_TYPE.FLOAT, f: value.float };
  return { name, type: ATTRIBUTE_TYPE.TENSOR, t: value as TensorProto };
}

/** A NodeProto with attributes sorted by name (so equal nodes encode to equal bytes). */
export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Readonly<Record<string, AttrValue>> = {},
  name?: string,
): NodeProto {
  const attribute = Object.keys(attrs)
    .sort()
    .map((key) => makeAttribute(key, attrs[key]));
  return { input: [...inputs], output: [...outputs], name: name ?? `${opType}_${outputs[0] ?? ''}`, op_type: opType, attribute };
}

function asTypedArray(dtype: Dtype, data: TensorData | readonly number[]): TensorData {
  if (!Array.isArray(data)) return data as TensorData;
  const values = data as readonly number[];
  switch (dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int32': return Int32Array.from(values);
    case 'int64': return BigInt64Array.from(values, (v) => BigInt(v));
    default: return Uint8Array.from(values);
  }
}

/** A TensorProto stored as little-endian raw_data. */
export function makeTensor(name: string, dtype: Dtype, dims: readonly number[], data: TensorData | readonly number[]): TensorProto {
  if (!LITTLE_ENDIAN) throw autofasError('ERR_AUTOFAS_GRAPH', 'makeTensor: big-endian hosts are not supported');
  const typed = asTypedArray(dtype, data);
  const count = dims.reduce((a, b) => a * b, 1);
  if (typed.length !== count) {
    throw autofasError('ERR_AUTOFAS_GRAPH', `makeTensor ${name}: ${typed.length} values for dims [${dims.join(',')}]`, { name });
  }
  const raw = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength).slice();
  return { name, dims: [...dims], data_type: DATA_TYPE[dtype], raw_data: raw };
}

/** Reads a TensorProto's values back (raw_data or the typed *_data fields). */
export function tensorData(tensor: TensorProto): TensorData {
  const dtype = dtypeOf(tensor.data_type);
  const raw = tensor.raw_data;
  if (raw && raw.length > 0) {
    const bytes = new Uint8Array(raw); // copy (Buffer#slice is a view): aligned, detached from the decoder buffer
    switch (dtype) {
      case 'float32': return new Float32Array(bytes.buffer);
      case 'float64': return new Float64Array(bytes.buffer);
      case 'int32': return new Int32Array(bytes.buffer);
      case 'int64': return new BigInt64Array(bytes.buffer);
      default: return bytes;
    }
  }
  if (dtype === 'float32') return Float32Array.from(tensor.float_data ?? []);
  if (dtype === 'float64') return Float64Array.from(tensor.double_data ?? []);
  if (dtype === 'int64') return BigInt64Array.from(tensor.int64_data ?? [], (v) => BigInt(v));
  if (dtype === 'int32') return Int32Array.from(tensor.int32_data ?? []);
  return Uint8Array.from(tensor.int32_data ?? []);
}

/** The Dtype for an ONNX data_type code. */
export function dtypeOf(code: number): Dtype {
  const found = (Object.keys(DATA_TYPE) as Dtype[]).find((k) => DATA_TYPE[k] === code);
  if (!found) throw autofasError('ERR_AUTOFAS_GRAPH', `unsupported ONNX data_type ${code}`, { code });
  return found;
}

/** A ValueInfoProto; `dims` may hold symbolic names ('N'); `null` dims means unknown rank. */
export function makeValueInfo(name: string, dtype: Dtype, dims: readonly Dim[] | null): ValueInfoProto {
  const dim = (dims ?? []).map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  const tensorType = dims === null ? { elem_type: DATA_TYPE[dtype] } : { elem_type: DATA_TYPE[dtype], shape: { dim } };
  return { name, type: { tensor_type: tensorType as ValueInfoProto['type']['tensor_type'] } };
}

/** Reads dtype and dims back from a ValueInfoProto. */
export function valueInfoShape(info: ValueInfoProto): { name: string; dtype: Dtype; dims: Dim[] } {
  const t = info.type.tensor_type;
  const dims = (t.shape?.dim ?? []).map((d) => (d.dim_param !== undefined && d.dim_param !== '' ? d.dim_param : Number(d.dim_value ?? 0)));
  return { name: info.name, dtype: dtypeOf(t.elem_type), dims };
}

/** A GraphProto (onnx.helper.make_graph argument order). */
export function makeGraph(
  nodes: readonly NodeProto[],
  name: string,
  inputs: readonly ValueInfoProto[],
  outputs: readonly ValueInfoProto[],
  initializers: readonly TensorProto[] = [],
  valueInfo: readonly ValueInfoProto[] = [],
): GraphProto {
  return { name, node: [...nodes], input: [...inputs], output: [...outputs], initializer: [...initializers], value_info: [...valueInfo] };
}

/** Options for makeModel. */
export interface MakeModelOptions {
  /** ai.onnx opset version; must be >= 17. @default 18 */
  readonly opset?: number;
  /** producer_name. @default 'autofas' */
  readonly producer?: string;
  /** producer_version. @default '0.1.0' */
  readonly producerVersion?: string;
  /** metadata_props, written sorted by key. @default {} */
  readonly metadata?: Readonly<Record<string, string>>;
  /** doc_string. @default '' */
  readonly docString?: string;
}

/** Default ai.onnx opset: 18 makes every Reduce* take `axes` as an input and Split take `num_outputs`. */
export const DEFAULT_OPSET = 18;

/** A ModelProto around a graph. */
export function makeModel(graph: GraphProto, options: MakeModelOptions = {}): ModelProto {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < 17) {
    throw autofasError('ERR_AUTOFAS_GRAPH', `makeModel: opset must be an integer >= 17, got ${opset}`, { opset });
  }
  const metadata = options.metadata ?? {};
  return {
    ir_version: IR_VERSION,
    producer_name: options.producer ?? 'autofas',
    producer_version: options.producerVersion ?? '0.1.0',
    graph,
    opset_import: [{ domain: '', version: opset }],
    metadata_props: Object.keys(metadata)
      .sort()
      .map((key) => ({ key, value: metadata[key] })),
    ...(options.docString ? { doc_string: options.docString } : {}),
  };
}

/** Serialises a model; the same ModelProto always gives the same bytes. */
export function encodeModel(model: ModelProto): Uint8Array {
  return encodeModelProto(model);
}

/** Parses model bytes (for serving and tests: read inputs, outputs and initializers back). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    return decodeModelProto(bytes);
  } catch (err) {
    throw autofasError('ERR_AUTOFAS_GRAPH', `decodeModel: not an ONNX model (${(err as Error).message})`, {}, err);
  }
}
