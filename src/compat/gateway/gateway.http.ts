import type { CompatMediaRoute } from '../compat-http';

/** Routes of the gateway API that take a multipart upload or base64 media in JSON. */
export const GATEWAY_MEDIA_ROUTES: CompatMediaRoute[] = [{ path: '/compat/gateway/api/send-image', fileField: 'file' }];
