// The HTTP API of PROTOCOL.md, as the app uses it. The facilitator key is never sent here; a
// member's key only in the Authorization header, never in an address.
import type { Admission } from "./waiting.ts";

export interface CreatedTable {
  tableId: string;
  facilitatorKey: string;
  link: string;
}

// What the server answers, as the server's storage defines it (types only: nothing of the
// server reaches the page).
import type { TableSummary, TrustPoint } from "../../server/storage/types.ts";

export type { TableSummary, TrustPoint };

/** What `GET /api/tables/:tableId` answers: the name for anyone, the rest for its members. */
export type TableInfo = Pick<TableSummary, "tableId" | "name"> & Partial<TableSummary>;

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // Not JSON: fall through to the status.
  }
  return `The server answered ${res.status}.`;
}

/**
 * Creates a table; throws an Error with a readable message when refused. `admission`: who comes
 * in, the people the facilitator let in (`members`, the server's default) or anyone with the link.
 */
export async function createTable(
  name: string,
  admission: Admission = "members",
): Promise<CreatedTable> {
  const res = await fetch("/api/tables", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, admission }),
  });
  if (res.status !== 201) throw new Error(await errorText(res));
  return (await res.json()) as CreatedTable;
}

/**
 * The table's summary, or undefined when no table has that id. Without a member key the server
 * answers only `{ tableId, name }`; with the key of a member it admitted, the whole summary. The
 * key goes in a header, never in the address.
 */
export async function getTable(
  tableId: string,
  memberKey?: string,
): Promise<TableInfo | undefined> {
  const res = await fetch(`/api/tables/${encodeURIComponent(tableId)}`, {
    headers: memberKey ? { authorization: `Bearer ${memberKey}` } : {},
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(await errorText(res));
  return (await res.json()) as TableSummary;
}
