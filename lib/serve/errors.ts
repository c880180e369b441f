/**
 * What the server answers a bad request with: an HTTP status and one sentence. Thrown anywhere
 * below the router, turned into `{"error": reason}` by it (TF Serving's error shape).
 */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** How a 400 names the JSON type a client sent instead of the expected one. */
export function jsonType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
