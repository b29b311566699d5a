import { ApiParam } from '@nestjs/swagger';

/** The `{sessionId}` path parameter, documented once for every route that takes it. */
export const ApiSessionParam = (): MethodDecorator & ClassDecorator =>
  ApiParam({
    name: 'sessionId',
    description:
      'The `sessionId` that POST /api/sessions returned (e.g. `qr_1782473171252_bb1a0195`) or, once linked, the account\'s mobile number (any common format) or mobid. ' +
      'The example is the number the README\'s sandbox walk links.',
    example: '919876543210',
  });
