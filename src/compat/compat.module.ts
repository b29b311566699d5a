import { Module } from '@nestjs/common';
import { ConnectionsCompatModule } from './connections/connections-compat.module';
import { DevicesCompatModule } from './devices/devices-compat.module';
import { GatewayCompatModule } from './gateway/gateway-compat.module';
import { PhonesCompatModule } from './phones/phones-compat.module';

/** The sibling products' APIs, each a thin adapter over the native services under /compat/<api>. */
@Module({ imports: [ConnectionsCompatModule, PhonesCompatModule, GatewayCompatModule, DevicesCompatModule] })
export class CompatModule {}
