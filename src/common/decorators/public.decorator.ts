import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'switchboard:isPublic';

/** Marks a route that needs no credential (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
