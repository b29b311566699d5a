import 'reflect-metadata';
import pino, { type Logger } from 'pino';
import { AdminBootstrapService } from './auth/admin-bootstrap.service';
import { createApp } from './bootstrap';
import { ROOT_LOGGER } from './common/logging/logging.module';
import { AppConfig } from './config/app-config';
import { ConfigValidationError } from './config/env.schema';

async function main(): Promise<void> {
  // .env is optional; real environment variables win over it.
  try {
    process.loadEnvFile();
  } catch {
    /* no .env file */
  }
  let config: AppConfig;
  try {
    config = new AppConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`Switchboard cannot start. Invalid environment variables: ${err.keys.join(', ')}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const base = config.http.publicUrl ?? config.publicUrl().replace(/:\d+$/, `:${port}`);
  const logger = app.get<Logger>(ROOT_LOGGER);
  logger.info({ context: 'Bootstrap', url: base }, 'Switchboard is listening');
  await writeAfterLogs(logger, config, banner(config, app.get(AdminBootstrapService), base));
}

/**
 * Writes text to stdout after every log line written so far. JSON logs go out asynchronously
 * through pino's destination stream, so text written straight to stdout would overtake them and
 * then scroll away under them: the text joins the same stream, behind those lines. It is not a
 * log record (no level, no JSON). Pretty logs go through a worker that `flush` waits for.
 */
async function writeAfterLogs(logger: Logger, config: AppConfig, text: string): Promise<void> {
  const destination = (logger as unknown as Record<symbol, { write?: (chunk: string) => unknown } | undefined>)[pino.symbols.streamSym];
  if (!config.logging.pretty && typeof destination?.write === 'function') {
    destination.write(text);
    return;
  }
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  process.stdout.write(text);
}

/**
 * Where to go next, printed once to stdout and never as a log record. A generated admin token is
 * shown only on a terminal: when stdout is a pipe or a file (Docker, systemd, CI) it is kept
 * as a log, so the banner says where the token is (`npm run token`) instead.
 */
function banner(config: AppConfig, admin: AdminBootstrapService, base: string): string {
  const hint = admin.accessHint();
  const signIn = hint.kind === 'api-key' ? 'API_KEY' : hint.kind === 'password' ? 'the admin password' : 'the admin token below';
  const lines = [
    '',
    `Switchboard is listening on ${base}`,
    `  Dashboard:   ${base}/   (sign in with ${signIn})`,
    `  Swagger UI:  ${base}/docs   (OpenAPI JSON: ${base}/docs-json)`,
  ];
  lines.push(`  Database:    ${config.db.embedded ? `embedded PGlite in ${config.db.embeddedDir}` : 'PostgreSQL (DATABASE_URL)'}`);
  lines.push(`  Engine:      ${config.whatsapp.engine}`);
  if (hint.kind === 'api-key') lines.push('  Auth:        send API_KEY as "Authorization: Bearer <API_KEY>" (or X-API-Key)');
  if (hint.kind === 'password') lines.push(`  Auth:        POST ${base}/api/auth/login {"password": …} returns a JWT`);
  if (hint.kind === 'admin-token') {
    if (hint.generatedToken && process.stdout.isTTY) {
      lines.push(`  Admin token (shown once, also saved to ${hint.file}):`, `    ${hint.generatedToken}`);
    } else {
      lines.push(`  Admin token: in ${hint.file}; print it with "npm run token"`);
    }
    lines.push('  Auth:        "Authorization: Bearer <token>"; in Swagger UI click "Authorize" and paste it');
  }
  return `${lines.join('\n')}\n\n`;
}

main().catch((err) => {
  process.stderr.write(`Switchboard failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
