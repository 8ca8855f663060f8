# Dial-A-Joke container image. UNTESTED HERE: the development machine has no Docker engine (only the client), so
# this file was written carefully but never built; see README "Running several instances".
#
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step: the first stage only
# installs the production dependencies from the lockfile, the second copies them next to the sources.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The carrier simulator is an npm workspace (the service runs it in-process when TELNYX_API_KEY is unset): npm ci
# needs its package.json to link node_modules/telnyx-simulator -> ../packages/telnyx-simulator (copied below).
COPY packages/telnyx-simulator/package.json ./packages/telnyx-simulator/
# --omit=dev: the pinned `node` devDependency, the test and lint tools stay out of the image (the base image is
# Node 24 already). --ignore-scripts: no install script runs (none is needed at run time).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production \
    STAGE=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY config ./config
COPY src ./src
COPY packages ./packages
COPY templates ./templates
# The image's own user, not root. The app writes nothing inside the image on PostgreSQL; a SQLite database would
# need a volume mounted at /app/data owned by this user.
USER node
EXPOSE 3000
# /health answers 200 while the process is alive. The slim image has no curl: Node's own fetch does the check.
# An IP literal as Host is accepted on a wildcard listener (see the host check), so no ALLOWED_HOSTS is needed.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node handles SIGTERM itself (graceful shutdown: in-flight requests and dials finish), so no init wrapper.
CMD ["node", "src/main.ts"]
