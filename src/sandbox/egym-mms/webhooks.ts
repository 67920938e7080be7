/**
 * Webhooks a location registered, and deliveries to them: `POST {accountId, timestamp, type}`
 * with the registration's secret in `x-api-key`, a 5 s timeout. Each event is delivered
 * `copies` times (default 2: receivers must expect the same event again), one after the other,
 * whatever the receiver answered; every attempt is recorded.
 */
import { MmsError } from './errors.js';

export type EventType = 'GYM_CHECKIN' | 'GYM_CHECKOUT' | 'MEMBERSHIP_DELETE' | 'TEST';

/**
 * What EGYM posts. The docs name the fields but not the timestamp's format: epoch ms here, like
 * UserPresenceDTO's. A TEST event concerns no account: its accountId is null.
 */
export interface WebhookEvent {
  accountId: string | null;
  timestamp: number;
  type: EventType;
}

export interface Webhook {
  id: number;
  gymId: string;
  url: string;
  secret: string;
}

export interface Delivery {
  webhookId: number;
  url: string;
  event: WebhookEvent;
  /** 1 for the first delivery of the event, 2 for its copy. */
  attempt: number;
  /** The receiver's status, or null when it could not be reached (then `error`). */
  status: number | null;
  error?: string;
  at: number;
}

export class Webhooks {
  private hooks: Webhook[] = [];
  private nextId = 1;
  private readonly log: Delivery[] = [];
  private readonly pending = new Set<Promise<void>>();
  /** Set on close: deliveries not yet sent are dropped. */
  closed = false;

  constructor(
    public copies: number,
    private readonly now: () => number,
  ) {}

  register(gymId: string, url: string, secret: string): Webhook {
    this.refuseTaken(gymId, url);
    const hook = { id: this.nextId++, gymId, url, secret };
    this.hooks.push(hook);
    return hook;
  }

  update(hook: Webhook, url: string, secret: string): Webhook {
    this.refuseTaken(hook.gymId, url, hook.id);
    return Object.assign(hook, { url, secret });
  }

  remove(hook: Webhook) {
    this.hooks = this.hooks.filter((h) => h !== hook);
  }

  /** The location's webhook with that id; 404 for another location's. */
  get(gymId: string, id: number): Webhook {
    const hook = this.hooks.find((h) => h.id === id && h.gymId === gymId);
    if (!hook) throw MmsError.notFound('WEBHOOK', String(id));
    return hook;
  }

  list(gymId?: string): Webhook[] {
    return this.hooks.filter((h) => gymId === undefined || h.gymId === gymId);
  }

  /** Sends an event about the location to each of its webhooks (or to one, for TEST). */
  emit(gymId: string, event: WebhookEvent, only?: Webhook) {
    for (const hook of only ? [only] : this.list(gymId)) this.track(this.deliver(hook, event));
  }

  deliveries(): Delivery[] {
    return this.log.map((d) => ({ ...d, event: { ...d.event } }));
  }

  /** Resolves once every delivery begun so far has been answered or has failed. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  reset() {
    this.hooks = [];
    this.nextId = 1;
    this.log.length = 0;
  }

  private refuseTaken(gymId: string, url: string, except?: number) {
    const taken = this.hooks.find((h) => h.gymId === gymId && h.url === url && h.id !== except);
    if (taken) throw MmsError.conflict('webhookUrlAlreadyRegistered', `${url} is registered already`, { webhookId: String(taken.id) });
  }

  private track(delivery: Promise<void>) {
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  private async deliver(hook: Webhook, event: WebhookEvent) {
    for (let attempt = 1; attempt <= this.copies && !this.closed; attempt++) {
      const record: Delivery = { webhookId: hook.id, url: hook.url, event, attempt, status: null, at: this.now() };
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': hook.secret },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(5000),
        });
        await res.arrayBuffer();
        record.status = res.status;
      } catch (err) {
        record.error = (err as Error).message;
      }
      this.log.push(record);
    }
  }
}
