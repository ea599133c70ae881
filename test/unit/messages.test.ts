// Every client message's payload, valid and malformed (PROTOCOL.md "Messages from a client"):
// what the room lets through to the machine, and the message a refused sender reads.
import { describe, expect, it } from "vitest";
import { clientMessageTypes, parseClientMessage } from "../../shared/messages.ts";

const long = (n: number) => "x".repeat(n);

/** Valid payloads of each message type (PROTOCOL.md's payload column). */
const valid: Record<string, unknown[]> = {
  "confidentiality.agree": [undefined, null, {}],
  "meeting.start": [undefined, {}],
  "phase.next": [undefined, {}],
  "checkin.word": [{ word: "curious" }, { word: long(24) }, { word: "Müde" }],
  "followup.report": [
    { commitmentId: "c1", status: "done" },
    { commitmentId: "c1", status: "partly", note: "Called two of three" },
    { commitmentId: "c1", status: "not_done", note: "" },
    { commitmentId: "c1", status: "done", note: long(280) },
  ],
  "presenter.volunteer": [undefined, {}],
  "hand.raise": [undefined, {}, { note: "When we introduced a leveling chart…" }],
  "hand.lower": [undefined, {}],
  "hand.lowerFor": [{ memberId: "m1" }],
  "floor.give": [undefined, {}, { memberId: "m1" }],
  "floor.yield": [undefined, {}],
  "question.ask": [{ text: "How have you handled this before?" }, { text: long(280) }],
  "question.withdraw": [{ questionId: "q1" }],
  "question.answered": [{ questionId: "q1" }],
  "question.dismiss": [{ questionId: "q1" }],
  "commitment.add": [{ text: "I will talk to Ana by Friday" }, { text: long(280) }],
  "commitment.remove": [{ commitmentId: "c1" }],
  "pulse.open": [undefined, {}],
  "pulse.answer": [{ score: 1 }, { score: 3 }, { score: 5 }],
  "pulse.close": [undefined, {}],
  "facilitator.handoff": [{ memberId: "m1" }],
  "facilitator.claim": [{ facilitatorKey: "k3y-from-the-link" }, {}, undefined],
  "member.remove": [{ memberId: "m1" }],
  "member.admit": [{ memberId: "m1" }],
  "member.decline": [{ memberId: "m1" }],
  "meeting.end": [undefined, {}],
  // Version 2: the forum format and time control.
  "turn.done": [undefined, {}],
  "turn.pass": [undefined, {}],
  "turn.next": [undefined, {}],
  "update.rate": [{ work: 1 }, { family: 10, personal: 5 }, { work: 7, family: 8, personal: 9 }],
  "parking.add": [{ text: "Hiring my first lead" }, { text: long(120) }],
  "parking.remove": [{ id: "p1" }],
  "parking.vote": [{ id: "p1" }],
  "issue.set": [
    { title: "Hiring", ask: "questions" },
    { title: long(120), why: long(400), tried: long(400), ask: "both" },
    { title: "Pricing", why: "", tried: "Two plans", ask: "experiences" },
  ],
  "share.pass": [undefined, {}],
  "timer.extend": [{ seconds: 30 }, { seconds: 60 }, { seconds: 600 }],
  "timekeeper.assign": [{ memberId: "m1" }, { memberId: "" }],
  "presenter.choose": [{ memberId: "m1" }, { memberId: "m1", topicId: "p1" }],
};

