// One loaded model on the engine's worker threads: warm sessions, one run per request, drained and released when retired.
// [issue-7 edit] The worker threads outlive models: a reload adds a session (keyed by a generation number) to the
// running workers instead of starting new threads, so a swap costs one ORT session per worker, not a thread start,
// an ORT add-on load and its memory (measured in docs/benchmarks.md, "Operations").
import { autofasError } from '../schema/errors.js';
import type { Artifact } from '../schema/artifact.js';
import type { ModelCard } from '../schema/model-card.js';
import { FeaturePlan } from './feature-plan.js';
import type { PlanOptions } from './feature-plan.js';
import type { FeedBatch } from './feed-layout.js';
import type { ModelRef, ScoreResult, ScoreTask } from './score-worker.js';
import { ScoreThreads } from './score-threads.js';

const WARMUP_ROWS = 256;

export interface ModelPoolOptions {
  readonly workers: number;
  readonly threadsPerWorker: number;
  /** At most how long a worker polls for the next run before it sleeps, in microseconds (see worker-polling.ts). */
  readonly spinUs: number;
  /** After posting a run, how long the host's event loop polls for its answer instead of sleeping, in microseconds. */
  readonly answerSpinUs: number;
  /** How the model's features are planned (store source, encoded-row cache). */
  readonly plan: PlanOptions;
}

/** The worker threads shared by the models of one pre-ranker; closed with the last of them. */
class WorkerHost {
  readonly pool: ScoreThreads;
  /** Lowest generation still in use: workers drop sessions below it at their next task. */
  readonly #floor = new Int32Array(new SharedArrayBuffer(4));
  readonly #live = new Set<number>();
  #nextGen = 0;
  #closing: Promise<void> | null = null;

