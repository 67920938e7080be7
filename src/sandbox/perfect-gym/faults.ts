import type { RequestHandler } from 'express';
import { seededRandom } from './generator.js';

export type FaultStep =
  | { status: 429 | 500 | 502 | 503 | 504; retryAfterSeconds?: number }
  | { drop: true }
  | { latencyMs: number }
  | { pass: true };

/** `sequence`: the next matching requests get these steps in order; `rate` + `step`: that share of them does. */
export interface FaultSpec {
  match?: string;
  sequence?: FaultStep[];
  rate?: number;
  step?: FaultStep;
}

/** Faults for the real API paths (never the control API), to exercise clients' retry logic. */
export class Faults {
  private specs: { spec: FaultSpec; remaining: FaultStep[] }[] = [];
  private readonly random = seededRandom(7);

  inject(spec: FaultSpec) {
    this.specs.push({ spec, remaining: [...(spec.sequence ?? [])] });
  }

  clear() {
    this.specs = [];
  }

  private stepFor(path: string): FaultStep | null {
    for (const s of this.specs) {
      if (s.spec.match && !path.includes(s.spec.match)) continue;
      if (s.remaining.length) return s.remaining.shift()!;
      if (s.spec.rate && s.spec.step && this.random() < s.spec.rate) return s.spec.step;
    }
    return null;
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const step = this.stepFor(req.originalUrl);
      if (!step || 'pass' in step) return next();
      if ('drop' in step) return void req.socket.destroy();
      if ('latencyMs' in step) return void setTimeout(next, step.latencyMs);
      if (step.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(step.retryAfterSeconds));
      res.status(step.status).json({ message: step.status === 429 ? 'Too many requests' : 'The service is temporarily unavailable' });
    };
  }
}
