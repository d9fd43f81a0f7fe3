# syntax=docker/dockerfile:1
# The dialer as one image: `dialer` is the entry point, so `docker run IMAGE migrate|serve|worker|...`.
# No build step (tsx runs the TypeScript sources); the build stage installs the production
# dependencies and generates the Prisma client, the runtime stage copies them next to the sources.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# postinstall runs `prisma generate` from the schema (nothing is downloaded: the schema engine is WebAssembly).
COPY prisma ./prisma
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/src/generated ./src/generated
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY src ./src
COPY examples ./examples
RUN ln -s /app/src/cli/bin.mjs /usr/local/bin/dialer
# The image's files stay root's (read-only to the process); it runs as node's unprivileged user.
USER node
EXPOSE 3000
ENTRYPOINT ["dialer"]
CMD ["--help"]
