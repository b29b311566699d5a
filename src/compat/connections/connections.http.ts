import type { CompatMediaRoute } from '../compat-http';

/** Routes of the connections API that take a multipart upload or base64 media in JSON. */
export const CONNECTIONS_MEDIA_ROUTES: CompatMediaRoute[] = [];
