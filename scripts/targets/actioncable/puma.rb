# Puma 5 settings for the Action Cable target (scripts/targets/actioncable/start
# passes the port and the paths). One process (no cluster workers: Action
# Cable's async adapter is per process), threads for the HTTP upgrades; the
# WebSocket connections are hijacked and served by Action Cable's own event
# loop and worker pool.
threads 1, 8
workers 0
environment 'production'
# How long a graceful stop waits for in-flight HTTP requests (not for
# WebSocket connections, which Puma no longer tracks once hijacked).
worker_shutdown_timeout 10
