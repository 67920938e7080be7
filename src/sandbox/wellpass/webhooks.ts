/**
 * Wellhub-style webhook deliveries: `POST <webhookUrl>` with the event as JSON and
 * `X-Gympass-Signature`, the HMAC-SHA1 of the exact body bytes with the secret in uppercase hex.
 * Each attempt waits `timeoutMs` (1 s) for an answer; a timeout, a network error or a non-2xx
 * answer is retried at once, three times (four attempts). Each event is delivered `copies` times
 * (default 2, same body and event_id): receivers must expect the same event again.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { WellpassUser } from './dto.js';

export type EventType = 'booking-requested' | 'booking-canceled' | 'booking-late-canceled' | 'checkin-booking-occurred';

export interface WebhookEvent {
  event_type: EventType;
  event_data: {
    user: WellpassUser;
    slot: { id: number; gym_id: string; class_id: number; booking_number: string };
    /** Epoch ms. */
    timestamp: number;
    event_id: string;
  };
}

export interface WebhookTarget {
  url: string | null;
  secret: string;
  copies: 1 | 2;
}

export interface Attempt {
  /** The receiver's status, or null when it did not answer in time or could not be reached (then `error`). */
  status: number | null;
  error?: string;
  /** Epoch ms the attempt began, and how long it took. */
  at: number;
  ms: number;
}

export interface Delivery {
  event_id: string;
  event_type: EventType;
  url: string;
  /** 1 for the first delivery of the event, 2 for its copy. */
  copy: number;
  body: WebhookEvent;
  attempts: Attempt[];
  /** Some attempt got a 2xx. */
  delivered: boolean;
}

const ATTEMPTS = 4;

export function signature(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha1', secret).update(rawBody).digest('hex').toUpperCase();
}

export class Webhooks {
  private readonly log: Delivery[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  /** Set on close: attempts not yet begun are dropped. */
  closed = false;

  constructor(
    private readonly target: () => WebhookTarget,
    private readonly timeoutMs: number,
  ) {}

  /** Delivers the event (every copy, one after the other); resolves with its deliveries once done. Nothing is sent while no URL is set. */
  send(type: EventType, data: Omit<WebhookEvent['event_data'], 'timestamp' | 'event_id'>): Promise<Delivery[]> {
    const { url, secret, copies } = this.target();
    if (!url) return Promise.resolve([]);
    const event: WebhookEvent = { event_type: type, event_data: { ...data, timestamp: Date.now(), event_id: randomUUID() } };
    const run = this.deliver(url, secret, copies, event);
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
    return run;
  }

  deliveries(): Delivery[] {
    return this.log.map(copyOf);
  }

  /** Resolves once every delivery begun so far is done. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  clear() {
    this.log.length = 0;
  }

  private async deliver(url: string, secret: string, copies: number, event: WebhookEvent): Promise<Delivery[]> {
    const body = JSON.stringify(event);
    const headers = { 'content-type': 'application/json', 'x-gympass-signature': signature(body, secret) };
    const deliveries: Delivery[] = [];
    for (let copy = 1; copy <= copies && !this.closed; copy++) {
      const delivery: Delivery = { event_id: event.event_data.event_id, event_type: event.event_type, url, copy, body: event, attempts: [], delivered: false };
      this.log.push(delivery);
      deliveries.push(delivery);
      while (!delivery.delivered && delivery.attempts.length < ATTEMPTS && !this.closed) {
        const attempt: Attempt = { status: null, at: Date.now(), ms: 0 };
        delivery.attempts.push(attempt);
        try {
          const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
          attempt.status = res.status;
          delivery.delivered = res.ok;
          // the answer's body is not waited for: a receiver that answered has answered
          void res.body?.cancel().catch(() => undefined);
        } catch (err) {
          attempt.error = failure(err as Error, this.timeoutMs);
        }
        attempt.ms = Date.now() - attempt.at;
      }
    }
    return deliveries.map(copyOf);
  }
}

/** fetch's own message ("fetch failed") says nothing: the cause's code does (ECONNREFUSED, ...). */
function failure(err: Error, timeoutMs: number): string {
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? err.message;
}

function copyOf(d: Delivery): Delivery {
  return { ...d, attempts: d.attempts.map((a) => ({ ...a })) };
}
