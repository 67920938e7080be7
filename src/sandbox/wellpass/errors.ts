/**
 * Wellhub's error body: `{"errors":[{"message", "key"}]}`. Clients branch on the status and `key`
 * (e.g. `booking.expired`), never on the message. A 400 lists one error per invalid field.
 */
export interface ErrorItem {
  message: string;
  key?: string;
}

export interface ErrorBody {
  errors: ErrorItem[];
}

export type Entity = 'gym' | 'class' | 'slot' | 'booking';

/** A refusal thrown by the stores and handlers, rendered once by the routers' error handlers. */
export class WellpassError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorItem[],
  ) {
    super(errors.map((e) => e.message).join('; '));
  }

  static notFound(entity: Entity, id: string | number): WellpassError {
    return new WellpassError(404, [{ message: `${entity} ${id} not found`, key: `${entity}.not_found` }]);
  }

  static conflict(key: string, message: string): WellpassError {
    return new WellpassError(409, [{ message, key }]);
  }

  static invalid(errors: ErrorItem[]): WellpassError {
    return new WellpassError(400, errors);
  }

  /** One invalid field: `key` is `validation.<field path>`. */
  static field(field: string, message: string): WellpassError {
    return WellpassError.invalid([fieldError(field, message)]);
  }

  body(): ErrorBody {
    return { errors: this.errors };
  }
}

export const fieldError = (field: string, message: string): ErrorItem => ({ message: `${field}: ${message}`, key: `validation.${field}` });

/** Any error as the API answers it: ours as thrown, a body that is not JSON as a 400, the rest as a 500. */
export function asWellpassError(err: unknown): WellpassError {
  if (err instanceof WellpassError) return err;
  if ((err as { type?: string }).type === 'entity.parse.failed') return WellpassError.field('body', 'is not valid JSON');
  return new WellpassError(500, [{ message: 'internal server error', key: 'server.error' }]);
}
