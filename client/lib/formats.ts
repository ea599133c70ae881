import type { TableFormat } from "../../shared/types.ts";

/** The two meeting formats as the app offers them: when a table is created, and in its settings. */
export const formatChoices: { value: TableFormat; name: string; description: string }[] = [
  {
    value: "roundtable",
    name: "Roundtable",
    description:
      "Check-in, follow-up on commitments, then rounds: an issue, probing questions, experience shares, a commitment.",
  },
  {
    value: "forum",
    name: "Forum",
    description:
      "Adds each member's update after the check-in, a parking lot of topics, and the presenter's issue card.",
  },
];
