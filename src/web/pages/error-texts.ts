/** DOMAIN 6.1 "Error": what a site's error page says of a failure (no technical details). */
export const ERROR_TEXT = 'Sorry, an error occurred while processing your request.';
/** A form without a valid CSRF token (403). */
export const FORBIDDEN_TEXT = 'This form has expired or did not come from this site. Please go back, reload the page and try again.';
