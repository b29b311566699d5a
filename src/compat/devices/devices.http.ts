import type { CompatMediaRoute } from '../compat-http';

/** Routes of the devices API that take a multipart upload or base64 media in JSON. */
export const DEVICES_MEDIA_ROUTES: CompatMediaRoute[] = [];
