// The HTTP API of PROTOCOL.md, as the app uses it. The facilitator key is never sent here.

export interface CreatedTable {
  tableId: string;
  facilitatorKey: string;
  link: string;
}

/** One revealed pulse of an earlier (or this) meeting: when, how many answered, the mean. */
export interface TrustPoint {
  endedAt: number;
  answered: number;
  mean: number;
}

export interface TableSummary {
  tableId: string;
  name: string;
  openCommitments: number;
  meetings: number;
  trust: TrustPoint[];
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // Not JSON: fall through to the status.
  }
  return `The server answered ${res.status}.`;
}

/** Creates a table; throws an Error with a readable message when refused. */
export async function createTable(name: string): Promise<CreatedTable> {
  const res = await fetch("/api/tables", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(await errorText(res));
  return (await res.json()) as CreatedTable;
}

/** The table's summary, or undefined when no table has that id. */
export async function getTable(tableId: string): Promise<TableSummary | undefined> {
  const res = await fetch(`/api/tables/${encodeURIComponent(tableId)}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(await errorText(res));
  return (await res.json()) as TableSummary;
}
