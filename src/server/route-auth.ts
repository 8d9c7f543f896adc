import type { FastifyInstance } from 'fastify';
import { AUTH_LEVELS, type AuthLevel } from './auth.ts';

/** Swagger UI registers its own routes and cannot declare a level: everything under here is public. */
export const DOCS_PREFIX = '/api/docs';

export interface DeclaredRoute {
  method: string;
  url: string;
  auth: AuthLevel;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the auth level it declared, as registered. */
    declaredRoutes: DeclaredRoute[];
  }
}

/**
 * Refuses (at start-up) any route that does not declare who may call it, so a new route can
 * never be open by omission. The recorded list lets a test check what is public.
 */
export function installRouteAuthCheck(app: FastifyInstance): void {
  const routes: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', routes);
  app.addHook('onRoute', (route) => {
    if (route.config?.auth === undefined && route.url.startsWith(DOCS_PREFIX)) {
      route.config = { ...route.config, auth: 'public' };
    }
    const auth = route.config?.auth;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (auth === undefined || !AUTH_LEVELS.includes(auth)) {
      throw new Error(`route ${methods.join(',')} ${route.url} declares no auth level (config.auth)`);
    }
    for (const method of methods) routes.push({ method, url: route.url, auth });
  });
}
