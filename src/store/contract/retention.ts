// The retention part of the store contract: deleting closed runs, with every row they own,
// once their namespace's retention has passed.

export interface RetentionStore {
  /** Deletes up to `limit` closed runs with `closeTime < closedBefore` and all their rows; returns how many. */
  purgeClosedRuns(request: {
    readonly namespace: string;
    readonly closedBefore: number;
    readonly limit: number;
  }): Promise<number>;
}
