# Sourced by the bench scripts: starts `throng serve --workers W` for N connections in the background and waits
# until every worker has started and the port answers. Sets `supervisor` (its PID; the caller's EXIT trap stops
# it) and `pids` (the worker PIDs, comma-separated; the serve process itself when W is 1). Server flags come from
# `throng serve`'s supervisor (docs/configuration.md); on JDK 25 it adds compact headers. Its output goes to
# /tmp/throng-serve-PORT.log. Environment: SERVE_ARGS (more `throng serve` options), THRONG_WORKER_JAVA_OPTS.
# WORKERS may be `auto`: then the cap is N itself and the supervisor picks the count (docs/configuration.md), which
# sets `workers` to it; with a number, the cap is N + 10 %, headroom for the kernel's uneven spread over workers.
#
#   start_throng JAVA JAR PORT N WORKERS
start_throng() {
  local java=$1 jar=$2 port=$3 n=$4 flags cap
  workers=$5
  if [[ $workers == auto ]]; then cap=$n; else cap=$(( n + n / 10 )); fi
  # The flags bin/throng gives the serve process: a single server's, or a supervisor's (its workers get theirs from
  # the supervisor).
  # shellcheck disable=SC2086
  flags=$("$java" -cp "$jar" dev.throng.cli.WorkerPlan serve --workers "$workers" --max-connections "$cap" ${SERVE_ARGS:-})
  # shellcheck disable=SC2086
  "$java" $flags -jar "$jar" serve --mode echo --port "$port" --workers "$workers" --max-connections "$cap" \
    ${SERVE_ARGS:-} > "/tmp/throng-serve-$port.log" 2>&1 &
  supervisor=$!
  if [[ $workers == auto ]]; then  # the supervisor's first log line says how many ("supervising N workers")
    for _ in $(seq 1 100); do
      workers=$(grep -o 'supervising [0-9]* workers' "/tmp/throng-serve-$port.log" | grep -o '[0-9]*') && break
      kill -0 "$supervisor" 2>/dev/null || break
      sleep 0.2
    done
    workers=${workers:-1}
  fi
  # One worker runs in the serve process itself; more are children of a supervisor.
  local children=$(( workers > 1 ? workers : 0 ))
  for _ in $(seq 1 400); do  # up to 2 minutes: dozens of JVMs start slowly on 2 cores
    (( $(pgrep -P "$supervisor" | wc -l) == children )) && (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.3
  done
  sleep 2
  pids=$(pgrep -P "$supervisor" | paste -sd, || true)
  pids=${pids:-$supervisor}
  echo "server: supervisor $supervisor, workers $pids ($("$java" -version 2>&1 | head -1))"
}
