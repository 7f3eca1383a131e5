# sentibot: a two-stage image. The builder installs the project and its dependencies into a
# virtual environment; the runtime stage copies only that environment onto a clean slim base
# and runs as an unprivileged user. The bundled model (model/default/) is package data, so it
# is inside the image. Everything this file runs also works outside Docker: see docs/deploy.md.
#
#   docker build -t sentibot .
#   docker run --rm -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -p 8080:8080 sentibot
#
# Configuration: /app/config.toml (mount your own: -v ./config.toml:/app/config.toml:ro, or
# pass --config PATH after "run"), overridden by SENTIBOT_<SECTION>__<KEY> variables; platform
# tokens only from SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET, DISCORD_TOKEN.

# Pinned base (an exact patch release on Debian 12). For reproducible builds pin the digest
# too: docker buildx imagetools inspect python:3.11.11-slim-bookworm, then build with
# --build-arg PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:<digest>.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, from pyproject.toml and constraints.txt alone, so a change to the code or
# the README does not reinstall TensorFlow.
# scripts/image_requirements.py lists pyproject.toml's dependencies with the CPU-only TensorFlow
# wheel (tensorflow-cpu, same version and module, no GPU libraries: the image runs on CPUs), and
# constraints.txt pins every package and build tool to an exact version, so a rebuild installs
# the same set (regenerate it with `make constraints`). pip check fails the build on a conflict.
# TensorFlow's C++ headers (tensorflow/include, 287 MB) serve only to compile custom ops: removed.
COPY pyproject.toml constraints.txt ./
COPY scripts/image_requirements.py ./scripts/
RUN python scripts/image_requirements.py pyproject.toml > /tmp/requirements.txt \
    && pip install -c constraints.txt --upgrade pip setuptools wheel \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && pip check \
    && rm -rf /opt/venv/lib/python3.*/site-packages/tensorflow/include
COPY README.md ./
COPY bot ./bot
COPY model ./model
COPY storage ./storage
# The project itself, built with the pinned setuptools (no build isolation: nothing unpinned is
# fetched); the build tools then leave the environment the runtime stage copies.
RUN pip install --no-deps --no-build-isolation . \
    && pip uninstall --yes setuptools wheel \
    && python -m compileall -q /opt/venv/lib

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="sentibot" \
      org.opencontainers.image.description="Sentiment-monitoring bot for Discord and Slack" \
      org.opencontainers.image.licenses="MIT"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    HOME=/app \
    MPLCONFIGDIR=/app/var/matplotlib \
    KERAS_HOME=/app/var/keras \
    SENTIBOT_OPS__PORT=8080 \
    SENTIBOT_OPS__LOG_FORMAT=json
RUN groupadd --system --gid 10001 sentibot \
    && useradd --system --uid 10001 --gid sentibot --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin sentibot
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY config.toml /app/config.toml
# The labelled chat and sentence sets [data] chat_train and the short-text evaluation read
# (paths relative to /app, as in the repository), so `sentibot train` works in the image.
COPY benchmarks/data /app/benchmarks/data
# The bundled model is checked as the runtime user, after /app/var is theirs: caches created by
# the check (Keras, matplotlib) belong to them, not to root.
RUN mkdir -p /app/var/models && chown -R sentibot:sentibot /app/var
USER sentibot:sentibot
RUN python -c "from model.artifact import read_metadata; from model.config import BUNDLED_MODEL_DIR as d; print('bundled model', read_metadata(d)['version'])"
# The working directory's var/: the default SQLite database ([storage] url
# sqlite:///var/sentibot.db is relative to /app), charts (var/charts) and library caches.
# A bind-mounted directory must be writable by uid 10001 (chown 10001:10001 DIR). /app/var/models
# exists in the image, owned by that user, so a named volume mounted there (compose: one model
# store shared by every bot) starts with the right owner.
VOLUME ["/app/var"]
# 8080: /healthz and /metrics ([ops] port); 3000: Slack HTTP mode ([slack] port).
EXPOSE 8080 3000
# The probe imports only the config schema and urllib: milliseconds, no TensorFlow.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-m", "bot.ops.probe"]
# SIGTERM (docker stop) drains: everything already received is scored and stored, then exit 0
# within [ops] shutdown_timeout_s; give docker stop a longer grace period than that.
STOPSIGNAL SIGTERM
ENTRYPOINT ["sentibot"]
CMD ["run"]
