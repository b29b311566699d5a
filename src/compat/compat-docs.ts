import type { Type } from '@nestjs/common';
import type { ProductApi } from '../auth/product-api';
import { ConnectionsCompatModule } from './connections/connections-compat.module';
import { DevicesCompatModule } from './devices/devices-compat.module';
import { GatewayCompatModule } from './gateway/gateway-compat.module';
import { PhonesCompatModule } from './phones/phones-compat.module';

export interface ProductDoc {
  api: ProductApi;
  title: string;
  description: string;
  module: Type<unknown>;
}

/** One Swagger document per product API, served at `/docs/<api>` (JSON at `/docs/<api>-json`). */
export const PRODUCT_DOCS: readonly ProductDoc[] = [
  {
    api: 'connections',
    title: 'Connections manager API',
    description: 'The connections manager API served by Switchboard under /compat/connections. See docs/compat-connections.md.',
    module: ConnectionsCompatModule,
  },
  {
    api: 'phones',
    title: 'Phones manager API',
    description: 'The phones manager API served by Switchboard under /compat/phones. See docs/compat-phones.md.',
    module: PhonesCompatModule,
  },
  {
    api: 'gateway',
    title: 'WA Gateway API',
    description: 'The WA Gateway API served by Switchboard under /compat/gateway. See docs/compat-gateway.md.',
    module: GatewayCompatModule,
  },
  {
    api: 'devices',
    title: 'Device-token gateway API',
    description: 'The device-token gateway API served by Switchboard under /compat/devices. See docs/compat-devices.md.',
    module: DevicesCompatModule,
  },
];
