import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/libsql/schema.ts',
  out: './drizzle',
});
