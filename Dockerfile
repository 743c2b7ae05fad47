# dify-opik-collector: a sidecar that sends Dify's traces to Opik.
# Multi-stage: the build stage compiles TypeScript and better-sqlite3 (from source, no prebuilt
# binaries); the runtime stage holds production dependencies only and runs as a non-root user.

FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json .prebuild-installrc ./
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3 \
 && npm cache clean --force
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY proto ./proto
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
# NODE_OPTIONS: a young generation of at most 2 × 4 MiB instead of V8's 2 × 16 MiB on a machine with
# plenty of memory: 20-30 MiB less RSS at 10k spans/s for about a point of CPU, within the noise
# (docs/benchmarks.md, "V8 settings"). With a container memory limit V8 may choose less by itself.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4 \
    DATA_DIR=/var/lib/dify-opik-collector
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY proto ./proto
COPY collector.yaml /etc/dify-opik-collector/collector.yaml
COPY config/examples/dify-queue.yaml /etc/dify-opik-collector/dify-queue.yaml
# Group-writable: next to Dify's storage the collector runs as Dify's uid in the node group
# (deploy/compose/docker-compose.dify-queue.yaml).
RUN mkdir -p /var/lib/dify-opik-collector && chown node:node /var/lib/dify-opik-collector \
 && chmod 0775 /var/lib/dify-opik-collector
USER node
VOLUME ["/var/lib/dify-opik-collector"]
# 4317 OTLP/gRPC, 4318 OTLP/HTTP, 4319 Dify envelopes, 4320 Opik's API, 13133 health check
EXPOSE 4317 4318 4319 4320 13133
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:13133/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/collector.js"]
CMD ["--config", "/etc/dify-opik-collector/collector.yaml"]
