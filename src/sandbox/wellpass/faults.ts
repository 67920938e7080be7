/**
 * Faults injected into the partner API (never the helpers or the control API), to exercise a
 * client's timeouts and retries: a 5xx (or 429) from the gateway, an answer that never comes
 * (`hang`), a dropped connection, or a slow answer (`latencyMs`, then the request is served).
 * A spec applies to requests whose path contains `match` (and whose method is `method`, when
 * given): `sequence` gives the next matching requests these steps in order, `rate` + `step` gives
 * that share of them `step` (seeded, so a run repeats).
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { seededRandom } from '../perfect-gym/generator.js';
import { fieldError, WellpassError } from './errors.js';

const step = z.union([
  z.object({ status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]) }).strict(),
  z.object({ hang: z.literal(true) }).strict(),
  z.object({ drop: z.literal(true) }).strict(),
  z.object({ latencyMs: z.int().positive() }).strict(),
]);

const spec = z.object({
  match: z.string().optional(),
  method: z.string().optional(),
  sequence: z.array(step).optional(),
  rate: z.number().min(0).max(1).optional(),
  step: step.optional(),
  seed: z.int().optional(),
});

export type FaultStep = z.infer<typeof step>;
export type FaultSpec = z.infer<typeof spec>;

export class Faults {
  private specs: { spec: FaultSpec; remaining: FaultStep[]; random: () => number }[] = [];

  /** Replaces every fault with these (400 listing what is wrong with them). */
  set(specs: FaultSpec[]) {
    const parsed = z.array(spec).safeParse(specs);
    if (!parsed.success) throw WellpassError.invalid(parsed.error.issues.map((i) => fieldError(i.path.join('.') || 'body', i.message)));
    this.specs = parsed.data.map((s) => ({ spec: s, remaining: [...(s.sequence ?? [])], random: seededRandom(s.seed ?? 7) }));
  }

  list(): FaultSpec[] {
    return this.specs.map((s) => structuredClone(s.spec));
  }

  clear() {
    this.specs = [];
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const fault = this.stepFor(req.method, req.originalUrl.split('?')[0]!);
      if (!fault) return next();
      if ('hang' in fault) return; // the connection stays open until the client gives up or the sandbox closes
      if ('drop' in fault) return void req.socket.destroy();
      if ('latencyMs' in fault) return void setTimeout(next, fault.latencyMs);
      const message = fault.status === 429 ? 'too many requests' : 'service unavailable';
      res.status(fault.status).json({ errors: [{ message, key: fault.status === 429 ? 'rate_limit.exceeded' : 'server.error' }] });
    };
  }

  private stepFor(method: string, path: string): FaultStep | null {
    for (const s of this.specs) {
      if (s.spec.match !== undefined && !path.includes(s.spec.match)) continue;
      if (s.spec.method !== undefined && s.spec.method.toUpperCase() !== method) continue;
      if (s.remaining.length) return s.remaining.shift()!;
      if (s.spec.rate && s.spec.step && s.random() < s.spec.rate) return s.spec.step;
    }
    return null;
  }
}
