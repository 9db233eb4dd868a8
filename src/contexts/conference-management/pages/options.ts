import type { Store } from '../../../platform/store/store.ts';

export interface ManagementSiteOptions {
  store: Store;
  /** PUBLIC_URL, for the links in e-mails. */
  publicUrl: string;
  /** Conferences one client IP may create per hour; 0 = no limit. */
  conferenceCreationLimit: number;
}

export { PAGE } from '../../../web/pages/render.ts';
