# Taskwarden server image: `docker build -t taskwarden .`, then
# `docker run -d -p 8080:8080 -v taskwarden-data:/data taskwarden` (README, "Production").

# Build stage: every dependency (the web UI is built with vite and the server with tsc +
# esbuild, dev dependencies, by `npm ci`'s prepare step), then the dev dependencies dropped.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY web ./web
COPY src ./src
COPY bin ./bin
COPY examples ./examples
RUN npm ci && npm prune --omit=dev

# Runtime stage: the pruned tree and the build (dist/, no src/: bin runs the compiled code,
# no TypeScript at run time), run by the image's unprivileged `node` user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    TASKWARDEN_DATA=/data \
    TASKWARDEN_HOST=0.0.0.0 \
    TASKWARDEN_PORT=8080
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/examples ./examples
COPY --from=build --chown=root:root /app/web/dist ./web/dist
# The data folder (database, admin.token, package files) is the volume, owned by the server's user.
RUN mkdir -m 0700 /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--max-semi-space-size=64", "bin/taskwarden.js"]
CMD ["server"]
