import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Child {
  process: ChildProcess;
  /** Every stdout and stderr line so far. */
  lines: string[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node [nodeArgs] dist/src/cli.js ...args` and answers at once: the child (to stop at any
 * time, ready or not) and `ready`, settled when a stdout or stderr line matches `ready`. A child
 * that exits first or is not ready within `timeoutMs` is stopped, and `ready` rejects.
 */
export function spawnCli(args: string[], env: Record<string, string>, ready: RegExp, nodeArgs: string[] = [], timeoutMs = 300_000): { child: Child; ready: Promise<void> } {
  const child = spawn(process.execPath, [...nodeArgs, 'dist/src/cli.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const handle: Child = { process: child, lines, stop: () => stopChild(child) };
  const started = new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stopChild(child).then(() => reject(err));
    };
    const timer = setTimeout(() => fail(new Error(`${args.join(' ')} did not start in ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    // The banner is on stderr, the log on stdout: either may carry the ready line.
    const read = (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        lines.push(line);
        if (!settled && ready.test(line)) {
          settled = true;
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => fail(new Error(`${args.join(' ')} exited with ${code}: ${lines.slice(-20).join('\n')}`)));
  });
  return { child: handle, ready: started };
}

/**
 * Node's flags for `clubcore serve`, as README's "Running in production" starts it (a young
 * generation of 32 MB semispaces), with a CPU profile written to `profileDir` when given.
 */
export function serveNodeArgs(profileDir?: string): string[] {
  return ['--max-semi-space-size=32', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
}

/** Starts `node [nodeArgs] dist/src/cli.js ...args` and waits until a stdout line matches `ready`. */
export async function startCli(args: string[], env: Record<string, string>, ready: RegExp, nodeArgs: string[] = [], timeoutMs = 300_000): Promise<Child> {
  const { child, ready: started } = spawnCli(args, env, ready, nodeArgs, timeoutMs);
  await started;
  return child;
}

/** Ends a child process (waking it first, in case a scenario paused it) and waits for its exit; at once when it has exited (also by a signal). */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}

/** Peak resident memory of a process in MB (VmHWM, monotonic). */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/** CPU time a process has used so far (user + system), in ms; NaN when it is not readable (another OS). */
export function cpuMs(pid: number): number {
  try {
    // utime and stime are fields 14 and 15, counted after the command's closing parenthesis
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** The kernel's USER_HZ for /proc's CPU times: 100 on Linux everywhere but exotic builds. */
const CLOCK_TICKS = 100;

/** The pid of a local database server process by name (mariadbd, mysqld), or null. */
export function pidOf(...names: string[]): number | null {
  try {
    const out = execSync(`pidof -s ${names.join(' ')}`, { encoding: 'utf8' }).trim();
    return out ? Number(out.split(/\s+/)[0]) : null;
  } catch {
    return null;
  }
}
