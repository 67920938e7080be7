import { pgDateTime } from './generator.js';
import type { ChangeKind, Row, SetName } from './store.js';

/**
 * Perfect Gym-style webhook deliveries: `{event, triggeredDate, data: {userId, contractId}}`,
 * repeated a few times until the receiver answers 200, never blocking the change that caused it.
 */
export class Webhooks {
  url: string | null = null;
  delivered = 0;
  /** Set on close: pending retries stop instead of keeping the process alive. */
  closed = false;

  eventFor(set: SetName, row: Row, kind: ChangeKind): { event: string; data: Record<string, number | null> } | null {
    if (set === 'Members') return { event: 'UserModified', data: { userId: row.id, contractId: null } };
    if (set === 'Contracts' && kind === 'created') return { event: 'ContractCreated', data: { userId: row.memberId as number, contractId: row.id } };
    if (set === 'Contracts') return { event: 'UserModified', data: { userId: row.memberId as number, contractId: row.id } };
    if (set === 'MemberClubVisits') return { event: 'UserPresenceChanged', data: { userId: row.memberId as number, contractId: null } };
    return null;
  }

  send(set: SetName, row: Row, kind: ChangeKind) {
    const event = this.eventFor(set, row, kind);
    if (!this.url || !event) return;
    void this.deliver(this.url, { ...event, triggeredDate: pgDateTime(Date.now()) });
  }

  private async deliver(url: string, body: object) {
    for (let attempt = 0; attempt < 4 && !this.closed; attempt++) {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
        if (res.status === 200) {
          this.delivered++;
          return;
        }
      } catch {
        // the receiver is down: try again shortly, like the real server
      }
      if (attempt < 3) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}
