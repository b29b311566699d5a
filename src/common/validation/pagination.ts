/**
 * The highest `page` a list accepts: far beyond any real list at the smallest page size, and
 * small enough that the offset it makes (page × limit) stays a safe integer for the database.
 */
export const MAX_PAGE = 100_000;
