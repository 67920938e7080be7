import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';

// Benchmarks are not tests: this only proves `npm run bench` still runs end to end, with tiny numbers.
it('runs every benchmark scenario and writes the results table', () => {
  execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  const out = join(tmpdir(), `clubcore-bench-${process.pid}.md`);
  const server = process.env.TEST_DATABASE_URL;
  const args = ['dist/bench/run.js', '--members', '200', '--seconds', '1', '--delta-members', '50', '--delta-contracts', '20', '--no-polling', '--egym-clients', '6', '--egym-accounts', '300', '--out', out];
  args.push(...(server ? ['--dialects', 'mysql', '--mysql', server] : ['--dialects', 'sqlite']));
  execFileSync(process.execPath, args, { stdio: 'ignore', timeout: 240_000 });
  const report = readFileSync(out, 'utf8');
  rmSync(out, { force: true });
  for (const row of ['Initial sync: wall time', 'Sync time / (a + b)', 'Idle clients cycle', 'Access sync', 'Change -> clubcore, webhook', 'EGYM push', 'EGYM pull', 'GET /me/classes', 'EGYM GroupX GET /classes', 'Perfect Gym fallback']) {
    expect(report).toContain(row);
  }
  expect(report).not.toMatch(/\| NaN/);
}, 300_000);
