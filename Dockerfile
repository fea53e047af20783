# The Honeyflow image: the `honeyflow` command (engine processors, workers, CLI).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY broker ./broker
COPY processors ./processors
COPY bpmn ./bpmn
COPY clients ./clients
COPY examples ./examples
RUN pip install --no-cache-dir .
ENV PYTHONPATH=/app
USER nobody
ENTRYPOINT []
CMD ["honeyflow", "--help"]
