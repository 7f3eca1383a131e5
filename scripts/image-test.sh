#!/usr/bin/env bash
# make image-test: build the image, then run inside it what a deployment runs, and stop loudly at
# the first step that fails. Too slow for `make test` (minutes); run it whenever the Dockerfile,
# docker-compose.yml, constraints.txt or the dependencies change. Prints its figures at the end
# (build time, image size, start-up time, RSS); docs/deploy.md quotes them.
#
# Steps: build (podman, else docker; where the base image cannot be pulled, podman builds a
# stand-in with scripts/standin-base.sh) -> score -> the shell adapter on a named volume, and a
# report chart from what it stored -> the compose deployment by hand: `migrate` and the two bots
# of docker-compose.yml (their environment, volumes and stdin from the file, through
# scripts/compose_args.py) on a fresh PostgreSQL database -> /healthz and the HEALTHCHECK of
# each bot -> in bot-1, a 1-epoch `train --max-train 200` (the IMDB archive mounted where
# config.toml expects it) and `models activate`; bot-2 must then serve that version -> `export`
# of it -> SIGTERM: both bots exit 0.
#
# How it differs from `docker compose up`: no compose tool here, so the services run by hand in
# the order compose would start them; they share the host's network (each bot gets a free
# [ops] port instead of 8080 behind a port mapping) and the host's PostgreSQL (a fresh database,
# dropped at the end) instead of the postgres service; bot-1 also mounts the IMDB archive.
#
# Env: IMAGE (sentibot:local), ENGINE (podman|docker), NO_CACHE=1 (build without layer cache),
# DATA_DIR (the folder holding aclImdb_v1.tar.gz; ../shared/data), PG_ADMIN_URL (a libpq URL
# with the right to create databases; postgresql://postgres@127.0.0.1:5432/postgres),
# PYTHON (a python3 with PyYAML, for scripts/compose_args.py), KEEP=1 (leave everything behind).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-sentibot:local}
ENGINE=${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}
DATA_DIR=$(realpath "${DATA_DIR:-../shared/data}")
PG_ADMIN_URL=${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
PYTHON=${PYTHON:-python3}
run=sentibot-it-$$
db=sentibot_it_$$
pg_host_url=$("$PYTHON" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p._replace(scheme="postgresql+psycopg", path="/" + sys.argv[2]).geturl())' "$PG_ADMIN_URL" "$db")
logs=$(mktemp -d /tmp/sentibot-image-test.XXXXXX)
# The bots must run the shell adapter and score in-process, whatever this shell holds.
unset SLACK_BOT_TOKEN SLACK_APP_TOKEN SLACK_SIGNING_SECRET DISCORD_TOKEN SENTIBOT_MODEL__SERVING_URL

step=setup
figures=()
say() { printf '== %s\n' "$*"; }
begin() { step=$1; say "$1"; }
fail() { echo "image-test: FAILED at '$step': $*" >&2; exit 1; }
figure() { figures+=("$(printf '%-36s %s' "$1" "$2")"); printf '   %s: %s\n' "$1" "$2"; }
now() { date +%s.%N; }
since() { "$PYTHON" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
json_field() {  # KEY...: a field of the JSON object on stdin's last line
  "$PYTHON" -c 'import functools, json, sys
value = functools.reduce(lambda d, k: d[k], sys.argv[1:], json.loads(sys.stdin.read().splitlines()[-1]))
print(json.dumps(value) if isinstance(value, dict | list) else value)' "$@"
}
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "image-test: FAILED (exit $rc) at '$step'; logs in $logs" >&2
    for c in bot-1 bot-2; do
      if $ENGINE container exists "$run-$c" 2>/dev/null || $ENGINE inspect "$run-$c" >/dev/null 2>&1; then
        echo "--- last lines of $c:" >&2
        $ENGINE logs --tail 25 "$run-$c" >&2 2>&1 || true
      fi
    done
  fi
  if [ -z "${KEEP:-}" ]; then
    $ENGINE rm -f -v "$run-bot-1" "$run-bot-2" >/dev/null 2>&1 || true
    $ENGINE volume rm -f "$run-shell" "$run-models" >/dev/null 2>&1 || true
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT

for tool in "$ENGINE" curl psql; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
"$PYTHON" -c 'import yaml' 2>/dev/null || fail "$PYTHON has no PyYAML (pip install pyyaml, or PYTHON=...)"
[ -f "$DATA_DIR/aclImdb_v1.tar.gz" ] || fail "no $DATA_DIR/aclImdb_v1.tar.gz (set DATA_DIR)"

# ---------------------------------------------------------------------------------------- build
begin "build $IMAGE with $ENGINE"
if [ "$ENGINE" = podman ] && [ ! -f /etc/containers/containers.conf ] && [ "$(id -u)" = 0 ]; then
  # Sandboxed machines refuse crun's rlimits and hybrid cgroups: runc and modest ulimits.
  printf '[containers]\ndefault_ulimits = ["nofile=10000:10000", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n' \
    > /etc/containers/containers.conf
fi
# The first FROM's image, with ${ARG} defaults from the Dockerfile's ARG lines resolved.
base=$(awk 'toupper($1)=="ARG" && index($2,"="){split($2,kv,"="); def[kv[1]]=substr($2,length(kv[1])+2)}
            toupper($1)=="FROM"{img=$2; for (k in def) {gsub("\\$\\{" k "\\}", def[k], img)}; print img; exit}' Dockerfile)
case "$base" in */*) ;; *) base="docker.io/library/$base" ;; esac
if ! $ENGINE image inspect "$base" >/dev/null 2>&1; then
  if timeout 120 $ENGINE pull "$base" >"$logs/pull.log" 2>&1; then
    say "pulled $base"
  elif [ "$ENGINE" = podman ]; then
    say "no registry: building a stand-in for $base (scripts/standin-base.sh)"
    scripts/standin-base.sh "$base"
  else
    fail "cannot pull $base: $(tail -1 "$logs/pull.log")"
  fi
fi
build_flags=()
[ "$ENGINE" = podman ] && build_flags+=(--pull=never --format docker)  # docker format keeps HEALTHCHECK
[ -n "${NO_CACHE:-}" ] && build_flags+=(--no-cache)
t0=$(now)
$ENGINE build "${build_flags[@]}" -t "$IMAGE" . >"$logs/build.log" 2>&1 \
  || { tail -30 "$logs/build.log" >&2; fail "build failed (log: $logs/build.log)"; }
build_s=$(since "$t0")
cached=$(grep -cE -- '--> Using cache|CACHED' "$logs/build.log" || true)
size=$($ENGINE image inspect "$IMAGE" --format '{{.Size}}')
figure "build time" "$build_s s ($cached steps from the layer cache${NO_CACHE:+, --no-cache})"
figure "image size" "$((size / 1000000)) MB"
[ "$($ENGINE image inspect "$IMAGE" --format '{{.Config.User}}')" = "sentibot:sentibot" ] \
  || fail "the image does not run as the sentibot user"

# ---------------------------------------------------------------------------------------- score
begin "score"
out=$($ENGINE run --rm "$IMAGE" score "great job, thanks team, this release is wonderful" 2>"$logs/score.log") \
  || { cat "$logs/score.log" >&2; fail "score failed"; }
echo "$out"
grep -qi positive <<<"$out" || fail "a plainly positive line did not score positive"

# -------------------------------------------------------------------------------- shell adapter
begin "shell adapter on a named volume, then a report chart of what it stored"
printf '%s\n' 'great job team, I love it' 'this is awful, I hate it' 'the release went really well' \
  'thanks for the quick fix' 'the build is broken again, terrible' 'nice work on the docs' \
  'I am annoyed by this outage' 'wonderful demo today' \
  | $ENGINE run --rm -i -v "$run-shell:/app/var" "$IMAGE" run --adapter shell >"$logs/shell.log" 2>&1 \
  || { cat "$logs/shell.log" >&2; fail "the shell adapter failed"; }
grep -o 'shell: 8 message(s) and 0 command(s) handled' "$logs/shell.log" \
  || { tail "$logs/shell.log" >&2; fail "the shell did not handle the 8 lines"; }
grep -o 'shut down cleanly' "$logs/shell.log" || fail "the shell did not shut down cleanly"
$ENGINE run --rm -v "$run-shell:/app/var" "$IMAGE" report --platform shell --channel local \
  --since 1h --chart var/charts/image-test.png >"$logs/report.log" 2>&1 \
  || { cat "$logs/report.log" >&2; fail "report failed"; }
grep -v "unable to get systemd" "$logs/report.log"
grep -q 'chart saved to' "$logs/report.log" || fail "no chart saved"
if grep -qi 'matplotlib.*not writable\|Permission denied' "$logs/report.log"; then
  fail "the report could not write where it should"
fi

# ------------------------------------------------------------------ the compose services by hand
begin "compose: migrate (sentibot db upgrade) on a fresh database $db"
psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $db" >/dev/null
compose_run() {  # SERVICE [NAME=VALUE...]: the service's run options in opts, command in cmd
  local service=$1 out a seen=; shift
  local sets=(--set "SENTIBOT_STORAGE__URL=$pg_host_url")
  for a in "$@"; do sets+=(--set "$a"); done
  out=$("$PYTHON" scripts/compose_args.py "$service" --prefix "$run-" "${sets[@]}")
  opts=(); cmd=()
  while IFS= read -r a; do
    if [ "$a" = -- ]; then seen=1; elif [ -n "$seen" ]; then cmd+=("$a"); else opts+=("$a"); fi
  done <<<"$out"
}
compose_run migrate
$ENGINE run --rm --network host "${opts[@]}" "$IMAGE" "${cmd[@]}" >"$logs/migrate.log" 2>&1 \
  || { cat "$logs/migrate.log" >&2; fail "migrate failed"; }

start_bot() {  # NAME PORT [extra run options...]
  local name=$1 port=$2; shift 2
  # In-process scoring (compose's `SENTIBOT_MODEL__SERVING_URL=` variant): the promotion checked
  # here is bot-1's, followed by bot-2's own model; the model-server service is not started.
  compose_run "$name" "SENTIBOT_OPS__PORT=$port" "SENTIBOT_MODEL__SERVING_URL="
  $ENGINE run -d --name "$run-$name" --network host "${opts[@]}" "$@" "$IMAGE" "${cmd[@]}" \
    >/dev/null 2>>"$logs/engine.log"  # podman without systemd complains about health timers
}
wait_healthy() {  # NAME PORT LIMIT_S: poll /healthz until 200 (the container must keep running)
  local name=$1 port=$2 limit=$3 t0; t0=$(now)
  while ! curl -fsS "http://127.0.0.1:$port/healthz" >"$logs/healthz-$name.json" 2>/dev/null; do
    [ "$($ENGINE inspect "$run-$name" --format '{{.State.Running}}')" = true ] \
      || fail "$name exited: $($ENGINE logs --tail 5 "$run-$name" 2>&1)"
    [ "$(since "$t0" | cut -d. -f1)" -lt "$limit" ] || fail "$name not healthy within $limit s"
    sleep 0.5
  done
}
served() { curl -fsS "http://127.0.0.1:$1/healthz" | json_field checks model version; }
rss() { $ENGINE exec "$run-$1" sh -c 'grep VmRSS /proc/1/status' | awk '{printf "%d MB", $2 / 1024}'; }
healthcheck() {  # NAME: the image's own HEALTHCHECK command must pass
  if [ "$ENGINE" = podman ]; then
    $ENGINE healthcheck run "$run-$1" 2>"$logs/healthcheck-$1.log" \
      || fail "HEALTHCHECK of $1 failed: $(grep -v systemd "$logs/healthcheck-$1.log")"
  else
    for _ in $(seq 120); do
      [ "$($ENGINE inspect "$run-$1" --format '{{.State.Health.Status}}')" = healthy ] && return 0
      sleep 1
    done
    fail "HEALTHCHECK of $1 never reported healthy"
  fi
}

port1=$(free_port); port2=$(free_port)
while [ "$port2" = "$port1" ]; do port2=$(free_port); done
for bot in bot-1 bot-2; do
  port=$port1; extra=(-v "$DATA_DIR:/shared/data:ro")  # bot-1 trains: the archive config.toml names
  [ "$bot" = bot-2 ] && { port=$port2; extra=(); }
  begin "compose: start $bot (ops port $port)"
  t0=$(now)
  start_bot "$bot" "$port" "${extra[@]}"
  wait_healthy "$bot" "$port" 300
  figure "start-up to healthy /healthz, $bot" "$(since "$t0") s"
  cat "$logs/healthz-$bot.json"; echo
  healthcheck "$bot"
  say "HEALTHCHECK of $bot: healthy"
done
bundled=$(served "$port2")
figure "RSS of an idle bot (bot-2)" "$(rss bot-2) (serving $bundled)"

# ------------------------------------------------------------------------- train and promote
begin "bot-1: train --epochs 1 --max-train 200"
t0=$(now)
$ENGINE exec "$run-bot-1" sentibot train --epochs 1 --max-train 200 --json >"$logs/train.json" 2>"$logs/train.log" \
  || { tail -20 "$logs/train.log" >&2; fail "train failed"; }
figure "train, 1 epoch on 200 reviews" "$(since "$t0") s (archive unpacked into var/cache included)"
version=$(json_field version <"$logs/train.json")
short_text=$(json_field short_text <"$logs/train.json")
echo "   trained $version; short-text accuracy $short_text"
[ "$short_text" != "{}" ] || fail "the short-text evaluation was skipped (benchmarks/data missing?)"
[ "$version" != "$bundled" ] || fail "train did not make a new version"

begin "bot-1: models activate $version; bot-2 must serve it"
$ENGINE exec "$run-bot-1" sentibot models activate "$version"
t0=$(now)
until [ "$(served "$port2")" = "$version" ] && [ "$(served "$port1")" = "$version" ]; do
  [ "$(since "$t0" | cut -d. -f1)" -lt 180 ] || fail "bot-2 serves $(served "$port2"), not $version, after 180 s"
  sleep 2
done
figure "promotion reached both bots in" "$(since "$t0") s (model sync runs every 60 s)"
$ENGINE logs "$run-bot-2" 2>&1 | grep -m1 "now serving the active model version $version" \
  || fail "bot-2's log does not say it swapped to $version"
figure "RSS of bot-2 after the swap" "$(rss bot-2) (serving $version)"

begin "bot-1: export --output var/exports/sentiment (the active version)"
$ENGINE exec "$run-bot-1" sentibot export --output var/exports/sentiment 2>"$logs/export.log" \
  || { cat "$logs/export.log" >&2; fail "export failed"; }
$ENGINE exec "$run-bot-1" test -f var/exports/sentiment/1/saved_model.pb || fail "no SavedModel exported"

# ---------------------------------------------------------------------------------- shutdown
begin "SIGTERM: both bots drain and exit 0"
for bot in bot-1 bot-2; do
  t0=$(now)
  $ENGINE stop -t 30 "$run-$bot" >/dev/null 2>>"$logs/engine.log"
  code=$($ENGINE inspect "$run-$bot" --format '{{.State.ExitCode}}')
  figure "stop (SIGTERM) of $bot" "$(since "$t0") s, exit code $code"
  [ "$code" = 0 ] || fail "$bot exited $code after SIGTERM"
done

step=done
say "image-test passed: $IMAGE ($ENGINE)"
printf '   %s\n' "${figures[@]}"
