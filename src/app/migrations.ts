import { managementReadModelMigrations } from '../contexts/conference-management/projections/schema.ts';
import { conferenceManagementMigrations } from '../contexts/conference-management/schema.ts';
import { notificationMigrations } from '../contexts/notifications/schema.ts';
import { paymentTokenMigrations } from '../contexts/payments/schema.ts';
import { catalogueMigrations } from '../contexts/registration/catalogue/schema.ts';
import { registrationReadModelMigrations } from '../contexts/registration/read-models/schema.ts';
import { maintenanceMigrations } from '../platform/maintenance/schema.ts';
import { readModelVersionMigrations } from '../platform/read-models/schema.ts';
import { logQueryIndexMigrations } from '../platform/store/log-indexes.ts';
import { type MigrationSet, platformMigrations } from '../platform/store/migrations.ts';
import { transportMigrations } from '../platform/transport/schema.ts';
import { rateLimitMigrations } from '../web/rate-limiter.ts';

/** Every schema migration set of the application, in the order their names sort (`0001-…`). */
export const APP_MIGRATIONS: readonly MigrationSet[] = [
  platformMigrations,
  notificationMigrations,
  conferenceManagementMigrations,
  rateLimitMigrations,
  catalogueMigrations,
  managementReadModelMigrations,
  registrationReadModelMigrations,
  paymentTokenMigrations,
  maintenanceMigrations,
  readModelVersionMigrations,
  logQueryIndexMigrations,
  transportMigrations,
];
