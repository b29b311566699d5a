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
# tini forwards SIGTERM so sessions close cleanly (without logging out) on redeploys.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# `npm run token` prints the generated admin token (docs/operations.md)
COPY --chown=node:node scripts/token.mjs ./scripts/token.mjs
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js"]
