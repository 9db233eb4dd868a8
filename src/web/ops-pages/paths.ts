/** The operator pages' addresses (API.md Page routes). */
export const opsPaths = {
  home: '/ops',
  logout: '/ops/logout',
  emails: '/ops/emails',
};
