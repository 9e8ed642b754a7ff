# Crosscheck: the Discord bot in a small image. Build: `docker build -t crosscheck .`
# Run: `docker run -d --env-file .env -v ./data:/data crosscheck` (or `docker compose up -d`).
# The library database, the saved indexes and the heartbeat live on the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY seeds ./seeds
# Editable: the bundled seeds (the default sources) stay beside the code, as in a checkout.
RUN pip install -e . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin crosscheck \
    && mkdir -p /data && chown crosscheck:crosscheck /data

USER crosscheck
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot", "run"]
