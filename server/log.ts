/**
 * What went wrong, for the log, without what was said. A failed query's message (Drizzle's
 * `DrizzleQueryError`) lists the query's parameters: a commitment's text, a follow-up note, a
 * table id. For those the driver's own error is logged instead, which names what failed (a
 * table, a constraint) and not the values.
 */
export function logReason(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  if ("params" in error || "query" in error) {
    const cause = error.cause;
    return cause instanceof Error ? `${error.name}: ${cause.message}` : error.name;
  }
  return error.message;
}
