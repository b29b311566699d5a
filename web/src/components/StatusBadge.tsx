const TONE: Record<string, string> = {
  READY: 'good',
  CONNECTING: 'busy',
  REGISTERING: 'busy',
  DISCONNECTED: 'warn',
  LOGGED_OUT: 'bad',
  INACTIVE: 'muted',
};

/** A session status as text (the colour only repeats it). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONE[status] ?? 'muted'}`}>{status}</span>;
}
