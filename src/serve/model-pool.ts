// One loaded model in a worker-thread pool: warm sessions, one run per request, drained and released when retired.
import { Piscina } from 'piscina';
import { autofasError } from '../schema/errors.js';
import type { Artifact } from '../schema/artifact.js';
import type { ModelCard } from '../schema/model-card.js';
import { defaultItemFeeds, encodeContext, planFeatures } from './feature-plan.js';
import type { Feed, FeaturePlan } from './feature-plan.js';
import type { ScoreResult, ScoreTask, ScoreWorkerData } from './score-worker.js';

const WORKER_FILE = new URL('./score-worker.js', import.meta.url).href;
const WARMUP_ROWS = 256;

export interface ModelPoolOptions {
  readonly workers: number;
  readonly threadsPerWorker: number;
  /** Runs allowed to wait for a worker; beyond it `run` rejects at once. */
  readonly maxQueue: number;
}

/** A model served by its own pool of workers. */
export class ModelPool {
  readonly card: ModelCard;
  readonly plan: FeaturePlan;
  #pool: Piscina<ScoreTask, ScoreResult>;
  #inFlight = 0;
  #retired = false;
  #closed: Promise<void> | null = null;

  private constructor(card: ModelCard, pool: Piscina<ScoreTask, ScoreResult>) {
    this.card = card;
    this.plan = planFeatures(card);
    this.#pool = pool;
  }

  /** Starts the workers (each opens its session) and runs one warm-up batch on each. */
  static async open(artifact: Artifact, options: ModelPoolOptions): Promise<ModelPool> {
    const workerData: ScoreWorkerData = {
      modelBytes: artifact.modelBytes,
      scoreOutput: artifact.card.outputs.score,
      intraOpThreads: options.threadsPerWorker,
    };
    const pool = new Piscina<ScoreTask, ScoreResult>({
      filename: WORKER_FILE,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: 2 ** 31 - 1,
      maxQueue: options.maxQueue,
      concurrentTasksPerWorker: 1,
      workerData,
    });
    pool.on('error', () => undefined); // a worker that dies outside a task is replaced; its tasks reject on their own
    const modelPool = new ModelPool(artifact.card, pool);
    try {
      await Promise.all(Array.from({ length: options.workers }, () => modelPool.warmUp()));
    } catch (err) {
      await pool.destroy();
      throw autofasError('ERR_AUTOFAS_MODEL_FILES', `${artifact.dir}: warm-up run failed (${(err as Error).message})`, { dir: artifact.dir }, err);
    }
    return modelPool;
  }

  /** True once the workers are being (or have been) closed. */
  get released(): boolean {
    return this.#closed !== null;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  private warmUp(): Promise<ScoreResult> {
    const feeds = [...encodeContext(this.plan, {}), ...defaultItemFeeds(this.plan, WARMUP_ROWS)];
    return this.run(feeds, WARMUP_ROWS);
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

  /** Scores `rows` candidates in one model run; the feeds' buffers are transferred to the worker (unusable after). */
  async run(feeds: readonly Feed[], rows: number, stallMs?: number): Promise<ScoreResult> {
    if (this.#closed) throw autofasError('ERR_AUTOFAS_CLOSED', `model ${this.card.modelId} is released`);
    const done = this.acquire();
    try {
      const transferList = feeds.map((f) => f.data.buffer as ArrayBuffer);
      return await this.#pool.run({ feeds, rows, stallMs }, { transferList });
    } finally {
      done();
    }
  }

  /** Stops taking part in new requests: released once the runs in flight have finished. */
  retire(): Promise<void> {
    this.#retired = true;
    return this.#inFlight === 0 ? this.release() : Promise.resolve();
  }

  /** Closes the workers now (waiting for queued runs), once. */
  release(): Promise<void> {
    this.#retired = true;
    this.#closed ??= this.#pool.close().catch(() => this.#pool.destroy());
    return this.#closed;
  }

  /** Kills the workers at once (pending runs reject). */
  destroy(): Promise<void> {
    this.#retired = true;
    this.#closed = this.#pool.destroy();
    return this.#closed;
  }
}
