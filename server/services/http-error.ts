/** An error with an HTTP status; the app's one error handler shows its message only below 500. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The one answer to every kind of lookup miss (docs/directory.md §Lookup). */
export const NOT_FOUND_BODY = { error: 'not found' } as const;
