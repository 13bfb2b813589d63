# Accumulator in a container. The front end is built once, here; the running container has no bun
# and no node: it serves the prebuilt `.web/build/client` and the API on one port.
#
#   docker build -t accumulator .
#   docker run --rm -v accumulator-data:/data accumulator alembic upgrade head
#   docker run -d --name accumulator -p 8000:8000 -v accumulator-data:/data accumulator

# 1. bun from the npm registry (the Makefile's version), only to build the front end.
FROM node:20-bookworm-slim AS bun
ARG BUN_VERSION=1.4.4
RUN npm install --prefix /opt/bun --no-audit --no-fund --silent bun@${BUN_VERSION} \
 && /opt/bun/node_modules/.bin/bun --version

# 2. The Python packages and the production front end.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt ./
# The test and lint tools (Playwright brings its own node) stay out of the image.
RUN pip install -r requirements.txt \
 && pip uninstall -y playwright pytest pytest-asyncio ruff aiosmtpd
COPY --from=bun /opt/bun /opt/bun
COPY rxconfig.py alembic.ini ./
COPY reflex.lock reflex.lock
COPY assets assets
COPY alembic alembic
COPY accumulator accumulator
# The port is written into the front end: it is the port the page's websocket dials when the page is
# served over plain http (over https it dials the page's own host and port). The throwaway DATA_DIR and
# SECRET_KEY keep any database or key out of the image.
RUN PATH=/opt/bun/node_modules/.bin:$PATH REFLEX_USE_SYSTEM_BUN=1 REFLEX_CHECK_LATEST_VERSION=0 \
    PORT=8000 DATA_DIR=/tmp/build-data SECRET_KEY=build-only-never-used-when-the-app-runs-000000 \
    reflex export --frontend-only --no-zip --loglevel warning \
 && test -f .web/build/client/index.html \
 && rm -rf /tmp/build-data

# 3. What runs: Python, the venv, the app and the built front end. No bun, no node.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/accumulator accumulator \
 && mkdir -p /data /app/.states \
 && chown accumulator:accumulator /data /app/.states
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app/rxconfig.py /app/alembic.ini ./
COPY --from=build /app/alembic alembic
COPY --from=build /app/accumulator accumulator
COPY --from=build /app/.web/build/client .web/build/client
COPY --from=build /app/.web/backend .web/backend
RUN /opt/venv/bin/python -m compileall -q accumulator alembic rxconfig.py
# The granian command below is what `reflex run --env prod` starts after building, minus the build:
# REFLEX_ENV_MODE=prod is production mode, and Reflex's two internal switches (named with `__`, Reflex
# 0.10.1; check them when upgrading) skip compiling and mount the prebuilt front end on the one port.
# GRANIAN_WORKERS: worker processes; more than 1 only with REDIS_URL.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8000 \
    DATA_DIR=/data \
    REFLEX_ENV_MODE=prod \
    __REFLEX_SKIP_COMPILE=true \
    __REFLEX_MOUNT_FRONTEND_COMPILED_APP=true \
    GRANIAN_WORKERS=1
USER accumulator
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'], timeout=4)"]
# Migrations are a command of their own: `alembic upgrade head` (see the README).
CMD ["sh", "-c", "exec granian --interface asgi --factory --host 0.0.0.0 --port \"$PORT\" accumulator.accumulator:app"]
