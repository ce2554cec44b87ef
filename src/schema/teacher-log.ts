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
  /** The serving arm's pre-rank score (written by the plugin's teacher logger; read by `autofas ab-report`). */
  readonly pre_rank_score?: number;
  /** In shadow mode, the shadow arm's score. */
  readonly shadow_score?: number;
}

/** How the pre-ranker handled a logged request (the teacher logger writes it; the searcher ignores it). */
export interface PreRankLogInfo {
  readonly arm: string;
  readonly path: string;
  readonly k: number;
  readonly unit_id?: string;
  readonly shadow_arm?: string;
}

/** One line of a teacher log (`.jsonl` or `.jsonl.gz`). */
export interface TeacherLogRecord {
  readonly request_id: string;
  readonly context: Readonly<Record<string, RawFeatureValue>>;
  readonly candidates: readonly TeacherCandidate[];
  readonly pre_rank?: PreRankLogInfo;
}
