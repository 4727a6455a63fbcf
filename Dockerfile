# syntax=docker/dockerfile:1
# One image per service, from this one file: every role and command of the service named by
# SERVICE (its folder under services/), which listens on HTTP_PORT. The web app (SERVICE=web,
# HTTP_PORT=8100) is built the same way: it has no migrations and no database, and nothing
# here needs them. docker-compose.yml passes both; by hand, from the repository root (it
# holds the uv workspace and its one lock):
#   docker build --build-arg SERVICE=auth --build-arg HTTP_PORT=8104 -t akiba/auth:dev .
# The image holds the service, its libraries and their runtime dependencies only: never
# akiba-devtools (the local stack, test support), whose sources are not even copied.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build

ARG SERVICE
# The uv that wrote uv.lock (lock revision 5), from PyPI like any other package.
ARG UV_VERSION=0.13.9
RUN test -n "${SERVICE}" || { echo "--build-arg SERVICE=<folder under services/>" >&2; exit 1; }
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

# The image's own Python, never a downloaded one: the runtime stage has the same path.
ENV UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

WORKDIR /app

# Third-party dependencies first, so this layer survives source edits. uv needs every
# workspace member's pyproject.toml to read the workspace (devtools' too), not their sources.
COPY pyproject.toml uv.lock ./
COPY contracts/pyproject.toml contracts/
COPY libs/platform/pyproject.toml libs/platform/
COPY libs/devtools/pyproject.toml libs/devtools/
COPY libs/stock/pyproject.toml libs/stock/
COPY libs/stock-api/pyproject.toml libs/stock-api/
COPY libs/replenish/pyproject.toml libs/replenish/
COPY services/${SERVICE}/pyproject.toml services/${SERVICE}/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package akiba-${SERVICE} --no-install-workspace

# Then the workspace packages. They stay editable installs on purpose: bootstrap.MIGRATIONS
# is found next to the source (services/<SERVICE>/migrations), not in site-packages (the web
# app's templates, static files and catalogues are under its src/, and found either way).
COPY contracts contracts
COPY libs/platform libs/platform
COPY libs/stock libs/stock
COPY libs/stock-api libs/stock-api
COPY libs/replenish libs/replenish
COPY services/${SERVICE} services/${SERVICE}
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package akiba-${SERVICE}
# The entrypoint names no service: it is the service's console script, akiba-<SERVICE>.
RUN ln -s "/app/.venv/bin/akiba-${SERVICE}" /app/service


FROM ${PYTHON_IMAGE} AS runtime

ARG HTTP_PORT

RUN groupadd --system --gid 10001 akiba \
    && useradd --system --uid 10001 --gid akiba --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin akiba

# Owned by root and read-only to the service user; uv itself stays in the build stage.
COPY --from=build /app /app

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    AKIBA_HTTP_HOST=0.0.0.0

WORKDIR /app
USER akiba:akiba
EXPOSE ${HTTP_PORT}

ENTRYPOINT ["/app/service"]
CMD ["serve"]
