FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt && pip install --no-cache-dir -r /tmp/requirements.txt
COPY . .
RUN SECRET_KEY=build DATABASE_URL=postgresql://build/build python manage.py collectstatic --noinput -v0
RUN useradd --system caseload && chown -R caseload /app
USER caseload
EXPOSE 8000
CMD ["gunicorn", "caseload.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
