import { notificationMigrations } from '../contexts/notifications/schema.ts';
import { type MigrationSet, platformMigrations } from '../platform/store/migrations.ts';

/** Every schema migration set of the application, in the order their names sort (`0001-…`). */
export const APP_MIGRATIONS: readonly MigrationSet[] = [platformMigrations, notificationMigrations];