  constructor(options: ModelPoolOptions) {
    this.pool = new ScoreThreads({ workers: options.workers, intraOpThreads: options.threadsPerWorker, spinUs: options.spinUs, answerSpinUs: options.answerSpinUs, floor: this.#floor });
  }

  get closing(): boolean {
    return this.#closing !== null;
  }

  admit(): number {
    const gen = ++this.#nextGen;
    this.#live.add(gen);
    this.#publish();
    return gen;
  }

  /** A model leaves: its sessions go at the workers' next task; the threads close with the last model. */
  leave(gen: number, force: boolean): Promise<void> {
    this.#live.delete(gen);
    this.#publish();
    if (this.#live.size > 0) return Promise.resolve();
    this.#closing ??= force ? this.pool.destroy() : this.pool.close().catch(() => this.pool.destroy());
    return this.#closing;
  }

  #publish(): void {
    Atomics.store(this.#floor, 0, this.#live.size > 0 ? Math.min(...this.#live) : this.#nextGen + 1);
  }
}

/** A model served by the pre-ranker's worker threads. */
export class ModelPool {
  readonly card: ModelCard;
  readonly plan: FeaturePlan;
  readonly #host: WorkerHost;
  readonly #model: ModelRef;
  readonly #dir: string;
  #inFlight = 0;
  #retired = false;
  #closed: Promise<void> | null = null;

  private constructor(card: ModelCard, dir: string, plan: FeaturePlan, host: WorkerHost, model: ModelRef) {
    this.card = card;
    this.#dir = dir;
    this.plan = plan;
    this.#host = host;
    this.#model = model;
  }

  /**
   * Opens the model on the workers of `previous` (a reload) or on new ones, and runs one warm-up batch per worker.
   * The ONNX bytes go to the workers once, in shared memory. Each worker checks the session it opens against the card
   * (ERR_AUTOFAS_MODEL_SCHEMA), so the artifact can be loaded with `checkOnnx: false`: the model is opened only there.
   */
  static async open(artifact: Artifact, options: ModelPoolOptions, previous?: ModelPool): Promise<ModelPool> {
    const host = previous && !previous.#host.closing ? previous.#host : new WorkerHost(options);
    const bytes = new Uint8Array(new SharedArrayBuffer(artifact.modelBytes.byteLength));
    bytes.set(artifact.modelBytes);
    const plan = new FeaturePlan(artifact.card, options.plan, previous?.plan); // a reload keeps what the models share
    const model: ModelRef = { gen: host.admit(), bytes, scoreOutput: artifact.card.outputs.score, layout: plan.layout, gather: plan.rowGather };
    const modelPool = new ModelPool(artifact.card, artifact.dir, plan, host, model);
    let problem: string | undefined;
    try {
      const results = await Promise.all(Array.from({ length: options.workers }, () => modelPool.warmUp()));
      problem = results.find((r) => r.problem)?.problem;
    } catch (err) {
      await modelPool.destroy();
      throw autofasError('ERR_AUTOFAS_MODEL_FILES', `${artifact.dir}: model.onnx does not load or its warm-up run failed (${(err as Error).message})`, { dir: artifact.dir }, err);
    }
    if (problem) {
      await modelPool.destroy();
      throw autofasError('ERR_AUTOFAS_MODEL_SCHEMA', problem, { dir: artifact.dir });
    }
    return modelPool;
  }

  /** True once the model is being (or has been) released. */
  get released(): boolean {
    return this.#closed !== null;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  private warmUp(): Promise<ScoreResult> {
    const encoding = this.plan.newEncoding(WARMUP_ROWS);
    this.plan.encodeContext(encoding, {});
    this.plan.encodeDefaults(encoding);
    return this.#submit(encoding.batch, undefined, { card: this.card, origin: this.#dir });
  }

  /**
   * Holds the pool for one request (from feature fetching to the end of its run), so a reload that retires it meanwhile
   * waits for this request; call the returned function once done.
   */
  acquire(): () => void {
    this.#inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#inFlight--;
      if (this.#retired && this.#inFlight === 0) void this.release();
    };
  }

  /**
   * Scores the batch's candidates in one model run; its one buffer is transferred to the worker (unusable after).
   * Callers hold a `RunQueue` slot, so runs never wait in the worker pool's own queue.
   */
  async run(batch: FeedBatch, stallMs?: number): Promise<ScoreResult> {
    if (this.#closed) throw autofasError('ERR_AUTOFAS_CLOSED', `model ${this.card.modelId} is released`);
    return this.#submit(batch, stallMs);
  }

  /**
   * Posts the batch to a worker; the model is held until the run settles, and so are the cached rows the batch's slot
   * list names (the worker copies them before the run). (No `async`: one promise less a run.)
   */
  #submit(batch: FeedBatch, stallMs?: number, check?: ScoreTask['check']): Promise<ScoreResult> {
    const done = this.acquire();
    const rowsHeld = batch.takeHold();
    const gather = rowsHeld ? { gather: true as const, ...(batch.ahead ? { gatherId: batch.ahead.gatherId } : {}) } : {};
    const task: ScoreTask = { buffer: batch.buffer, rows: batch.rows, model: this.#model, ...gather, ...(stallMs ? { stallMs } : {}), ...(check ? { check } : {}) };
    const running = this.#host.pool.run(task, [batch.buffer], batch.ahead);
    const settled = rowsHeld ? () => (done(), rowsHeld()) : done;
    running.then(settled, settled);
    return running;
  }

  /**
   * Sends the batch's slot list ahead to the worker that will run it, which copies the cached rows it names while the
   * main thread encodes the rest (nothing when the batch names no cached row).
   */
  prefetch(batch: FeedBatch, hits: number): void {
    if (batch.slots && hits > 0 && !this.#closed) batch.ahead = this.#host.pool.prefetch(this.#model.gen, batch.slots, batch.rows);
  }

  /** A run is coming: takes the answers already written, and wakes the worker the run will likely go to if it sleeps (see ScoreThreads.runComing). */
  runComing(): void {
    if (!this.#closed) this.#host.pool.runComing();
  }

  /** Stops taking part in new requests: released once the runs in flight have finished. */
  retire(): Promise<void> {
    this.#retired = true;
    return this.#inFlight === 0 ? this.release() : Promise.resolve();
  }

  /** Releases the model's sessions (and the workers with the last model, after their queued runs), once. */
  release(): Promise<void> {
    this.#retired = true;
    this.#closed ??= this.#host.leave(this.#model.gen, false);
    return this.#closed;
  }

  /** Releases at once; with the last model the workers are killed (pending runs reject). */
  destroy(): Promise<void> {
    this.#retired = true;
    this.#closed ??= this.#host.leave(this.#model.gen, true);
    return this.#closed;
  }
}
