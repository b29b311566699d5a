import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { bodyErrors, mediaBody, requestBody } from './common/http/body-parsers';
import { preparePrivateDataDir } from './common/fs/private-dir';
import { securityHeaders } from './common/http/security-headers';
import { AppLogger } from './common/logging/app-logger';
import { ROOT_LOGGER } from './common/logging/logging.module';
import { requestLogger } from './common/logging/request-logger';
import { requestContextMiddleware } from './common/logging/request-context';
import { AppModule } from './app.module';
import { MetricsService } from './metrics/metrics.service';
import { cloudApiFormToken } from './cloud-api/cloud-api-forms';
import { cloudApiRouting } from './cloud-api/cloud-api-routing';
import type { AppConfig } from './config/app-config';
import { PRODUCT_DOCS } from './compat/compat-docs';
import { COMPAT_MEDIA_ROUTES } from './compat/compat-http';

/**
 * Builds the HTTP application exactly as production runs it (used by `main.ts` and by
 * the tests, so both exercise the same middleware, pipes, filters and docs).
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  preparePrivateDataDir(config.dataDir);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  return configureApp(app, config);
}

/** Middleware, logger, shutdown hooks and docs; shared with tests that build the app themselves. */
export function configureApp(app: NestExpressApplication, config: AppConfig): NestExpressApplication {
  app.useLogger(app.get(AppLogger));
  app.disable('x-powered-by');
  // JSON API answers are not cached by validators; hashing every body costs CPU for nothing.
  app.set('etag', false);
  // Whose X-Forwarded-For decides req.ip (the address failed logins are counted by): TRUST_PROXY.
  app.set('trust proxy', config.http.trustProxy);
  // Base64 media travel inside JSON: the send routes accept bodies as large as the media limit.
  const mediaJsonLimit = Math.ceil(config.media.maxBytes * 1.37) + 64 * 1024;
  // Every request, even one refused by a body parser, gets an id and a log line.
  app.use(requestLogger(app.get(ROOT_LOGGER)));
  app.use(app.get(MetricsService).httpMetrics());
  app.use(securityHeaders());
  // Maps Meta's Graph paths (/v21.0/{phone-number-id}/messages, …) onto the Cloud API facade
  // without shadowing native routes, so body-parser errors there are Meta-shaped too.
  app.use(cloudApiRouting());
  // The send route takes a multipart upload or base64 media inside JSON; a body is parsed once,
  // so this wins over the general parsers below on that path.
  app.use('/api/messages/send', mediaBody(config.media.maxBytes, mediaJsonLimit));
  for (const route of COMPAT_MEDIA_ROUTES) app.use(route.path, mediaBody(config.media.maxBytes, mediaJsonLimit, route.fileField));
  app.use(requestBody(config.http.bodyLimit));
  // Graph's access_token as a form field on facade routes (multipart parsed here when needed).
  app.use(cloudApiFormToken(Math.min(config.media.maxBytes, 100 * 1024 * 1024)));
  // After the body parsers: handlers log inside their request's context (see request-context.ts).
  app.use(requestContextMiddleware());
  app.use(bodyErrors);
  app.enableShutdownHooks();
  setupSwagger(app);
  return app;
}

function setupSwagger(app: NestExpressApplication): void {
  const doc = new DocumentBuilder()
    .setTitle('Switchboard')
    .setDescription(
      'Self-hosted WhatsApp session manager and gateway. Authenticate with `Authorization: Bearer <token>` ' +
        '(API token, API_KEY or login JWT) or the same token in the `X-API-Key` / `apikey` header.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API token, API_KEY or login JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Same token as the Bearer one' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, doc);
  // The sibling products' APIs have documents of their own (below), not a place in the native one.
  for (const path of Object.keys(document.paths)) if (path.startsWith('/compat/')) delete document.paths[path];
  // Each product's page first: `docs` would otherwise answer `docs/<api>` with its own UI.
  for (const product of PRODUCT_DOCS) {
    const productDoc = new DocumentBuilder()
      .setTitle(product.title)
      .setDescription(`${product.description} Native API: /docs.`)
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer' })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'apikey' }, 'apikey')
      .build();
    SwaggerModule.setup(`docs/${product.api}`, app, SwaggerModule.createDocument(app, productDoc, { include: [product.module] }), {
      jsonDocumentUrl: `docs/${product.api}-json`,
      swaggerOptions: { persistAuthorization: true },
      customSiteTitle: product.title,
    });
  }
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
    customSiteTitle: 'Switchboard API',
  });
}
