// An iCalendar (RFC 5545) file for the table's next meeting, made in the browser: plain text,
// a few lines, so no library. Lines end in CRLF and fold at 75 octets; text values are escaped.

const encoder = new TextEncoder();

/** Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/**
 * Folds a content line (RFC 5545 3.1): no line longer than 75 octets of UTF-8, continuation lines
 * start with one space; a character is never split between two lines.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // The first line holds 75 octets; the others 74 after their leading space.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

/** A UTC date-time as iCalendar writes it: 20261206T180000Z. */
export function utcStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

export interface MeetingEvent {
  tableId: string;
  tableName: string;
  /** Epoch ms of the meeting's start. */
  startsAt: number;
  /** How long the meeting is planned to take, in minutes. */
  minutes?: number;
  /** The table's link, for the event's description and URL. */
  link: string;
  /** Epoch ms the file is made (DTSTAMP); now by default. */
  now?: number;
}

/** The .ics text of one meeting: a VCALENDAR with one VEVENT, times in UTC. */
export function meetingIcs(event: MeetingEvent): string {
  const minutes = Math.max(1, Math.round(event.minutes ?? 120));
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Roundtable//Between meetings//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    // The same table and start make the same event: a second download updates it in place.
    `UID:${event.tableId}-${utcStamp(event.startsAt)}@roundtable`,
    `DTSTAMP:${utcStamp(event.now ?? Date.now())}`,
    `DTSTART:${utcStamp(event.startsAt)}`,
    `DURATION:PT${Math.floor(minutes / 60)}H${minutes % 60}M`,
    `SUMMARY:${escapeText(`${event.tableName} meeting`)}`,
    `DESCRIPTION:${escapeText(`The next meeting of ${event.tableName}.\nJoin at ${event.link}`)}`,
    `URL:${event.link}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.map(foldLine).join("\r\n") + "\r\n";
}
