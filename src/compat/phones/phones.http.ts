import type { CompatMediaRoute } from '../compat-http';

/** Routes of the phones API that take a multipart upload or base64 media in JSON. */
export const PHONES_MEDIA_ROUTES: CompatMediaRoute[] = [{ path: '/compat/phones/api/v1/user/phones/:phone/message', fileField: 'media' }];
