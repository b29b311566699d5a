import { CONNECTIONS_MEDIA_ROUTES } from './connections/connections.http';
import { DEVICES_MEDIA_ROUTES } from './devices/devices.http';
import { GATEWAY_MEDIA_ROUTES } from './gateway/gateway.http';
import { PHONES_MEDIA_ROUTES } from './phones/phones.http';

/** A product route whose body may be multipart (one file part) or JSON as large as the media limit. */
export interface CompatMediaRoute {
  /** Express path, e.g. `/compat/gateway/api/send-image` or `/compat/phones/api/v1/user/phones/:phone/message`. */
  path: string;
  /** The multipart field that carries the file. */
  fileField: string;
}

/** Every product route that takes media; bootstrap mounts the media body parser on each. */
export const COMPAT_MEDIA_ROUTES: readonly CompatMediaRoute[] = [
  ...CONNECTIONS_MEDIA_ROUTES,
  ...PHONES_MEDIA_ROUTES,
  ...GATEWAY_MEDIA_ROUTES,
  ...DEVICES_MEDIA_ROUTES,
];
