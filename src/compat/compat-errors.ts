import type { Request, Response } from 'express';
import { productApiOfPath, type ProductApi } from '../auth/product-api';
import { renderConnectionsError } from './connections/connections.errors';
import { renderDevicesError } from './devices/devices.errors';
import { renderGatewayError } from './gateway/gateway.errors';
import { renderPhonesError } from './phones/phones.errors';

/** An error already mapped to a status and a stable code (see `toNativeError`). */
export interface CompatError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  requestId: string;
}

/** A product's error body for a mapped error; it may change the status (e.g. a product that answers 400 where we say 422). */
export type CompatErrorRenderer = (error: CompatError) => { status?: number; body: unknown };

const RENDERERS: Record<ProductApi, CompatErrorRenderer> = {
  connections: renderConnectionsError,
  phones: renderPhonesError,
  gateway: renderGatewayError,
  devices: renderDevicesError,
};

/**
 * Every error under `/compat/<api>/…` (guard, validation, handler, unknown route, body parser)
 * is written in that product's documented error shape. Returns false for other paths.
 */
export function renderCompatError(error: Omit<CompatError, 'requestId'>, req: Request, res: Response, requestId: string): boolean {
  const api = productApiOfPath(req.originalUrl ?? req.url ?? '');
  if (!api) return false;
  const { status = error.status, body } = RENDERERS[api]({ ...error, requestId });
  if (res.headersSent) return true;
  res.setHeader('X-Request-Id', requestId);
  res.status(status).json(body);
  return true;
}

/** The shape of a product that documents none: `{success:false, error, code}` (the default). */
export function defaultCompatError(error: CompatError): { body: unknown } {
  return { body: { success: false, error: error.message, code: error.code } };
}
