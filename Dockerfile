# zhx: Chinese news → quantities, entities and stances over HTTP.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    ZHX_JIEBA_CACHE_DIR=/app/.cache/jieba

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
# (the same pinned list `make setup` installs, read from pyproject.toml)
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY service ./service
COPY openapi.yaml gunicorn.conf.py README.md ./
RUN pip install --no-cache-dir --no-deps -e . \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin zhx \
 && python -c 'from service.nlp import pipeline; pipeline.load()' \
 && chown -R zhx /app/.cache

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

CMD ["gunicorn", "-c", "gunicorn.conf.py"]
