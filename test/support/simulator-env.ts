/**
 * App settings for a gateway driving real Baileys against the loopback WhatsApp simulator at
 * `simulatorUrl`: quick reconnects, no send pacing, a fast queue poll, media served from
 * 127.0.0.1 allowed, and a QR wait that fits a test. `extra` adds or overrides settings.
 */
export function simulatorEnv(simulatorUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    WA_ENGINE: 'baileys',
    WA_SIMULATOR_URL: simulatorUrl,
    RECONNECT_BASE_DELAY_MS: '100',
    RECONNECT_MAX_DELAY_MS: '400',
    DEFAULT_MIN_DELAY_MS: '0',
    DEFAULT_MAX_DELAY_MS: '0',
    QUEUE_POLL_INTERVAL_MS: '50',
    MEDIA_URL_ALLOWLIST: '127.0.0.1',
    QR_WAIT_TIMEOUT_MS: '8000',
    ...extra,
  };
}


/** simulatorEnv() for a server process (with SIMULATOR_PRELOAD): it also learns the simulator's root key. */
export function simulatorProcessEnv(sim: { url: string; rootPublicKey: string }, extra: Record<string, string> = {}): Record<string, string> {
  return simulatorEnv(sim.url, { WA_SIMULATOR_ROOT_KEY: sim.rootPublicKey, ...extra });
}
