# lstm-viz on CPU-only torch, served on port 8501 (docs/DEPLOY.md):
#   docker build -t lstm-viz . && docker run -p 8501:8501 lstm-viz   →  http://localhost:8501
# Teacher settings are LSTM_VIZ_* variables (docker run -e LSTM_VIZ_LANG=zh …); an invalid one
# stops the container at start with a message naming it. Linted with hadolint by
# tests/test_deploy_files.py; built and smoke-tested by scripts/image.sh (CI runs it).
# Two build arguments for machines that cannot reach Docker Hub or PyTorch's index (the
# defaults are the real-world build): BASE_IMAGE, a local image with Python 3.11 on bookworm
# and python/pip on PATH; TORCH_FROM_WHEELS=1, torch from the build context's wheels/ folder.
ARG BASE_IMAGE=python:3.11.14-slim-bookworm
FROM ${BASE_IMAGE}

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# tini as PID 1: forwards signals and reaps the processes Chromium leaves behind.
# PNG/SVG downloads drive a headless Chromium (lstm_viz/io/static_image.py); fonts-noto-cjk draws
# the Chinese labels. About 0.8 GB (docs/DEPLOY.md): build with --build-arg WITH_CHROMIUM=0 for
# a smaller image whose download buttons say that image export is unavailable here.
ARG WITH_CHROMIUM=1
# Debian's security updates replace these packages' versions: pinning one breaks the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && if [ "$WITH_CHROMIUM" = 1 ]; then \
        apt-get install -y --no-install-recommends chromium fonts-noto-cjk; \
    fi \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# torch from PyTorch's CPU index (PyPI's Linux wheel pulls in ~3 GB of CUDA libraries), or
# with TORCH_FROM_WHEELS=1 from the CPU wheel put in wheels/ (.dockerignore lets in only
# wheels/*.whl; `wheel[s]` matches nothing when there is no such folder), its dependencies
# from PyPI: pip takes 2.13.0+cpu, a later version than PyPI's 2.13.0 (scripts/image.sh checks
# that the image has the CPU build). The same version as requirements.txt, whose pins give
# everything else (checked by the tests).
ARG TORCH_FROM_WHEELS=0
COPY requirements.txt wheel[s] /tmp/install/
RUN if [ "$TORCH_FROM_WHEELS" = 1 ]; then \
        pip install --no-cache-dir --find-links /tmp/install torch==2.13.0; \
    else \
        pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0; \
    fi \
    && pip install --no-cache-dir -r /tmp/install/requirements.txt \
    && rm -r /tmp/install

# A non-root user (numeric, so that Kubernetes can check runAsNonRoot); HOME is writable (Chromium's profile, fontconfig's cache).
RUN groupadd --gid 10001 app \
    && useradd --create-home --home-dir /home/app --uid 10001 --gid 10001 \
        --shell /usr/sbin/nologin app

WORKDIR /app
COPY .streamlit/config.toml .streamlit/config.toml
COPY app.py ./
COPY app_pages/ app_pages/
COPY ui/ ui/
COPY lstm_viz/ lstm_viz/
COPY serving/ serving/
COPY scripts/serve.py scripts/
RUN python -m compileall -q /app

# Many students' sessions share this one process on a few cores, each run on its own script
# thread: one compute thread per run (torch intra-op, OpenMP, OpenBLAS) keeps runs from
# fighting over the cores; the parallelism comes from the sessions, not from inside one run.
ENV LSTM_VIZ_TORCH_THREADS=1 \
    OMP_NUM_THREADS=1 \
    OPENBLAS_NUM_THREADS=1 \
    MKL_NUM_THREADS=1

# Class mode's embedded store (SQLite, WAL) lives in /data: mount a volume there to keep the
# classes across container restarts (docker run -v lstm-viz-data:/data …). Several replicas
# share a PostgreSQL instead: LSTM_VIZ_DATABASE_URL (deploy/compose.yaml).
RUN mkdir /data && chown 10001:10001 /data
ENV LSTM_VIZ_DATA_DIR=/data
VOLUME ["/data"]

USER 10001:10001
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
ENTRYPOINT ["tini", "--", "python", "scripts/serve.py", "--server.port", "8501", \
            "--server.address", "0.0.0.0"]
