/** Conference dates on the management site (DOMAIN 6.2): `2030-06-12` → `2030/06/12`. */
export function formatManagementDate(date: string): string {
  return date.replaceAll('-', '/');
}
