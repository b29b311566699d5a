import type { CompatMediaRoute } from '../compat-http';

/** Routes of the connections API that take a multipart upload or base64 media in JSON. */
export const CONNECTIONS_MEDIA_ROUTES: CompatMediaRoute[] = [{ path: '/compat/connections/api/v1/messages/send', fileField: 'file' }];
