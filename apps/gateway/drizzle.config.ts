/** @module drizzle-kit config: `npx drizzle-kit generate --name <what-changed>` writes a new SQL migration. */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
