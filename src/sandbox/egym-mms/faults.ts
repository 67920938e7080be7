import { seededRandom } from '../perfect-gym/generator.js';
import { MmsError } from './errors.js';

/** A share of the real API's requests answered 429 or 503 before they reach it, as a gateway would. */
export interface FaultSpec {
  /** Share of requests refused, 0..1. */
  rate: number;
  /** Picked from evenly (default both). */
  statuses?: (429 | 503)[];
  /** Default 7: the same seed and the same requests fail the same way. */
  seed?: number;
}

export class Faults {
  private spec: FaultSpec | null = null;
  private random = seededRandom(7);

  set(spec: FaultSpec) {
    if (!(typeof spec?.rate === 'number' && spec.rate >= 0 && spec.rate <= 1)) throw MmsError.invalid('rate must be a number from 0 to 1');
    if (spec.statuses && (!spec.statuses.length || spec.statuses.some((s) => s !== 429 && s !== 503))) throw MmsError.invalid('statuses must list 429 and/or 503');
    this.spec = { ...spec };
    this.random = seededRandom(spec.seed ?? 7);
  }

  clear() {
    this.spec = null;
  }

  /** The status to refuse the next request with, or null to let it through. */
  next(): 429 | 503 | null {
    if (!this.spec || this.random() >= this.spec.rate) return null;
    const statuses = this.spec.statuses ?? [429, 503];
    return statuses[Math.floor(this.random() * statuses.length)]!;
  }
}
