/**
 * The platform library: what every server process needs and no service owns.
 * One error base and its problem+json rendering, request ids, environment
 * reading, PostgreSQL migrations, retry, and JWT verification with the
 * development issuer.
 */
export * from './errors';
export * from './retry';
export * from './config-error';
export * from './env';
export * from './pg/sql-migrations';
export * from './http/problem';
export * from './auth/jwt-verifier';
export * from './auth/dev-issuer';
export * from './auth/auth-config';
export * from './http/request-id';
export * from './http/express-routes';
export * from './auth/org-binding';
export * from './http/rate-limit';
export * from './http/listener';
