/** Thrown when a workflow API is used where it cannot be (as Temporal's IllegalStateError). */
export class IllegalStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IllegalStateError';
  }
}
