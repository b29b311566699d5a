# syntax=docker/dockerfile:1
# ---- build: compile TypeScript, then drop dev dependencies ----------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# postinstall patches Baileys (docs/baileys-patches.md)
COPY scripts/patch-baileys.mjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
# the web dashboard, built into dist/web by `npm run build`
COPY web ./web
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: production dependencies only, non-root ------------------------------------
FROM node:20-bookworm-slim AS runtime
# ffmpeg converts voice notes to Ogg/Opus; espeak-ng is the offline text-to-speech voice;
# tini is PID 1: it forwards SIGTERM to node (which then hands its sessions over to the other
# replicas and closes them without logging out) and reaps the ffmpeg/espeak-ng children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
# The code stays owned by root (read-only to the process); only /data belongs to the app's user.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# `npm run token` prints the generated admin token (docs/operations.md)
COPY scripts/token.mjs ./scripts/token.mjs
RUN mkdir -p /data && chown node:node /data
# The image's `node` user by number, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
VOLUME ["/data"]
EXPOSE 3000
# Liveness only (no database): a database outage makes the replica not ready (GET /api/health/ready,
# what load balancers check), it is no reason to restart the process.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM starts the graceful shutdown (the default, stated so nobody changes it by accident).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js"]
