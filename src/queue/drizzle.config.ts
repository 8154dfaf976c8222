// drizzle-kit settings: `bun run db:generate` writes migrations for schema changes into drizzle/.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/queue/schema.ts',
  out: './drizzle',
})
