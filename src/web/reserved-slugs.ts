/**
 * The words the sites use for their own routes (DOMAIN 3.1): never a conference slug, in any case.
 * Conference Management refuses them on create; the public pages never look them up.
 */
export const RESERVED_SLUGS: readonly string[] = [
  'admin', 'api', 'assets', 'create', 'docs', 'health', 'locate', 'login', 'logout',
  'manage', 'metrics', 'ops', 'payment', 'recover', 'static',
];

export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.includes(slug.toLowerCase());
}
