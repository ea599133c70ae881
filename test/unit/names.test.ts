import { describe, expect, it } from "vitest";
import { joinOptionsSchema } from "../../shared/messages.ts";
import { nameProblem, sameName } from "../../shared/names.ts";

describe("display names", () => {
  it.each(["Ana", "  Marco  ", "李雷", "Zoë O'Neil", "R2", "Ana-María (CFO)", "Ólafur"])(
    "accepts %j",
    (name) => expect(nameProblem(name)).toBeUndefined(),
  );

  it.each([
    ["", "Type your name."],
    ["   ", "Type your name."],
    ["...", "Your name needs at least one letter or digit."],
    ["😀", "Your name needs at least one letter or digit."],
    ["Ana\u202Eanaram", "Your name holds invisible or control characters. Type it plainly."],
    ["An\u200Ba", "Your name holds invisible or control characters. Type it plainly."],
    ["Ana\u2066x\u2069", "Your name holds invisible or control characters. Type it plainly."],
    ["Ana\u0007", "Your name holds invisible or control characters. Type it plainly."],
    ["Ana\nBen", "Your name holds invisible or control characters. Type it plainly."],
    ["A\uFEFFna", "Your name holds invisible or control characters. Type it plainly."],
    ["Ana\u00ADna", "Your name holds invisible or control characters. Type it plainly."],
    ["x".repeat(41), "Your name can be at most 40 characters."],
  ])("refuses %j", (name, why) => expect(nameProblem(name)).toBe(why));

  it("compares names without case or width", () => {
    expect(sameName("Ana", "ANA")).toBe(true);
    expect(sameName(" ana ", "Ana")).toBe(true);
    expect(sameName("Ａｎａ", "ana")).toBe(true);
    expect(sameName("Ana", "Anna")).toBe(false);
  });

  it("is the join schema's rule, trimmed", () => {
    const base = { tableId: "t", memberKey: "k".repeat(20) };
    expect(joinOptionsSchema.safeParse({ ...base, name: " Ana " }).data?.name).toBe("Ana");
    const refused = joinOptionsSchema.safeParse({ ...base, name: "A\u202Eb" });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/invisible or control/);
  });
});
