// The presenter's issue card: what they bring, why it matters, what they tried, and what they
// ask of the group. Shared in their round with the members who agreed, gone when the round ends;
// never stored, never language-checked (it is the presenter's own words about their own issue).
import type { IssueAsk, ProtocolContext } from "./types.ts";

/** The presenter shares (or rewrites) the card. */
export function setIssue(e: {
  title: string;
  why?: string;
  tried?: string;
  ask: IssueAsk;
}): Partial<ProtocolContext> {
  return { issue: { title: e.title, why: e.why ?? "", tried: e.tried ?? "", ask: e.ask } };
}
