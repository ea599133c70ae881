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

/** One line of at most this many characters per Colyseus log call. */
const colyseusLineMax = 200;

function oneLine(args: unknown[]): string {
  const text = args
    .map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg)))
    .join(" ");
  return `colyseus: ${text.split("\n", 1)[0]!.slice(0, colyseusLineMax)}`;
}

/**
 * Colyseus' logger (`defineServer({ logger })`), kept to one line per call: never a stack trace,
 * at most 200 characters; debug and trace dropped. Colyseus logs errors it meets on the way with
 * their stacks, and an error caused by a client's input can quote that input. Malformed frames
 * never get this far (see `server/transport.ts`); this is what is left. `DEBUG=colyseus:errors`
 * still prints Colyseus' own full error output, for a developer who asks for it.
 */
export const colyseusLogger = {
  debug(): void {},
  trace(): void {},
  info: (...args: unknown[]): void => console.info(oneLine(args)),
  warn: (...args: unknown[]): void => console.warn(oneLine(args)),
  error: (...args: unknown[]): void => console.error(oneLine(args)),
};
