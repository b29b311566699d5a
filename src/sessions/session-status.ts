export enum SessionStatus {
  /** Not linked yet: waiting for a QR scan or a pairing code. */
  REGISTERING = 'REGISTERING',
  /** Linked credentials exist; the socket is connecting or logging in. */
  CONNECTING = 'CONNECTING',
  READY = 'READY',
  /** Transient: the connection dropped and a reconnect is scheduled. */
  DISCONNECTED = 'DISCONNECTED',
  /** Unlinked from the phone (or banned); credentials are wiped and nothing retries. */
  LOGGED_OUT = 'LOGGED_OUT',
  /** Stopped on purpose (or given up on); not connected and not retrying. */
  INACTIVE = 'INACTIVE',
}
