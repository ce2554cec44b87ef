// Encodes parsed teacher-log records line by line into chunked columns; a rejected line leaves no trace.
import { describeValue } from '../../schema/errors.js';
import type { Feature, FeatureSpec } from '../../schema/feature-spec.js';
import { ChunkedColumn, FeatureColumn } from './column-builder.js';
import type { Column, Dataset, IgnoredFeature } from './dataset-types.js';

/** Why a record was rejected: the field path and what was wrong with it. */
export interface RecordProblem {
  readonly field: string;
  readonly message: string;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problem(field: string, message: string): RecordProblem {
  return { field, message };
}

/** Accumulates requests; `add()` either takes a whole record or rejects it, `finish()` compacts into a Dataset. */
export class DatasetBuilder {
  requests = 0;
  rows = 0;
  private readonly spec: FeatureSpec;
  private readonly contextCols: FeatureColumn[];
  private readonly rowCols: FeatureColumn[];
  private readonly sideOf: Map<string, Feature['side']>;
  private readonly teacher = new ChunkedColumn(Float32Array, 1);
  private readonly labels = new ChunkedColumn(Float32Array, 1);
  private readonly offsets = new ChunkedColumn(Int32Array, 1);
  private readonly itemIndex: ChunkedColumn | null;
  private readonly itemTable: string[] = [];
  private readonly itemLookup = new Map<string, number>();
  private readonly requestIds: string[] = [];
  private hasLabels = false;
  private lineHasLabels = false;
  private readonly strict: boolean;
  /** Logged features the spec does not name, with their counts: committed lines, and the current line's finds. */
  private readonly ignored = { context: new Map<string, number>(), candidates: new Map<string, number>() };
  private lineIgnored: { where: IgnoredFeature['where']; name: string }[] = [];

  /** `strict`: a logged feature the spec does not name rejects the line instead of being ignored and counted. */
  constructor(spec: FeatureSpec, keepItemIds: boolean, strict = false) {
    this.spec = spec;
    this.strict = strict;
    this.contextCols = spec.features.filter((f) => f.side === 'context').map((f) => new FeatureColumn(f));
    this.rowCols = spec.features.filter((f) => f.side !== 'context').map((f) => new FeatureColumn(f));
    this.sideOf = new Map(spec.features.map((f) => [f.name, f.side]));
    this.itemIndex = keepItemIds ? new ChunkedColumn(Int32Array, 1) : null;
    this.offsets.set(0, 0);
  }

  /** Adds one parsed log record; returns the first problem (and keeps nothing of the record) or null. */
  add(record: unknown): RecordProblem | null {
    this.lineHasLabels = false;
    if (this.lineIgnored.length > 0) this.lineIgnored = [];
    if (!isObject(record)) return problem('(line)', `expected a JSON object, got ${describeValue(record)}`);
    const id = record.request_id;
    if (id === undefined) return problem('request_id', 'missing required key');
    if (typeof id !== 'string') return problem('request_id', `expected string, got ${describeValue(id)}`);
    const contextProblem = this.encodeFeatures(record.context, 'context', this.contextCols, this.requests, true);
    if (contextProblem) return contextProblem;
    const candidates = record.candidates;
    if (candidates === undefined) return problem('candidates', 'missing required key');
    if (!Array.isArray(candidates)) return problem('candidates', `expected an array, got ${describeValue(candidates)}`);
    for (let i = 0; i < candidates.length; i++) {
      const candidateProblem = this.encodeCandidate(candidates[i], i, this.rows + i);
      if (candidateProblem) return candidateProblem;
    }
    this.rows += candidates.length;
    this.requests += 1;
    this.offsets.set(this.requests, this.rows);
    this.requestIds.push(id);
    if (this.lineHasLabels) this.hasLabels = true;
    for (const { where, name } of this.lineIgnored) this.ignored[where].set(name, (this.ignored[where].get(name) ?? 0) + 1);
    return null;
  }

