import 'reflect-metadata';
import { AdminBootstrapService } from './auth/admin-bootstrap.service';
import { createApp } from './bootstrap';
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
  printBanner(config, app.get(AdminBootstrapService), typeof address === 'object' && address ? address.port : config.http.port);
}

/** Where to go next, printed once to stdout (not through the logger). */
function printBanner(config: AppConfig, admin: AdminBootstrapService, port: number): void {
  const base = config.http.publicUrl ?? config.publicUrl().replace(/:\d+$/, `:${port}`);
  const hint = admin.accessHint();
  const lines = ['', `Switchboard is listening on ${base}`, `  Swagger UI:  ${base}/docs   (OpenAPI JSON: ${base}/docs-json)`];
  lines.push(`  Database:    ${config.db.embedded ? `embedded PGlite in ${config.db.embeddedDir}` : 'PostgreSQL (DATABASE_URL)'}`);
  lines.push(`  Engine:      ${config.whatsapp.engine}`);
  if (hint.kind === 'api-key') lines.push('  Auth:        send API_KEY as "Authorization: Bearer <API_KEY>" (or X-API-Key)');
  if (hint.kind === 'password') lines.push(`  Auth:        POST ${base}/api/auth/login {"password": …} returns a JWT`);
  if (hint.kind === 'admin-token') {
    if (hint.generatedToken) {
      lines.push(`  Admin token (shown once, also saved to ${hint.file}):`, `    ${hint.generatedToken}`);
    } else {
      lines.push(`  Admin token: in ${hint.file}`);
    }
    lines.push('  Auth:        "Authorization: Bearer <token>"; in Swagger UI click "Authorize" and paste it');
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((err) => {
  process.stderr.write(`Switchboard failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
