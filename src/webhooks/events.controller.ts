import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CredentialVerifier } from '../auth/credential-verifier.service';
import { extractCredential } from '../auth/credentials';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { EventStreamQueryDto } from './dto/delivery.dto';
import { EventStreamService, type StreamEvent } from './event-stream.service';

/** A client that stops reading is dropped once this much output is waiting for it. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** Tells EventSource clients how long to wait before reconnecting. */
const RECONNECT_HINT_MS = 3_000;

@ApiTags('Events')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly stream: EventStreamService,
    private readonly credentials: CredentialVerifier,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Live event stream (Server-Sent Events)',
    description:
      'A `text/event-stream` of the webhook events as they happen, for dashboards: each event is `id: <event id>`, ' +
      '`event: <type>`, `data: <the native webhook envelope JSON>`. Filters: `events=a,b` and `sessionId`; a session-bound ' +
      'token sees only its session. A `: ping` comment comes every 15 s. No replay: events before the connection are not sent ' +
      '(use webhooks for guaranteed delivery). Each server process streams the events it produces. ' +
      'Swagger UI cannot display a stream (the request never ends): use `curl -N -H "Authorization: Bearer <token>" ' +
      '<base>/api/events`, or `EventSource` in a browser signed in through the login cookie.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The stream', schema: { type: 'string', example: 'id: evt_6a0f…\nevent: session.status\ndata: {"id":"evt_6a0f…","event":"session.status",…}\n\n' } })
  @ApiErrorResponses(400, 401, 403, 404)
  async events(
    @CurrentPrincipal() principal: Principal,
    @Query() query: EventStreamQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // Validation errors are thrown before the stream starts, so they get the JSON error envelope.
    const filter = await this.stream.resolveFilter(principal, query);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.write(`retry: ${RECONNECT_HINT_MS}\n: connected\n\n`);

    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      unwatch();
      res.end();
    };
    const write = (chunk: string) => {
      if (closed) return;
      if (res.writableLength > MAX_BUFFERED_BYTES) return close();
      res.write(chunk);
    };
    const heartbeat = setInterval(() => write(': ping\n\n'), this.stream.heartbeatMs);
    heartbeat.unref();
    const unsubscribe = this.stream.subscribe(filter, (e: StreamEvent) => write(`id: ${e.id}\nevent: ${e.event}\ndata: ${e.json}\n\n`), close);
    // The stream ends within seconds of its credential being revoked, expiring or outdated by a password change.
    const unwatch = this.credentials.watch(extractCredential(req)!, close);
    req.on('close', close);
  }
}
