/**
 * A closed-loop load of prepared requests from its own process (so the Wellpass sandbox, in the
 * bench's process, does not share its event loop): `concurrency` connections each send the next
 * request as soon as their last one is answered. The warm-up requests go first, unmeasured (for at
 * most `warmupSeconds` when given: the rest are not sent); then each measured request's latency is
 * taken from its send to the end of its answer. Prints JSON:
 * percentiles, requests per second, non-2xx answers and errors, and a count of the answers' `status`
 * field (the webhook's decision).
 *
 * node dist/bench/wellpass-load.js <spec.json>, the spec: {url, method, concurrency, warmup: Req[], warmupSeconds?, measured: Req[]}.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

interface Req {
  body?: string;
  headers?: Record<string, string>;
}
interface Spec {
  url: string;
  method: string;
  concurrency: number;
  warmup: Req[];
  warmupSeconds?: number;
  measured: Req[];
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Spec;
const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });

function send(r: Req): Promise<{ ms: number; status: number | null; answer: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(spec.url, { method: spec.method, headers: r.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? null, answer: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', () => resolve({ ms: performance.now() - started, status: null, answer: '' }));
    req.end(r.body);
  });
}

async function run(list: Req[], forSeconds = Infinity) {
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  let [non2xx, errors, next] = [0, 0, 0];
  const started = performance.now();
  const until = started + forSeconds * 1000;
  await Promise.all(
    Array.from({ length: Math.min(spec.concurrency, list.length) }, async () => {
      while (next < list.length && performance.now() < until) {
        const r = await send(list[next++]!);
        latencies.push(r.ms);
        if (r.status === null) errors++;
        else if (r.status >= 300) non2xx++;
        let decided = `HTTP ${r.status ?? 'error'}`;
        try {
          const body = JSON.parse(r.answer) as { status?: string; reasonCategory?: string | null };
          if (body.status) decided = body.reasonCategory ? `${body.status} ${body.reasonCategory}` : body.status;
        } catch {
          // not JSON (healthz answers text): counted by its HTTP status
        }
        answers[decided] = (answers[decided] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  // nearest rank, as bench/scenarios.ts percentile
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return { total: sorted.length, seconds, rps: sorted.length / seconds, p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1] ?? NaN, non2xx, errors, answers };
}

const warm = await run(spec.warmup, spec.warmupSeconds);
const measured = await run(spec.measured);
agent.destroy();
console.log(JSON.stringify({ ...measured, warmupAnswers: warm.answers, warmupTotal: warm.total }));
