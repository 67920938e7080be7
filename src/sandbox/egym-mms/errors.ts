import { STATUS_CODES } from 'node:http';

/**
 * EGYM's error body (the spec's ErrorDTO): `{timestamp, path, requestId, status, error, errorCode,
 * message, metadata, fieldErrors?}`. Clients must branch on `errorCode` (and `metadata`), never on
 * the message.
 */
export interface ErrorBody {
  timestamp: string;
  path: string;
  requestId: string;
  status: number;
  error: string;
  errorCode: string;
  message: string;
  metadata: Record<string, string>;
  fieldErrors?: FieldError[];
}

export interface FieldError {
  name: string;
  message: string;
  rejectedValue?: unknown;
}

/** 404s name what is missing in `metadata.entity`. */
export type Entity = 'ACCOUNT' | 'MEMBERSHIP' | 'WEBHOOK';

/** A refusal the API answers with an ErrorDTO; thrown by the store and handlers, rendered once. */
export class MmsError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly metadata: Record<string, string> = {},
    readonly fieldErrors?: FieldError[],
  ) {
    super(message);
  }

  static notFound(entity: Entity, id: string): MmsError {
    return new MmsError(404, 'notFound', `${entity.toLowerCase()} ${id} not found`, { entity, id });
  }

  static conflict(errorCode: string, message: string, metadata: Record<string, string>): MmsError {
    return new MmsError(409, errorCode, message, metadata);
  }

  static invalid(message: string, fieldErrors?: FieldError[]): MmsError {
    return new MmsError(400, 'validationFailed', message, {}, fieldErrors);
  }

  body(path: string, requestId: string, now: number): ErrorBody {
    return {
      timestamp: new Date(now).toISOString(),
      path,
      requestId,
      status: this.status,
      error: STATUS_CODES[this.status] ?? 'Error',
      errorCode: this.errorCode,
      message: this.message,
      metadata: this.metadata,
      ...(this.fieldErrors ? { fieldErrors: this.fieldErrors } : {}),
    };
  }
}
