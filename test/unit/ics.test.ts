// The .ics the table page makes, read back by an independent parser (ical.js, a devDependency
// only for this test: the app writes the file itself).
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { fileName } from "../../client/lib/download.ts";
import { escapeText, foldLine, meetingIcs, utcStamp } from "../../client/lib/ics.ts";

const startsAt = Date.UTC(2026, 11, 6, 18, 30);
const now = Date.UTC(2026, 10, 29, 7, 5, 9);
const octets = (s: string) => new TextEncoder().encode(s).length;

describe("the .ics of the next meeting", () => {
  const name = "Founders' circle; Lyon, \\ Paris — réunion des fondateurs et fondatrices du réseau";
  const link = "https://roundtable.example/t/abcDEF123_-";
  const text = meetingIcs({ tableId: "abcDEF123_-", tableName: name, startsAt, link, now });

  it("is CRLF text with no line over 75 octets, continued by one space", () => {
    expect(text.endsWith("\r\n")).toBe(true);
    const lines = text.split("\r\n").slice(0, -1);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const line of lines) expect(octets(line)).toBeLessThanOrEqual(75);
    expect(lines.some((l) => l.startsWith(" "))).toBe(true);
  });

  it("reads back through ical.js with its UID, DTSTAMP, start in UTC and the escaped name", () => {
    const calendar = new ICAL.Component(ICAL.parse(text));
    expect(calendar.getFirstPropertyValue("version")).toBe("2.0");
    const vevent = calendar.getFirstSubcomponent("vevent")!;
    const event = new ICAL.Event(vevent);
    expect(event.uid).toBe("abcDEF123_--20261206T183000Z@roundtable");
    expect(event.summary).toBe(`${name} meeting`);
    expect(event.description).toBe(`The next meeting of ${name}.\nJoin at ${link}`);
    expect(event.startDate.toJSDate().getTime()).toBe(startsAt);
    expect(event.startDate.zone?.tzid).toBe("UTC");
    expect(event.endDate.toJSDate().getTime()).toBe(startsAt + 120 * 60_000);
    const stamp = vevent.getFirstPropertyValue("dtstamp") as ICAL.Time;
    expect(stamp.toJSDate().getTime()).toBe(now);
    expect(vevent.getFirstPropertyValue("url")).toBe(link);
  });
});

describe("its pieces", () => {
  it("escapes backslash, semicolon, comma and every kind of newline", () => {
    expect(escapeText("a\\b;c,d\ne\r\nf\rg")).toBe("a\\\\b\\;c\\,d\\ne\\nf\\ng");
  });

  it("folds by octets and never splits a character", () => {
    const line = `SUMMARY:${"é".repeat(60)}${"😀".repeat(10)}`;
    const folded = foldLine(line);
    for (const part of folded.split("\r\n")) expect(octets(part)).toBeLessThanOrEqual(75);
    expect(
      folded
        .split("\r\n")
        .map((p, i) => (i === 0 ? p : p.slice(1)))
        .join(""),
    ).toBe(line);
    expect(foldLine("SHORT:1")).toBe("SHORT:1");
  });

  it("writes times in UTC and makes a plain file name", () => {
    expect(utcStamp(startsAt)).toBe("20261206T183000Z");
    expect(fileName("Founders' circle (Lyon)", "ics")).toBe("founders-circle-lyon.ics");
    expect(fileName("···", "md")).toBe("roundtable.md");
  });
});
