# Image of the project's Node services. For now only the chaincode server
# (`chaincode` in docker-compose.yml) runs from it; the gateway and the indexer
# will use it too, each with its own command.
FROM node:20

WORKDIR /app

# Dependencies first, so that a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

ENV NODE_ENV=production
USER node

# Chaincode as a service: CHAINCODE_ID (package id) and CHAINCODE_SERVER_ADDRESS
# (host:port to listen on) come from the environment.
EXPOSE 7400
CMD ["node", "dist/chaincode/src/server.js"]
