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
