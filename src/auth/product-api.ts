import { SetMetadata } from '@nestjs/common';

/**
 * The sibling products whose APIs Switchboard serves under `/compat/<api>` so their clients can
 * move here unchanged: a connections manager, a phones manager, a WA Gateway and a device-token
 * gateway.
 */
export const PRODUCT_APIS = ['connections', 'phones', 'gateway', 'devices'] as const;
export type ProductApi = (typeof PRODUCT_APIS)[number];

export const PRODUCT_API = 'switchboard:productApi';

/**
 * Marks a controller (or route) as part of one product's API. A token issued for that product
 * (`api` set) is accepted there and refused everywhere else, the native API included.
 */
export const ForProductApi = (api: ProductApi) => SetMetadata(PRODUCT_API, api);

/** The product API a request path belongs to (`/compat/gateway/…` → `gateway`), or null. */
export function productApiOfPath(path: string): ProductApi | null {
  const match = /^\/compat\/([a-z]+)(?:[/?]|$)/.exec(path);
  return match && (PRODUCT_APIS as readonly string[]).includes(match[1]) ? (match[1] as ProductApi) : null;
}
