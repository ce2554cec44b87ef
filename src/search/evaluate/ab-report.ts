// A/B verdict from teacher logs: per arm Recall@K of what the arm kept against the ranking hop's top, bootstrap CIs over users, the difference.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { autofasError } from '../../schema/errors.js';
import type { TeacherLogRecord } from '../../schema/teacher-log.js';
import { createRng } from '../../util/random.js';
import type { Rng } from '../../util/random.js';
import { readLogRecords } from '../data/log-reader.js';
import { requestRecall } from './metrics.js';

export interface AbReportOptions {
  /** The teacher's top set size that Recall@K looks for. @default 10 */
  readonly top?: number;
  /** Bootstrap replicates. @default 1000 */
  readonly bootstrap?: number;
  /** Bootstrap seed. @default 1 */
  readonly seed?: number;
}

/** A mean with its bootstrap 95% interval over users. */
export interface Estimate {
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

export interface ArmResult extends Estimate {
  readonly arm: string;
  readonly users: number;
  readonly requests: number;
  /** The K the arm kept (as logged; the most frequent when it varied). */
  readonly k: number;
}

export interface AbDifference extends Estimate {
  /** `a - b`. */
  readonly a: string;
  readonly b: string;
  readonly users: number;
  /** Bootstrap replicates of the difference (for the plot). */
  readonly replicates: readonly number[];
}

export interface AbReport {
  readonly files: number;
  readonly top: number;
  readonly bootstrap: number;
  readonly arms: readonly ArmResult[];
  /** Between arms: each arm's own users (A/B, independent samples). */
  readonly difference: AbDifference | null;
  /** Within requests scored by both arms (shadow mode): per-user mean of the paired difference. */
  readonly paired: AbDifference | null;
  /** Requests left out, by reason: `no-arm` (no pre_rank), `unscored` (missing scores), `not-measurable` (no more candidates than K). */
  readonly skipped: Readonly<Record<string, number>>;
}

/** Per user: sum and count of a per-request value. */
type UserSums = Map<string, { sum: number; n: number }>;

const add = (sums: UserSums, user: string, value: number): void => {
  const s = sums.get(user) ?? { sum: 0, n: 0 };
  s.sum += value;
  s.n += 1;
  sums.set(user, s);
};

/** The completed log files of a directory (or the given files): `.jsonl` and `.jsonl.gz`, never `.part`. */
export async function abLogFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((err: Error) => {
      throw autofasError('ERR_AUTOFAS_LOG_READ', `${path}: cannot read (${err.message})`, { file: path }, err);
    });
    if (!info.isDirectory()) files.push(path);
    else files.push(...(await readdir(path)).filter((f) => /\.jsonl(\.gz)?$/.test(f)).sort().map((f) => join(path, f)));
  }
  if (files.length === 0) throw autofasError('ERR_AUTOFAS_LOG_EMPTY', `no teacher-log files (.jsonl, .jsonl.gz) in ${paths.join(', ')}`, { paths });
  return files;
}

/** Recall@K of one scored list against the teacher, or a skip reason. */
function recallOf(teacher: Float64Array, scores: Float64Array, k: number, top: number): number | 'unscored' | 'not-measurable' {
  if (scores.some((s) => !Number.isFinite(s))) return 'unscored';
  if (teacher.length <= k) return 'not-measurable';
  return requestRecall({ offsets: Int32Array.of(0, teacher.length), scores, teacher }, 0, k, top);
}

/** Accumulates one logged request into the per-arm and paired sums. */
class Accumulator {
  readonly arms = new Map<string, { users: UserSums; ks: Map<number, number> }>();
  readonly paired: UserSums = new Map();
  readonly skipped: Record<string, number> = {};
  constructor(readonly top: number) {}

