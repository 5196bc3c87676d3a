import { defineConfig } from 'drizzle-kit';

// The PostgreSQL store's migrations, kept apart from libSQL's (./drizzle).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/postgres/schema.ts',
  out: './drizzle-pg',
});
