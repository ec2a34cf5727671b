FROM python:3.11-slim-bookworm

# WeasyPrint's system libraries (Pango, HarfBuzz, fonts) and the PostgreSQL client.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      fonts-dejavu-core fonts-liberation2 shared-mime-info postgresql-client \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
COPY . .
# collectstatic with the production storage; the key and host exist only for this step.
RUN DJANGO_ENV=production ALLOWED_HOSTS=build \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput \
 && useradd --system --home /app trust && chown -R trust /app/var
USER trust
EXPOSE 8000
CMD ["gunicorn", "trust.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
