// drizzle-kit config for the PostgreSQL migrations (generation only: no database is needed).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./server/storage/schema.postgres.ts",
  out: "./server/storage/migrations/postgres",
});
