import { ApiParam } from '@nestjs/swagger';

/** The `{sessionId}` path parameter, documented once for every route that takes it. */
export const ApiSessionParam = (): MethodDecorator & ClassDecorator =>
  ApiParam({ name: 'sessionId', description: 'Session id, mobile number (any common format) or mobid', example: 'qr_1781332832910_5eab537f' });
