/** Runs autocannon in its own process (so load generation does not share clubcore's CPU time slice) and prints JSON. */
import autocannon from 'autocannon';

const [url, method, body, token, seconds, connections] = process.argv.slice(2);
const result = await autocannon({
  url: url!,
  method: method as 'GET' | 'POST',
  body: body || undefined,
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  duration: Number(seconds ?? 10),
  connections: Number(connections ?? 50),
});
console.log(JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx, total: result.requests.total }));
