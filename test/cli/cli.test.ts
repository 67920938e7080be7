import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { verifyPassword } from '../../src/auth/passwords.js';
import { runCli } from '../../src/cli/program.js';
import { findStaffByEmail } from '../../src/staff/repository.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

describe('command line', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  async function cli(args: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: database.url, ...env },
    });
    return { code, stdout, stderr };
  }

  /** A mistake: one line on stderr, no stack trace, a non-zero exit code. */
  function expectOneLine(result: { code: number; stderr: string }, pattern: RegExp) {
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
    expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+/);
    expect(result.stderr).toMatch(pattern);
  }

  it('prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('creates an admin by default and refuses a second user with the same e-mail in one line', async () => {
    const created = await cli(['staff:create', '--email', 'Ada@Club.test', '--password', 'ada-password', '--name', 'Ada']);
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^created staff user \d+ \(ada@club\.test, admin\)\n$/) });

    const again = await cli(['staff:create', '--email', 'ada@club.test', '--password', 'other-password']);
    expectOneLine(again, /already exists.*staff:password --email ada@club\.test/);
    expect(again.stdout).toBe('');
  });

  it('names every invalid option in one line', async () => {
    const bad = await cli(['staff:create', '--email', 'not-an-email', '--password', 'short']);
    expectOneLine(bad, /email: .*; password: /);
    expectOneLine(await cli(['staff:create', '--email', 'x@club.test', '--password', 'long-enough', '--role', 'boss']), /--role/);
    expect(await database.db('staff_users').where({ email: 'not-an-email' })).toHaveLength(0);
  });

  it('lists the staff users', async () => {
    await cli(['staff:create', '--email', 'max@club.test', '--password', 'max-password', '--name', 'Max', '--role', 'manager']);
    const { code, stdout } = await cli(['staff:list']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+email\s+name\s+role\s+active$/);
    expect(lines).toContainEqual(expect.stringMatching(/^\d+\s+max@club\.test\s+Max\s+manager\s+yes$/));
  });

  it('resets a staff password to the one given or to a printed random one', async () => {
    await cli(['staff:create', '--email', 'pat@club.test', '--password', 'pat-password']);
    expect((await cli(['staff:password', '--email', 'pat@club.test', '--password', 'new-pat-password'])).code).toBe(0);
    const given = await findStaffByEmail(database.db, 'pat@club.test');
    expect(await verifyPassword(given!.passwordHash, 'new-pat-password')).toBe(true);

    const random = await cli(['staff:password', '--email', 'PAT@club.test']);
    const printed = /: (\S+)\n$/.exec(random.stdout)?.[1];
    expect(printed).toHaveLength(20);
    const reset = await findStaffByEmail(database.db, 'pat@club.test');
    expect(await verifyPassword(reset!.passwordHash, printed!)).toBe(true);

    expectOneLine(await cli(['staff:password', '--email', 'nobody@club.test']), /no staff user with e-mail nobody@club\.test.*staff:list/);
    expectOneLine(await cli(['staff:password', '--email', 'pat@club.test', '--password', 'short']), /password: /);
  });

  it('refuses to seed demo data in production unless forced', async () => {
    const production = { NODE_ENV: 'production', SECRETS_KEY };
    expectOneLine(await cli(['seed'], production), /NODE_ENV=production.*--force/);
    expect(await database.db('clients')).toHaveLength(0);

    const forced = await cli(['seed', '--force'], production);
    expect(forced).toMatchObject({ code: 0, stderr: '' });
    expect(forced.stdout).toMatch(/Demo member sign-in/);
  });

  it('says in one line that the configuration is invalid', async () => {
    const result = await cli(['staff:list'], { LOG_LEVEL: 'loud' });
    expectOneLine(result, /invalid configuration: LOG_LEVEL: .*; \.env\.example describes/);
    expect(result.code).toBe(2);
  });

  it('says in one line that the database cannot be reached', async () => {
    // knex also logs the failed connection attempt itself, on the console: kept out of the test output.
    const console = jest.spyOn(globalThis.console, 'log').mockImplementation(() => undefined);
    try {
      expectOneLine(await cli(['staff:list'], { DATABASE_URL: 'mysql://root@127.0.0.1:1/x' }), /cannot reach the database .*ECONNREFUSED.*DATABASE_URL/);
    } finally {
      console.mockRestore();
    }
  });

  (process.env.TEST_DATABASE_URL ? it : it.skip)('says in one line that the database does not exist', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = '/clubcore_does_not_exist';
    const console = jest.spyOn(globalThis.console, 'log').mockImplementation(() => undefined);
    try {
      expectOneLine(await cli(['migrate'], { DATABASE_URL: url.toString() }), /Unknown database 'clubcore_does_not_exist': create it/);
    } finally {
      console.mockRestore();
    }
  });
});
