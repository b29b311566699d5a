import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

/** Where the server mounts the app (src/web-ui); every route below is relative to it. */
export const BASE = '/ui';

function currentPath(): string {
  const p = window.location.pathname;
  if (!p.startsWith(BASE)) return '/';
  const rest = p.slice(BASE.length);
  return rest === '' ? '/' : rest.length > 1 && rest.endsWith('/') ? rest.slice(0, -1) : rest;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  return () => window.removeEventListener('popstate', onChange);
}

/** The path under /ui ("/", "/sessions", "/sessions/qr_…"), updated on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

export function navigate(to: string): void {
  window.history.pushState(null, '', BASE + to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; children: ReactNode; current?: boolean };

/** An in-app link: a real <a href> (open in a new tab works), navigated without a reload. */
export function Link({ to, children, current, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={BASE + to} onClick={handle} aria-current={current ? 'page' : undefined} {...rest}>
      {children}
    </a>
  );
}
