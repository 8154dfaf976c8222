// drizzle-kit settings for PostgreSQL: `npm run db:generate:postgres` writes into drizzle/postgres/.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/queue/pg/schema.ts',
  out: './drizzle/postgres',
})
