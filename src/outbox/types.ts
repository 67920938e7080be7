import type { Knex } from '../db/knex.js';

/** What an event is about; `subjectId` is a row id in that topic's table (clients, door_access_events, class_sessions, bookings). */
export const OUTBOX_TOPICS = ['client', 'door_event', 'class_session', 'booking'] as const;
export type OutboxTopic = (typeof OUTBOX_TOPICS)[number];

/** What happened to the subject. A hint only: consumers read the subject's current state. */
export type OutboxKind = 'created' | 'updated' | 'deactivated' | 'deleted' | 'entered' | 'exited' | 'promoted';

/** One change as a write path records it. `locationId`: where it happened (a client's home location). */
export interface NewOutboxEvent {
  subjectId: number;
  locationId: number | null;
  kind: OutboxKind;
}

export interface OutboxEvent extends NewOutboxEvent {
  /** Stable for good: a consumer's idempotency key. */
  id: number;
  /** The event's place in commit order; consumers' cursors count in it. */
  seq: number;
  topic: OutboxTopic;
  createdAt: Date;
}

export interface OutboxConsumer {
  consumer: string;
  /** seq of the last event handled or passed over. */
  position: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What the outbox needs from the app: the database (not a transaction) and the clock. AppContext fits. */
export interface OutboxContext {
  db: Knex;
  now: () => Date;
}