  add(record: TeacherLogRecord): void {
    const info = record.pre_rank;
    if (!info || typeof info.arm !== 'string') return this.skip('no-arm');
    const user = String(info.unit_id ?? record.context?.user_id ?? record.request_id);
    const teacher = Float64Array.from(record.candidates, (c) => c.teacher_score);
    const served = recallOf(teacher, Float64Array.from(record.candidates, (c) => c.pre_rank_score ?? NaN), info.k, this.top);
    if (typeof served !== 'number') return this.skip(served);
    const arm = this.arms.get(info.arm) ?? { users: new Map(), ks: new Map() };
    this.arms.set(info.arm, arm);
    add(arm.users, user, served);
    arm.ks.set(info.k, (arm.ks.get(info.k) ?? 0) + 1);
    if (!info.shadow_arm) return;
    const shadow = recallOf(teacher, Float64Array.from(record.candidates, (c) => c.shadow_score ?? NaN), info.k, this.top);
    if (typeof shadow !== 'number') return;
    add(this.paired, user, info.arm < info.shadow_arm ? served - shadow : shadow - served); // always (first arm by name) - (second)
  }

  private skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }
}

/** Mean over requests of a bootstrap sample of users (drawn with replacement). */
function resampledMean(users: readonly { sum: number; n: number }[], rng: Rng): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < users.length; i++) {
    const u = users[rng.int(users.length)];
    sum += u.sum;
    n += u.n;
  }
  return sum / n;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

function interval(mean: number, replicates: Float64Array): Estimate {
  const sorted = Float64Array.from(replicates).sort();
  return { mean, lo: percentile(sorted, 0.025), hi: percentile(sorted, 0.975) };
}

const meanOf = (users: readonly { sum: number; n: number }[]): number =>
  users.reduce((s, u) => s + u.sum, 0) / users.reduce((s, u) => s + u.n, 0);

/** Reads the logs and computes the verdict (deterministic for a seed). */
export async function abReport(paths: readonly string[], options: AbReportOptions = {}): Promise<AbReport> {
  const top = options.top ?? 10;
  const bootstrap = options.bootstrap ?? 1000;
  const files = await abLogFiles(paths);
  const acc = new Accumulator(top);
  for (const file of files) {
    for await (const { record } of readLogRecords(file)) acc.add(record as TeacherLogRecord);
  }
  const rng = createRng(options.seed ?? 1);
  const names = [...acc.arms.keys()].sort();
  const userLists = names.map((arm) => [...(acc.arms.get(arm)?.users.values() ?? [])]);
  const reps = userLists.map((users) => Float64Array.from({ length: bootstrap }, () => resampledMean(users, rng)));
  const arms: ArmResult[] = names.map((arm, i) => {
    const { users, ks } = acc.arms.get(arm) as { users: UserSums; ks: Map<number, number> };
    const k = [...ks].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    return { arm, users: users.size, requests: userLists[i].reduce((s, u) => s + u.n, 0), k, ...interval(meanOf(userLists[i]), reps[i]) };
  });
  const difference = names.length >= 2 ? differenceOf(names, userLists, reps) : null;
  const pairedUsers = [...acc.paired.values()];
  const pairedReps = Float64Array.from({ length: pairedUsers.length ? bootstrap : 0 }, () => resampledMean(pairedUsers, rng));
  const paired = pairedUsers.length && names.length >= 2
    ? { a: names[0], b: names[1], users: pairedUsers.length, replicates: [...pairedReps], ...interval(meanOf(pairedUsers), pairedReps) }
    : null;
  return { files: files.length, top, bootstrap, arms, difference, paired, skipped: { ...acc.skipped } };
}

/** First arm minus second (by name: `autofas - baseline`), each resampled over its own users. */
function differenceOf(names: readonly string[], users: readonly { sum: number; n: number }[][], reps: readonly Float64Array[]): AbDifference {
  const diff = reps[0].map((x, i) => x - reps[1][i]);
  return { a: names[0], b: names[1], users: users[0].length + users[1].length, replicates: [...diff], ...interval(meanOf(users[0]) - meanOf(users[1]), diff) };
}
