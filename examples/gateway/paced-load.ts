// Open-loop load: requests evenly spaced at a fixed rate, as independent users arrive (autocannon's rate sends bursts).
import { quantile } from '../../src/util/stats.js';
export interface PacedResult {
  readonly requests: { readonly total: number; readonly average: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
}

/**
 * POSTs `body()` to `url` at `rate` requests/s for `seconds`, each request sent on its own schedule whatever the
 * earlier ones are doing. A burst of N requests would make each wait for the others' work on the gateway's one event
 * loop, which no deadline survives; evenly spaced arrivals measure the gateway, not the burst.
 */
export async function pacedLoad(url: string, rate: number, seconds: number, body: () => string): Promise<PacedResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = started + (i * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    const sent = performance.now();
    const request = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() }).then(async (res) => {
      await res.arrayBuffer();
      if (res.status >= 300) non2xx++;
      latencies.push(performance.now() - sent);
    });
    inFlight.push(request.catch(() => void errors++));
  }
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => Math.round(latencies.length === 0 ? 0 : quantile(latencies, q));
  const total = latencies.length + errors;
  return { requests: { total, average: Math.round((10 * total) / ((performance.now() - started) / 1000)) / 10 }, latency: { p50: at(0.5), p99: at(0.99) }, non2xx, errors };
}
