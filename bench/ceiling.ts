import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild, type Child } from './processes.js';

/** A response of clubcore's, captured once to be served again by the ceiling app. */
export interface CapturedRoute {
  method: 'get' | 'post';
  /** Where the ceiling app serves it (any path; the load generator calls it there). */
  path: string;
  contentType: string;
  body: Buffer;
}

/** Calls clubcore once as the load will, and keeps the answer's bytes. */
export async function capture(url: string, opts: { path: string; method?: 'get' | 'post'; body?: object; token?: string; headers?: Record<string, string> }): Promise<CapturedRoute> {
  const method = opts.method ?? 'get';
  const res = await fetch(url, {
    method: method.toUpperCase(),
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
    body: opts.body ? JSON.stringify(opts.body) : undefined,
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`capturing ${url}: ${res.status} ${body.toString('utf8').slice(0, 300)}`);
  return { method, path: opts.path, contentType: res.headers.get('content-type') ?? 'application/json', body };
}

/**
 * The bare express app (bench/ceiling-server.ts) in a process of its own on another port, serving
 * the captured answers: what the same Node, HTTP stack and load generator do with none of
 * clubcore's work. Each API row is reported against it, measured in the same run.
 */
export async function startCeiling(routes: CapturedRoute[]): Promise<Child & { base: string }> {
  const port = await freePort();
  const file = join(tmpdir(), `clubcore-ceiling-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(routes.map((r) => ({ ...r, body: r.body.toString('base64') }))));
  const child = spawn(process.execPath, ['dist/bench/ceiling-server.js', String(port), file], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the ceiling app did not start in time')), 30_000);
      const read = (d: Buffer) => {
        for (const line of d.toString().split('\n')) {
          lines.push(line);
          if (line.startsWith('ceiling listening')) {
            clearTimeout(timer);
            resolve();
          }
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => reject(new Error(`the ceiling app exited with ${code}: ${lines.join('\n')}`)));
    });
  } finally {
    rmSync(file, { force: true });
  }
  return {
    base: `http://127.0.0.1:${port}`,
    process: child,
    lines,
    stop: () => stopChild(child),
  };
}

/** "0.42 of the ceiling (9120 req/s)"-style share: clubcore's throughput over the bare app's. */
export function shareOf(rps: number, ceilingRps: number): number {
  return ceilingRps > 0 ? rps / ceilingRps : NaN;
}
