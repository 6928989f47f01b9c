#!/bin/sh
# Web containers migrate and bootstrap before they serve; workers and beat skip it (HMR_MIGRATE=false).
set -e
if [ "${HMR_MIGRATE:-true}" = "true" ]; then
  python manage.py migrate --no-input
  python manage.py bootstrap
fi
exec "$@"
