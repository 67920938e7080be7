/**
 * Load from its own process (so load generation does not share clubcore's CPU time slice); prints JSON.
 * - rate 0: autocannon, as fast as `connections` allow (throughput).
 * - rate > 0: requests sent on a fixed schedule, `rate` per second, whatever the answers do (open
 *   loop), each latency measured from when it was due. autocannon's rate option sends each second's
 *   quota back to back and then waits, which measures bursts rather than a steady arrival rate.
 */
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';

const [url, method, body, token, seconds, connections, rate, extraHeaders] = process.argv.slice(2);
const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(JSON.parse(extraHeaders || '{}') as Record<string, string>) };

async function closedLoop(forSeconds: number) {
  const result = await autocannon({ url: url!, method: method as 'GET' | 'POST', body: body || undefined, headers, duration: forSeconds, connections: Number(connections) });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx, total: result.requests.total };
}

async function openLoop(perSecond: number, forSeconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
  const total = Math.round(perSecond * forSeconds);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const req = request(url!, { method, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode! >= 300) non2xx++;
          latencies.push(performance.now() - due);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body || undefined);
    });
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let sent = 0; sent < total; ) {
    const now = performance.now();
    for (; sent < total && started + (sent * 1000) / perSecond <= now; sent++) inFlight.push(send(started + (sent * 1000) / perSecond));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  agent.destroy();
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors, non2xx, total: latencies.length };
}

// Like autocannon's --warmup: the same load for a moment first, unmeasured, so what the previous
// scenario left behind (garbage to collect, cold code paths) does not land in this one's tail.
const WARMUP_SECONDS = Math.min(2, Number(seconds));
const measure = (forSeconds: number) => (Number(rate) > 0 ? openLoop(Number(rate), forSeconds) : closedLoop(forSeconds));
await measure(WARMUP_SECONDS);
console.log(JSON.stringify(await measure(Number(seconds))));
