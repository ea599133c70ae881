// How the meeting's header and the recap reach the table's page between meetings: the table's
// page (TablePage.svelte) gives a way there to everything inside it; a component shown alone (a
// test, another page) finds none and shows no button.
import { getContext, setContext } from "svelte";

const key = Symbol("roundtable:table-page");

/** The way to the table's page (next meeting, my commitments, history) from the meeting. */
export interface TablePageLink {
  /** Whether this browser may read the table's page (a member the table knows, or its key). */
  readonly available: boolean;
  open(): void;
}

export function provideTablePage(link: TablePageLink): void {
  setContext(key, link);
}

export function tablePageLink(): TablePageLink | undefined {
  return getContext<TablePageLink | undefined>(key);
}

const inMeetingKey = (tableId: string) => `roundtable:in-meeting:${tableId}`;

/**
 * Whether this tab was in a running meeting of the table when it last rendered. Kept for the tab
 * alone (sessionStorage survives a reload, not a new tab): a reload mid-meeting takes the seat at
 * once instead of first asking the server whether a meeting runs.
 */
export function wasInMeeting(tableId: string): boolean {
  try {
    return sessionStorage.getItem(inMeetingKey(tableId)) === "1";
  } catch {
    return false;
  }
}

export function rememberInMeeting(tableId: string, inMeeting: boolean): void {
  try {
    if (inMeeting) sessionStorage.setItem(inMeetingKey(tableId), "1");
    else sessionStorage.removeItem(inMeetingKey(tableId));
  } catch {
    // Without storage a reload asks the server first: slower, never wrong.
  }
}
