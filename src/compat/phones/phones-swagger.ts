import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PhonesErrorDto } from './phones.dto';

/** The error statuses a route may answer, each in the phones API's error shape. */
export const PhonesErrors = (...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, type: PhonesErrorDto, description: '{success:false, error, code}' })));
