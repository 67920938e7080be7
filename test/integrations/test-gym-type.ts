import { z } from 'zod';
import { createClient } from '../../src/clients/service.js';
import { AppError } from '../../src/errors.js';
import type { IntegrationTypeDefinition } from '../../src/integrations/definition.js';
import { enqueueRun } from '../../src/jobs/runs.js';
import { runStreams } from '../../src/integrations/streams.js';

/**
 * A throw-away integration type, all in this one file: it proves that a new type needs no change to
 * generic code. Its "remote system" is this array; its stream pages it by position.
 */
export const remoteMembers: { id: number; firstName: string; lastName: string }[] = [];

const members = {
  name: 'members',
  async *read(_h: unknown, cursor: string | null) {
    for (let at = Number(cursor ?? 0); at < remoteMembers.length; at += 2) {
      yield { rows: remoteMembers.slice(at, at + 2), cursor: String(Math.min(at + 2, remoteMembers.length)) };
    }
  },
  async applyPage(h: { ctx: any }, trx: any, rows: typeof remoteMembers) {
    for (const m of rows) await createClient({ ...h.ctx, db: trx }, { firstName: m.firstName, lastName: m.lastName, email: `m${m.id}@test-gym.example` });
    return { membersSeen: rows.length };
  },
};

export const testGymType: IntegrationTypeDefinition = {
  type: 'test_gym',
  title: 'Test Gym',
  configSchema: z.strictObject({ everyMinutes: z.number().int().min(1).nullable() }),
  secretsSchema: z.strictObject({ apiKey: z.string().min(8) }),
  identityTypeFields: [],
  locationLink: { ownsMembers: true, externalIdSchema: z.string().regex(/^gym-\d+$/), secretsSchema: z.strictObject({ doorKey: z.string() }) },
  jobs: [{ kind: 'members', manual: true, everyMinutes: (config) => (config as { everyMinutes: number | null }).everyMinutes, run: (h) => runStreams(h, [members]) }],
  test: async () => ({ ok: true, detail: 'Test Gym answers' }),
  webhook: {
    path: 'test-gym',
    authentication: 'handler',
    async handle(ctx, integration, req) {
      if (req.get('x-api-key') !== (integration.secrets as { apiKey: string }).apiKey) throw AppError.unauthorized('Wrong x-api-key');
      const { run } = await enqueueRun(ctx, { integrationId: integration.id, kind: 'members', scope: 'all', trigger: 'webhook' });
      return { status: 202, body: { run: run.id } };
    },
  },
  passwordSignIn: () => async (ctx, { login, password }) => {
    if (password !== 'test-gym-password') return null;
    const found = await ctx.db('clients').where({ email: login }).first('id');
    return found ? { clientId: found.id, method: 'test_gym' } : null;
  },
};
