// The teacher-log record: one JSON line per request, as the gateway writes it and the searcher reads it.

/** A raw feature value as logged: number (numeric), string or integer (categorical), number[] (vector). */
export type RawFeatureValue = number | string | readonly number[];

/** One candidate of a logged request with the ranking model's (teacher's) score. */
export interface TeacherCandidate {
  readonly item_id: string;
  readonly features: Readonly<Record<string, RawFeatureValue>>;
  readonly teacher_score: number;
  /** Click (or other) label joined later; absent when unknown. */
  readonly label?: number;
}

/** One line of a teacher log (`.jsonl` or `.jsonl.gz`). */
export interface TeacherLogRecord {
  readonly request_id: string;
  readonly context: Readonly<Record<string, RawFeatureValue>>;
  readonly candidates: readonly TeacherCandidate[];
}
