# Kaupunkitalkkari: Telegram bot + admin API in one process (`talkkari run`).
# Build: docker build -t kaupunkitalkkari .     Run: docker run -p 8080:8080 -v talkkari:/data ...

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home talkkari \
    && mkdir -p /app /data \
    && chown talkkari:talkkari /data
# Exact versions, each checked against its hash (requirements/runtime.txt, scripts/lock.py);
# the project's own wheel brings no dependency of its own.
COPY requirements/runtime.txt /tmp/runtime.txt
RUN pip install --no-cache-dir --require-hashes -r /tmp/runtime.txt \
    && rm /tmp/runtime.txt
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels

# Train the understanding at build time, so the container starts in a second.
ENV TALKKARI_NLU_CACHE_DIR=/opt/talkkari/nlu
RUN talkkari nlu train

WORKDIR /app
ENV TALKKARI_DATA_DIR=/data \
    TALKKARI_HOST=0.0.0.0 \
    TALKKARI_PORT=8080
VOLUME ["/data"]
USER talkkari
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["talkkari", "run"]
