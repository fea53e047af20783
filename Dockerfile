# The Honeyflow image: the `honeyflow` command (engine processors, exporter, gateway, web
# console, workers, CLI). deploy/helm/honeyflow runs it on Kubernetes (docs/kubernetes.md).

# The web console's browser assets (bpmn-js, form-js, uPlot) at web/package-lock.json's
# versions, served by `honeyflow web` from /app/web/node_modules, never from a CDN.
FROM node:22-slim AS web-assets
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY broker ./broker
COPY processors ./processors
COPY bpmn ./bpmn
COPY clients ./clients
COPY examples ./examples
RUN pip install --no-cache-dir .
COPY --from=web-assets /web/node_modules ./web/node_modules
ENV PYTHONPATH=/app
USER nobody
ENTRYPOINT []
CMD ["honeyflow", "--help"]
