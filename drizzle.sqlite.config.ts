// drizzle-kit config for the SQLite migrations (generation only: no database is needed).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./server/storage/schema.sqlite.ts",
  out: "./server/storage/migrations/sqlite",
});
