import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';

// Benchmarks are not tests: this only proves bench/wellpass.ts still runs end to end, with tiny
// numbers on SQLite. No timing is checked; the rows that count decisions and seats are.
it('runs the Wellpass benchmark and writes its rows', () => {
  // the bench needs dist/ only (no web app): the TypeScript build alone
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' });
  const out = join(tmpdir(), `clubcore-bench-wellpass-${process.pid}.md`);
  const stdout = execFileSync(process.execPath, ['dist/bench/wellpass.js', '--dialect', 'sqlite', '--sessions', '20', '--requests', '40', '--concurrency', '5', '--changes', '3', '--warmup-seconds', '1', '--out', out], { encoding: 'utf8', timeout: 50_000 });
  const report = readFileSync(out, 'utf8');
  rmSync(out, { force: true });
  for (const row of ['booking-requested -> decision, new members (40 webhooks, 5 concurrent)', 'booking-requested -> decision, members who booked before (40 webhooks, 5 concurrent)', 'GET /healthz', 'booking-requested: decisions recorded', 'booking-requested: seats within capacity', 'Publishing 20 sessions', 'Reconcile, nothing changed', 'Capacity change -> sandbox (3 changes)']) {
    expect(report).toContain(row);
    expect(stdout).toContain(row);
  }
  // correctness, not speed: every request decided once, no seat over capacity or cap, a reconcile that writes nothing
  expect(report).toMatch(/decisions recorded \(wellpass_bookings\) \| 45 of 45 \|.*decisions not sent yet, warm-up included: 0;.*: met \|/);
  expect(report).toMatch(/seats within capacity and the Wellpass cap \| yes \|.*: met \|/);
  expect(report).toMatch(/members who booked before .*non-2xx 0, errors 0; \d+ members, clients created 0;/);
  expect(report).toMatch(/new members .*non-2xx 0, errors 0; after a warm-up of (\d+) requests in 1 s \(reserved \1\) and 5 unmeasured;/);
  expect(report).toMatch(/Reconcile, nothing changed .*no writes when nothing changed: met \|/);
  expect(report).not.toMatch(/NaN|never/);
}, 90_000);
