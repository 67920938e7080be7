import { registerOutboxConsumer } from '../../src/outbox/service.js';
import type { OutboxContext } from '../../src/outbox/types.js';

/** Write paths record outbox events only while a consumer reads their topic: this one reads every topic and never drains. */
export const readEveryOutboxTopic = (ctx: OutboxContext) => registerOutboxConsumer(ctx, 'test:reads-everything', { startAt: 'beginning' });
