// The HTTP API of PROTOCOL.md, as the app uses it. Keys go only in the Authorization header,
// never in an address: a member's key to read the table, the facilitator key to change it.
import type { Admission } from "./waiting.ts";
import type { TableFormat, TimeboxMinutes } from "../../shared/types.ts";

export interface CreatedTable {
  tableId: string;
  facilitatorKey: string;
  link: string;
}

// What the server answers, as the server's storage defines it (types only: nothing of the
// server reaches the page).
import type {
  MeetingHistory,
  MemberCommitment,
  TableDetails,
  TablePatch,
  TableSummary,
  TrustPoint,
} from "../../server/storage/types.ts";

export type { TableSummary, TrustPoint, TableFormat, TimeboxMinutes, TablePatch };

/** One meeting of the table's history, in counts (no content). Times in epoch ms. */
export type MeetingRecord = MeetingHistory;

/** A member on the table's roster. */
export type RosterMember = TableDetails["roster"][number];

/** The table's timeboxes in whole minutes, every one filled. */
export type Timeboxes = Required<TimeboxMinutes>;

/**
 * What `GET /api/tables/:tableId` answers: the name for anyone; for the table's members (a key it
 * knows) the summary, with the version 2 fields between meetings (next meeting, presenters,
 * roster, history, timeboxes, whether a meeting runs now, who the key is).
 */
export type TableInfo = Pick<TableSummary, "tableId" | "name"> & Partial<TableDetails>;

/** A member's own commitment with the follow-up answers given to it, oldest first. */
export type MyCommitment = Omit<MemberCommitment, "closed"> & { closed?: boolean };

/** A refusal from the API, with the server's readable message and its HTTP status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
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

const bearer = (key: string | undefined): Record<string, string> =>
  key ? { authorization: `Bearer ${key}` } : {};

const tablePath = (tableId: string) => `/api/tables/${encodeURIComponent(tableId)}`;

/**
 * Creates a table; throws an Error with a readable message when refused. `admission`: who comes
 * in, the people the facilitator let in (`members`, the server's default) or anyone with the link.
 */
export async function createTable(
  name: string,
  admission: Admission = "members",
  format: TableFormat = "roundtable",
): Promise<CreatedTable> {
  const res = await fetch("/api/tables", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, admission, format }),
  });
  if (res.status !== 201) throw new Error(await errorText(res));
  return (await res.json()) as CreatedTable;
}

/**
 * The table's summary, or undefined when no table has that id. Without a key the server answers
 * only `{ tableId, name }`; with the key of a member it admitted (or the facilitator key), the
 * whole summary. The key goes in a header, never in the address. A key the table does not know
 * (401, 403) throws an ApiError with that status.
 */
export async function getTable(tableId: string, key?: string): Promise<TableInfo | undefined> {
  const res = await fetch(tablePath(tableId), { headers: bearer(key) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new ApiError(await errorText(res), res.status);
  return (await res.json()) as TableInfo;
}

/**
 * The table as far as this browser may read it: with the first key the table takes (the
 * facilitator key, then the member key), else only its name, as for anyone with the link.
 */
export async function readTable(
  tableId: string,
  keys: (string | undefined)[],
): Promise<TableInfo | undefined> {
  for (const key of keys) {
    if (!key) continue;
    try {
      return await getTable(tableId, key);
    } catch (error) {
      if (!(error instanceof ApiError && (error.status === 401 || error.status === 403))) {
        throw error;
      }
    }
  }
  return getTable(tableId);
}

/** Whether an answer is the members' summary (not only the name anyone with the link sees). */
export function isMembersView(info: TableInfo | undefined): boolean {
  return Boolean(info && (info.you || info.roster || info.trust));
}

/** A member's own commitments at the table, newest first; the member key in a header. */
export async function getMyCommitments(tableId: string, key: string): Promise<MyCommitment[]> {
  const res = await fetch(`${tablePath(tableId)}/commitments`, { headers: bearer(key) });
  if (!res.ok) throw new ApiError(await errorText(res), res.status);
  return (await res.json()) as MyCommitment[];
}

/**
 * Changes the table between meetings with the facilitator key; answers the table as it is now.
 * A refusal throws an ApiError carrying the server's message ("presentingMin must be …").
 */
export async function patchTable(
  tableId: string,
  facilitatorKey: string,
  patch: TablePatch,
): Promise<TableInfo> {
  const res = await fetch(tablePath(tableId), {
    method: "PATCH",
    headers: { "content-type": "application/json", ...bearer(facilitatorKey) },
    body: JSON.stringify(patch),
  });
  if (!res.ok) throw new ApiError(await errorText(res), res.status);
  return (await res.json()) as TableInfo;
}
