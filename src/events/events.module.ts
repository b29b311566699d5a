import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus';
import { OutboxSignal } from './outbox-signal';

@Global()
@Module({ providers: [EventBus, OutboxSignal], exports: [EventBus, OutboxSignal] })
export class EventsModule {}
