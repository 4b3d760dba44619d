# One image, every role: `all` (default), `api`, `worker`, `migrate`, `create-api-key`, ...
# Production needs DATABASE_URL, REDIS_URL and SWITCHYARD_ENCRYPTION_KEY (see docker-compose.yml).

# --- build: compile TypeScript with the dev dependencies --------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# tsconfig.build.json compiles src/, bench/ and test/support/ (.dockerignore keeps node_modules,
# dist and .data out); only dist/src is shipped.
COPY . .
RUN npm run build

# --- deps: production dependencies only -------------------------------------------------------
# The `node` package is a devDependency that brings Node 24 to machines with an older Node;
# this image already is Node 24, so omitting dev dependencies is right here.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ----------------------------------------------------------------------------------
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=1536" \
    HOST=0.0.0.0 \
    PORT=4000
# package.json is needed at run time too: it declares "type": "module".
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# The operator console, built by `npm run build` (Vite) and served by the hub at /console.
COPY --from=build /app/dist/console ./dist/console
# Files stay owned by root (read-only for the app); the process runs unprivileged.
USER node
EXPOSE 4000
# Liveness only, for every role (the `worker` role serves /livez, /readyz and /metrics too).
# Readiness (/readyz) is for the orchestrator; docker-compose.yml checks it instead.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["all"]