  /** Logged features the spec does not name (ignored unless strict), with how many contexts or candidates held each. */
  ignoredFeatures(): IgnoredFeature[] {
    const list = (where: IgnoredFeature['where']) => [...this.ignored[where]].map(([name, count]) => ({ name, where, count }));
    return [...list('context'), ...list('candidates')].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private encodeCandidate(candidate: unknown, i: number, row: number): RecordProblem | null {
    const at = `candidates[${i}]`;
    if (!isObject(candidate)) return problem(at, `expected an object, got ${describeValue(candidate)}`);
    const itemId = candidate.item_id;
    if (itemId === undefined) return problem(`${at}.item_id`, 'missing required key');
    if (typeof itemId !== 'string') return problem(`${at}.item_id`, `expected string, got ${describeValue(itemId)}`);
    const featureProblem = this.encodeFeatures(candidate.features, `${at}.features`, this.rowCols, row, false);
    if (featureProblem) return featureProblem;
    const score = candidate.teacher_score;
    if (score === undefined) return problem(`${at}.teacher_score`, 'missing required key');
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      return problem(`${at}.teacher_score`, `expected a finite number, got ${describeValue(score)}`);
    }
    const label = candidate.label;
    if (label !== undefined && label !== null && (typeof label !== 'number' || !Number.isFinite(label))) {
      return problem(`${at}.label`, `expected a finite number, got ${describeValue(label)}`);
    }
    this.teacher.set(row, score);
    this.labels.set(row, typeof label === 'number' ? label : Number.NaN);
    if (typeof label === 'number') this.lineHasLabels = true;
    if (this.itemIndex) this.itemIndex.set(row, this.internItem(itemId));
    return null;
  }

  /** Encodes every spec feature of one side from `values` (missing -> default); other keys go to `extraKeys`. */
  private encodeFeatures(values: unknown, at: string, cols: FeatureColumn[], row: number, isContext: boolean): RecordProblem | null {
    if (values !== undefined && values !== null && !isObject(values)) {
      return problem(at, `expected an object, got ${describeValue(values)}`);
    }
    const obj: Obj = (values as Obj | null | undefined) ?? {};
    let seen = 0;
    for (const col of cols) {
      const raw = obj[col.feature.name];
      if (raw !== undefined) seen++;
      const bad = col.encode(row, raw);
      if (bad) return problem(`${at}.${col.feature.name}`, bad);
    }
    let keys = 0;
    for (const _ in obj) keys++;
    return keys === seen ? null : this.extraKeys(obj, at, isContext);
  }

  /** Keys beside this side's spec features: a feature of the other side is an error; one the spec does not name is
   * ignored and counted (an error when strict). */
  private extraKeys(obj: Obj, at: string, isContext: boolean): RecordProblem | null {
    for (const key of Object.keys(obj)) {
      const side = this.sideOf.get(key);
      if (side === undefined) {
        if (this.strict) return problem(`${at}.${key}`, 'unknown feature (not in the feature spec)');
        this.lineIgnored.push({ where: isContext ? 'context' : 'candidates', name: key });
      } else if ((side === 'context') !== isContext) {
        const where = side === 'context' ? 'the request "context"' : 'each candidate\'s "features"';
        return problem(`${at}.${key}`, `"${key}" is a ${side} feature; log it under ${where}`);
      }
    }
    return null;
  }

  private internItem(id: string): number {
    let index = this.itemLookup.get(id);
    if (index === undefined) {
      index = this.itemTable.length;
      this.itemTable.push(id);
      this.itemLookup.set(id, index);
    }
    return index;
  }

  /** Compacts every column to its exact size; the builder must not be used afterwards. */
  finish(): Dataset {
    const context = new Map<string, Column>();
    for (const col of this.contextCols) context.set(col.feature.name, col.finish(this.requests));
    const columns = new Map<string, Column>();
    for (const col of this.rowCols) columns.set(col.feature.name, col.finish(this.rows));
    this.itemLookup.clear();
    return {
      spec: this.spec,
      requests: this.requests,
      rows: this.rows,
      requestIds: this.requestIds,
      requestOffsets: this.offsets.finish(this.requests + 1) as Int32Array,
      context,
      columns,
      teacher: this.teacher.finish(this.rows) as Float32Array,
      labels: this.labels.finish(this.rows) as Float32Array,
      hasLabels: this.hasLabels,
      ...(this.itemIndex ? { itemIds: { table: this.itemTable, index: this.itemIndex.finish(this.rows) as Int32Array } } : {}),
    };
  }
}
