/**
 * A length of time as the countdown box shows it (DOMAIN 6.1): `mm:ss`, or `hh:mm:ss` from one
 * hour. `assets/countdown.js` writes the ticking time the same way.
 */
export function durationText(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = `${two(minutes)}:${two(seconds % 60)}`;
  return hours > 0 ? `${two(hours)}:${rest}` : rest;
}
