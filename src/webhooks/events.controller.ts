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
      'A `text/event-stream` of the webhook events, for dashboards: each event is `id: <position>`, ' +
      '`event: <type>`, `data: <the native webhook envelope JSON>` (its `id` is the `evt_…` event id). Filters: `events=a,b` and ' +
      '`sessionId`; a session-bound token sees only its session. A `: ping` comment comes every 15 s. ' +
      'Every event is read from the event outbox, so a stream sees the events of every server process on the database. ' +
      'Resume: reconnect with the `Last-Event-ID` header (EventSource does this by itself) or `?lastEventId=` set to the last ' +
      '`id:` received: the stream first sends every event after it, in order and with the same filters, then continues live, ' +
      'with no gap and no duplicate. An id no longer retained (events are kept `EVENTS_RETENTION_HOURS`) or from an older ' +
      'version (`evt_…`) starts with an `event: stream.reset` (data `{"code":"EVENT_ID_UNKNOWN","lastEventId":…}`) followed by ' +
      'every retained event; an id that is not a number is a 400 `VALIDATION_FAILED`. Without an id the stream starts with ' +
      'the events from now on. ' +
      'Swagger UI cannot display a stream (the request never ends): use `curl -N -H "Authorization: Bearer <token>" ' +
      '<base>/api/events`, or `EventSource` in a browser signed in through the login cookie.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The stream', schema: { type: 'string', example: 'id: 1042\nevent: session.status\ndata: {"id":"evt_6a0f…","event":"session.status",…}\n\n' } })
  @ApiErrorResponses(400, 401, 403, 404)
  async events(
    @CurrentPrincipal() principal: Principal,
    @Query() query: EventStreamQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // Validation errors are thrown before the stream starts, so they get the JSON error envelope.
    const filter = await this.stream.resolveFilter(principal, query);
    const start = await this.stream.resolveStart(req.header('last-event-id') ?? query.lastEventId);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.write(`retry: ${RECONNECT_HINT_MS}\n: connected\n\n`);
    if (start.kind === 'reset') res.write(`event: stream.reset\ndata: ${JSON.stringify({ code: 'EVENT_ID_UNKNOWN', lastEventId: start.lastEventId })}\n\n`);

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
    const unsubscribe = this.stream.subscribe(filter, (e: StreamEvent) => write(`id: ${e.seq}\nevent: ${e.event}\ndata: ${e.json}\n\n`), close, start);
    // The stream ends within seconds of its credential being revoked, expiring or outdated by a password change.
    const unwatch = this.credentials.watch(extractCredential(req)!, close);
    req.on('close', close);
  }
}
