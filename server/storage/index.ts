// Storage holds only what accountability and the trust trend need: tables, meeting counts,
// commitments with their follow-up answers, and revealed pulse aggregates. Meeting content
// (questions, check-in words, shares) has no column here, by design.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Storage } from "./types.ts";

// The types are the storage's API as much as openStorage is; they live in types.ts so that
// the modules this one loads can import them without a cycle.
export type * from "./types.ts";

/** Opens storage from a DATABASE_URL: unset or a file path / "file:" URL → embedded SQLite (default ./data/roundtable.db, directory created), "postgres://" or "postgresql://" → PostgreSQL. Runs migrations before resolving. */
export async function openStorage(databaseUrl?: string): Promise<Storage> {
  const url = databaseUrl?.trim() || undefined;
  if (url !== undefined && /^postgres(ql)?:\/\//i.test(url)) {
    const { openPostgresStorage } = await import("./postgres.ts");
    return openPostgresStorage(url);
  }
  const { openSqliteStorage } = await import("./sqlite.ts");
  return openSqliteStorage(sqliteUrl(url));
}

/** Default SQLite file, relative to the working directory. */
const defaultSqlitePath = "data/roundtable.db";

// Turns the accepted spellings into the one form libsql reads unambiguously (an absolute,
// percent-encoded file: URL) and makes sure the file's directory exists.
function sqliteUrl(url: string | undefined): string {
  if (url === ":memory:") return url;
  let path: string;
  if (url === undefined) {
    path = defaultSqlitePath;
  } else if (/^file:\/\//i.test(url)) {
    path = fileURLToPath(url);
  } else if (/^file:/i.test(url)) {
    path = decodeURIComponent(url.slice("file:".length));
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    // Name only the scheme: the rest of a URL may hold a password.
    const scheme = url.slice(0, url.indexOf(":"));
    throw new Error(
      `DATABASE_URL scheme "${scheme}:" is not supported: use a file path, a "file:" URL, or a "postgres://" URL`,
    );
  } else {
    path = url;
  }
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  return pathToFileURL(absolute).href;
}
