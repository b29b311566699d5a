import { Module } from '@nestjs/common';

/** The gateway product API under /compat/gateway. */
@Module({})
export class GatewayCompatModule {}
