import { Module } from '@nestjs/common';

/** The devices product API under /compat/devices. */
@Module({})
export class DevicesCompatModule {}
