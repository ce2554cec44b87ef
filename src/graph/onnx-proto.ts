// ONNX protobuf messages (encode + decode) as a protobufjs reflection root over a subset of the official onnx.proto.
//
// Why protobufjs with a hand-written subset instead of the `onnx-proto` npm package: protobufjs is already a runtime
// dependency (no new package), the `onnx-proto` package ships generated code for an old IR version and is not
// installed here, and a subset we own lets us pin proto2 packing exactly as onnx.proto declares it. protobufjs
// encodes fields in field-number order, so the same message object always gives the same bytes.
import protobuf from 'protobufjs';

/** ONNX TensorProto.DataType codes we use. */
export const DATA_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float64: 11 } as const;

/** AttributeProto.AttributeType codes. */
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

type FieldSpec = [id: number, type: string, rule?: 'repeated', packed?: boolean];

function fields(spec: Record<string, FieldSpec>): Record<string, protobuf.IField & { rule?: string; options?: object }> {
  const out: Record<string, protobuf.IField & { rule?: string; options?: object }> = {};
  for (const [name, [id, type, rule, packed]] of Object.entries(spec)) {
    out[name] = { id, type, ...(rule ? { rule } : {}), ...(rule ? { options: { packed: packed === true } } : {}) };
  }
  return out;
}

// Field numbers copied from onnx/onnx.proto (proto2: repeated scalars are unpacked unless marked [packed = true]).
const ONNX_JSON: protobuf.INamespace = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: { fields: fields({ key: [1, 'string'], value: [2, 'string'] }) },
        OperatorSetIdProto: { fields: fields({ domain: [1, 'string'], version: [2, 'int64'] }) },
        TensorProto: {
          fields: fields({
            dims: [1, 'int64', 'repeated'],
            data_type: [2, 'int32'],
            float_data: [4, 'float', 'repeated', true],
            int32_data: [5, 'int32', 'repeated', true],
            string_data: [6, 'bytes', 'repeated'],
            int64_data: [7, 'int64', 'repeated', true],
            name: [8, 'string'],
            raw_data: [9, 'bytes'],
            double_data: [10, 'double', 'repeated', true],
            doc_string: [12, 'string'],
          }),
        },
        AttributeProto: {
          fields: fields({
            name: [1, 'string'],
            f: [2, 'float'],
            i: [3, 'int64'],
            s: [4, 'bytes'],
            t: [5, 'TensorProto'],
            g: [6, 'GraphProto'],
            floats: [7, 'float', 'repeated'],
            ints: [8, 'int64', 'repeated'],
            strings: [9, 'bytes', 'repeated'],
            tensors: [10, 'TensorProto', 'repeated'],
            graphs: [11, 'GraphProto', 'repeated'],
            doc_string: [13, 'string'],
            type: [20, 'int32'],
          }),
        },
        NodeProto: {
          fields: fields({
            input: [1, 'string', 'repeated'],
            output: [2, 'string', 'repeated'],
            name: [3, 'string'],
            op_type: [4, 'string'],
            attribute: [5, 'AttributeProto', 'repeated'],
            doc_string: [6, 'string'],
            domain: [7, 'string'],
          }),
        },
        TensorShapeProto: {
          fields: fields({ dim: [1, 'Dimension', 'repeated'] }),
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
              fields: fields({ dim_value: [1, 'int64'], dim_param: [2, 'string'], denotation: [3, 'string'] }),
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensor_type'] } },
          fields: fields({ tensor_type: [1, 'Tensor'], denotation: [6, 'string'] }),
          nested: { Tensor: { fields: fields({ elem_type: [1, 'int32'], shape: [2, 'TensorShapeProto'] }) } },
        },
        ValueInfoProto: { fields: fields({ name: [1, 'string'], type: [2, 'TypeProto'], doc_string: [3, 'string'] }) },
        GraphProto: {
          fields: fields({
            node: [1, 'NodeProto', 'repeated'],
            name: [2, 'string'],
            initializer: [5, 'TensorProto', 'repeated'],
            doc_string: [10, 'string'],
            input: [11, 'ValueInfoProto', 'repeated'],
            output: [12, 'ValueInfoProto', 'repeated'],
            value_info: [13, 'ValueInfoProto', 'repeated'],
          }),
        },
        ModelProto: {
          fields: fields({
            ir_version: [1, 'int64'],
            producer_name: [2, 'string'],
            producer_version: [3, 'string'],
            domain: [4, 'string'],
            model_version: [5, 'int64'],
            doc_string: [6, 'string'],
            graph: [7, 'GraphProto'],
            opset_import: [8, 'OperatorSetIdProto', 'repeated'],
            metadata_props: [14, 'StringStringEntryProto', 'repeated'],
          }),
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(ONNX_JSON);
/** The reflected onnx.ModelProto type. */
export const ModelProtoType = root.lookupType('onnx.ModelProto');

/** Plain-object ONNX messages (snake_case field names as in onnx.proto). */
export interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  doc_string?: string;
}
export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain?: string;
  attribute: AttributeProto[];
}
export interface DimensionProto {
  dim_value?: number;
  dim_param?: string;
}
export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: DimensionProto[] } } };
}
export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info: ValueInfoProto[];
  doc_string?: string;
}
export interface OperatorSetIdProto {
  domain: string;
  version: number;
}
export interface ModelProto {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  model_version?: number;
  doc_string?: string;
  graph: GraphProto;
  opset_import: OperatorSetIdProto[];
  metadata_props: { key: string; value: string }[];
}

/** Serialises a ModelProto object to protobuf bytes. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  return ModelProtoType.encode(ModelProtoType.fromObject(model as unknown as Record<string, unknown>)).finish();
}

/** Parses protobuf bytes into a plain ModelProto object (int64 as number, bytes as Uint8Array, repeated as arrays). */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const message = ModelProtoType.decode(bytes);
  return ModelProtoType.toObject(message, { longs: Number, arrays: true, defaults: false, oneofs: false }) as ModelProto;
}