/** Malformed payloads: wrong types, extra keys, missing fields, out-of-range values. */
const malformed: [type: string, payload: unknown, field: string][] = [
  ["confidentiality.agree", { agreed: true }, ""],
  ["meeting.start", "now", ""],
  ["phase.next", { to: "closing" }, ""],
  ["checkin.word", { word: "good day" }, "word"],
  ["checkin.word", { word: "" }, "word"],
  ["checkin.word", { word: "   " }, "word"],
  ["checkin.word", { word: long(25) }, "word"],
  ["checkin.word", { word: 7 }, "word"],
  ["checkin.word", {}, "word"],
  ["checkin.word", { word: "calm", mood: "good" }, ""],
  ["followup.report", { commitmentId: "c1", status: "finished" }, "status"],
  ["followup.report", { status: "done" }, "commitmentId"],
  ["followup.report", { commitmentId: "c1", status: "done", note: long(281) }, "note"],
  ["followup.report", { commitmentId: 1, status: "done" }, "commitmentId"],
  ["followup.report", { commitmentId: "c1", status: "done", ownerId: "m1" }, ""],
  ["presenter.volunteer", { memberId: "m1" }, ""],
  ["presenter.choose", {}, "memberId"],
  ["presenter.choose", { memberId: "" }, "memberId"],
  ["presenter.choose", { memberId: 5 }, "memberId"],
  ["presenter.choose", { memberId: long(65) }, "memberId"],
  ["hand.raise", { note: long(141) }, "note"],
  ["hand.raise", { note: "x", memberId: "m1" }, ""],
  ["hand.lower", { memberId: "m1" }, ""],
  ["hand.lowerFor", {}, "memberId"],
  ["floor.give", { memberId: 3 }, "memberId"],
  ["floor.give", "m1", ""],
  ["floor.yield", [], ""],
  ["question.ask", { text: long(281) }, "text"],
  ["question.ask", { text: "" }, "text"],
  ["question.ask", { text: " \n\t " }, "text"],
  ["question.ask", { text: 42 }, "text"],
  ["question.ask", { text: "Why?", askerId: "m1" }, ""],
  ["question.ask", undefined, ""],
  ["question.withdraw", { questionId: null }, "questionId"],
  ["question.answered", {}, "questionId"],
  ["question.dismiss", { questionId: "q1", reason: "off topic" }, ""],
  ["commitment.add", { text: long(281) }, "text"],
  ["commitment.add", { text: "   " }, "text"],
  // The room assigns a commitment's id; a client cannot choose it.
  ["commitment.add", { text: "I will", commitmentId: "mine" }, ""],
  ["commitment.remove", { commitmentId: "" }, "commitmentId"],
  ["pulse.open", { threshold: 1 }, ""],
  ["pulse.answer", { score: 0 }, "score"],
  ["pulse.answer", { score: 6 }, "score"],
  ["pulse.answer", { score: 2.5 }, "score"],
  ["pulse.answer", { score: "3" }, "score"],
  ["pulse.answer", {}, "score"],
  ["pulse.answer", { score: 3, memberId: "m1" }, ""],
  ["pulse.close", { reveal: true }, ""],
  ["facilitator.handoff", { memberId: true }, "memberId"],
  ["facilitator.claim", { keyValid: true }, ""],
  ["member.remove", {}, "memberId"],
  ["member.admit", {}, "memberId"],
  ["member.admit", { memberId: "m1", name: "Ana" }, ""],
  ["member.decline", { memberId: "" }, "memberId"],
  ["meeting.end", { at: 1 }, ""],
  ["turn.done", { memberId: "m1" }, ""],
  ["turn.next", { to: "m1" }, ""],
  ["update.rate", { work: 11 }, "work"],
  ["update.rate", { family: 0 }, "family"],
  ["update.rate", { personal: 7.5 }, "personal"],
  ["update.rate", {}, ""],
  ["update.rate", { work: 5, health: 3 }, ""],
  ["parking.add", { text: long(121) }, "text"],
  ["parking.add", { text: "  " }, "text"],
  ["parking.add", { text: "Hiring", id: "p9" }, ""],
  ["parking.remove", { id: "" }, "id"],
  ["parking.vote", {}, "id"],
  ["presenter.choose", { memberId: "m1", topicId: "" }, "topicId"],
  ["issue.set", { title: "", ask: "both" }, "title"],
  ["issue.set", { title: long(121), ask: "both" }, "title"],
  ["issue.set", { title: "Hiring", why: long(401), ask: "both" }, "why"],
  ["issue.set", { title: "Hiring", tried: long(401), ask: "both" }, "tried"],
  ["issue.set", { title: "Hiring", ask: "advice" }, "ask"],
  ["issue.set", { title: "Hiring" }, "ask"],
  ["share.pass", { note: "later" }, ""],
  ["timer.extend", { seconds: 29 }, "seconds"],
  ["timer.extend", { seconds: 601 }, "seconds"],
  ["timer.extend", { seconds: 60.5 }, "seconds"],
  ["timer.extend", {}, "seconds"],
  ["timekeeper.assign", {}, "memberId"],
  ["timekeeper.assign", { memberId: long(65) }, "memberId"],
];

describe("parseClientMessage", () => {
  it("knows every message type of PROTOCOL.md", () => {
    expect([...clientMessageTypes].sort()).toEqual(Object.keys(valid).sort());
  });

  describe.each(Object.entries(valid))("%s", (type, payloads) => {
    it.each(payloads.map((p) => [JSON.stringify(p) ?? "no payload", p]))(
      "accepts %s",
      (_label, payload) => {
        const parsed = parseClientMessage(type, payload);
        expect(parsed).toMatchObject({ ok: true, type });
      },
    );
  });

  it.each(malformed)("refuses %s with %j, saying what is wrong", (type, payload, field) => {
    const parsed = parseClientMessage(type, payload);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toMatch(new RegExp(`^Invalid ${type.replace(".", "\\.")}: .+\\.$`));
    if (field) expect(parsed.message).toContain(`${field}: `);
    expect(parsed.message.length).toBeLessThan(200);
  });

  it("refuses a two-word check-in as not one word", () => {
    const parsed = parseClientMessage("checkin.word", { word: "very good" });
    expect(parsed).toEqual({ ok: false, message: "Invalid checkin.word: word: must be one word." });
  });

  it("refuses an unknown type, naming it", () => {
    expect(parseClientMessage("pulse.peek", {})).toEqual({
      ok: false,
      message: 'Unknown message type "pulse.peek".',
    });
    expect(parseClientMessage(42, {})).toEqual({
      ok: false,
      message: 'Unknown message type "42".',
    });
    expect(parseClientMessage("toString", {}).ok).toBe(false);
    expect(parseClientMessage("__proto__", {}).ok).toBe(false);
  });

  it("keeps an unknown type's name short in the message", () => {
    const parsed = parseClientMessage(long(500), {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message.length).toBeLessThan(100);
  });

  it("trims the text it accepts", () => {
    expect(parseClientMessage("question.ask", { text: "  What matters most?  " })).toEqual({
      ok: true,
      type: "question.ask",
      payload: { text: "What matters most?" },
    });
    expect(parseClientMessage("checkin.word", { word: " calm " })).toMatchObject({
      payload: { word: "calm" },
    });
  });

  it("gives an empty payload to a message sent without one", () => {
    expect(parseClientMessage("phase.next", undefined)).toEqual({
      ok: true,
      type: "phase.next",
      payload: {},
    });
  });
});
