import { Module } from '@nestjs/common';

/** The connections product API under /compat/connections. */
@Module({})
export class ConnectionsCompatModule {}
