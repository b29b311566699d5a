import { Module } from '@nestjs/common';

/** The phones product API under /compat/phones. */
@Module({})
export class PhonesCompatModule {}
