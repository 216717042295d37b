FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# The runtime dependencies as locked (every version pinned with its hashes): two builds of a commit are the same.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
RUN SECRET_KEY=build DATABASE_URL=postgresql://build/build python manage.py collectstatic --noinput -v0
RUN useradd --system caseload && chown -R caseload /app
USER caseload
EXPOSE 8000
CMD ["gunicorn", "caseload.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
