# The after-sales desk in one image; docker-compose.yml runs it as web, worker and beat.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext provides msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Build-time steps get a throwaway key, so that settings do not write a real one
# into var/ inside the image; containers receive SECRET_KEY from the environment.
RUN SECRET_KEY=build-only python manage.py compilemessages \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput

# Run as an unprivileged user; var/ (beat schedule, uploaded evidence) is theirs.
RUN useradd --system --create-home --home-dir /home/desk desk \
    && mkdir -p /app/var/media \
    && chown -R desk:desk /app/var
USER desk

EXPOSE 8000
CMD ["gunicorn", "aftersales.wsgi", "--bind", "0.0.0.0:8000"]
