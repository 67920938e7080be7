import type { AppContext } from '../context.js';
import { drainOutbox, getOutboxConsumer, pruneOutbox, registerOutboxConsumer } from './service.js';
import type { OutboxEvent, OutboxTopic } from './types.js';

/** One consumer to keep drained: a name (its cursor), what it reads, and what it does with an event. */
export interface OutboxConsumerSpec {
  consumer: string;
  topics: readonly OutboxTopic[];
  locationId?: number;
  /**
   * Handle each subject once per batch, by its latest event (earlier ones are passed over): for
   * handlers that send the subject's current state, where a burst of changes to one subject (a
   * class filling up) would otherwise cost a remote call each.
   */
  coalesce?: boolean;
  /** Throw to retry the event later (with backoff, the order kept); return to move past it. */
  handle(event: OutboxEvent): Promise<void>;
  /** Called once when the consumer is first created (it starts at the events recorded from then on): to catch up on what came before, e.g. a full export. */
  onRegistered?(): Promise<void>;
  /** Told after each drain that failed (with the error) or succeeded (null), e.g. to show the integration's credentials as failing. */
  onOutcome?(error: unknown): Promise<void>;
}

/** Where the drainers find their consumers: handed in by the composition root, so outbox/ knows no integration. */
export interface OutboxConsumerCatalog {
  consumers(ctx: AppContext): Promise<OutboxConsumerSpec[]>;
}

export interface DrainerOptions {
  pollMs?: number;
  leaseMs?: number;
  /** The first wait after a failure, doubled per failure in a row up to a minute (default 1 s). */
  retryBaseMs?: number;
  /** How often handled events older than OUTBOX_KEEP_DAYS are deleted (default hourly). */
  pruneEveryMs?: number;
}

/** What one pass over every consumer did. */
export interface DrainPass {
  handled: number;
  failed: number;
}

const MAX_BACKOFF_MS = 60_000;

/**
 * Keeps every consumer of the catalog drained: a pass every `pollMs` (a door event reaches its
 * consumers within about that), each consumer under its lease, so of all instances one drains a
 * consumer at a time. A consumer whose handler fails waits with exponential backoff (up to a
 * minute) before the failed event is tried again; the others go on.
 */
export function startOutboxDrainers(
  ctx: AppContext,
  catalog: OutboxConsumerCatalog,
  opts: DrainerOptions = {},
): { stop(): Promise<void>; drainNow(): Promise<DrainPass>; pruneNow(): Promise<number> } {
  const pollMs = opts.pollMs ?? 500;
  const retryBaseMs = opts.retryBaseMs ?? 1000;
  const leaseMs = opts.leaseMs ?? ctx.config.OUTBOX_LEASE_SECONDS * 1000;
  const owner = ctx.config.INSTANCE_ID;
  const registered = new Set<string>();
  const waitUntil = new Map<string, { at: number; failures: number }>();
  let pass: Promise<DrainPass> | null = null;
  let stopped = false;

  async function drainOne(spec: OutboxConsumerSpec, counts: DrainPass): Promise<void> {
    const waiting = waitUntil.get(spec.consumer);
    if (waiting && waiting.at > Date.now()) return;
    if (!registered.has(spec.consumer)) return;
    const result = await drainOutbox(ctx, { consumer: spec.consumer, topics: spec.topics, locationId: spec.locationId, coalesce: spec.coalesce, owner, leaseMs }, (event) => spec.handle(event));
    counts.handled += result.handled;
    if (result.failed) {
      counts.failed++;
      const failures = (waiting?.failures ?? 0) + 1;
      const delay = Math.min(retryBaseMs * 2 ** (failures - 1), MAX_BACKOFF_MS);
      waitUntil.set(spec.consumer, { at: Date.now() + delay, failures });
      ctx.logger.warn({ consumer: spec.consumer, event: result.failed.event.id, err: result.failed.error, retryInMs: delay }, 'outbox consumer failed; retrying the event later');
      await spec.onOutcome?.(result.failed.error);
    } else if (result.leased) {
      if (waiting) await spec.onOutcome?.(null);
      waitUntil.delete(spec.consumer);
    }
  }

  async function register(spec: OutboxConsumerSpec): Promise<void> {
    const existed = await getOutboxConsumer(ctx, spec.consumer);
    await registerOutboxConsumer(ctx, spec.consumer, { startAt: 'now', topics: spec.topics });
    if (!existed) await spec.onRegistered?.();
    registered.add(spec.consumer);
  }

  async function runPass(): Promise<DrainPass> {
    const counts: DrainPass = { handled: 0, failed: 0 };
    const specs = await catalog.consumers(ctx);
    // New consumers one after another, so their catch-up runs queue in the catalog's order (location by location).
    for (const spec of specs) {
      if (registered.has(spec.consumer)) continue;
      await register(spec).catch((err) => {
        counts.failed++;
        ctx.logger.error({ err, consumer: spec.consumer }, 'registering an outbox consumer failed; trying again at the next pass');
      });
    }
    // Consumers are independent: one slow remote must not hold the others back.
    await Promise.all(
      specs.map((spec) =>
        drainOne(spec, counts).catch((err) => {
          counts.failed++;
          ctx.logger.error({ err, consumer: spec.consumer }, 'outbox drain failed');
        }),
      ),
    );
    return counts;
  }

  /** One pass now (or the one under way); resolves with what it did. */
  function drainNow(): Promise<DrainPass> {
    pass ??= runPass()
      .catch((err) => {
        ctx.logger.error({ err }, 'listing outbox consumers failed');
        return { handled: 0, failed: 1 };
      })
      .finally(() => (pass = null));
    return pass;
  }

  /** Deletes what every consumer passed long ago (each instance may: deleting twice is harmless); resolves with how many. */
  async function pruneNow(): Promise<number> {
    try {
      return (await pruneOutbox(ctx, { keepDays: ctx.config.OUTBOX_KEEP_DAYS })).deleted;
    } catch (err) {
      ctx.logger.error({ err }, 'pruning the outbox failed; trying again at the next hour');
      return 0;
    }
  }

  const timer = setInterval(() => {
    if (!stopped && !pass) void drainNow();
  }, pollMs);
  const pruneTimer = setInterval(() => void pruneNow(), opts.pruneEveryMs ?? 3600_000);
  pruneTimer.unref();
  return {
    drainNow,
    pruneNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(pruneTimer);
      await pass;
    },
  };
}
