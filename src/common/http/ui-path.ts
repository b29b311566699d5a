/**
 * Where the web dashboard is mounted (src/web-ui; its Vite build uses the same base). Kept here
 * because the security headers, which run before any module, give it its own policy.
 */
export const UI_BASE = '/ui';

/** Whether a request path belongs to the dashboard. */
export function isUiPath(path: string): boolean {
  return path === UI_BASE || path.startsWith(`${UI_BASE}/`);
}
