#!/usr/bin/env bash
# Load benchmark of the gateway on loopback, against an nginx mock of an OpenAI-compatible provider.
#
#   Benchmarks/load.sh [--binary PATH] [--with-litellm] [--soak-seconds N] [--duration N]
#                      [--warmup N] [--out FILE] [--keep] [--only TARGETS]
#
# What it does, all on 127.0.0.1, every process its own child, stopped on exit (even on failure):
#   1. builds the gateway (swift build -c release --product gatehouse) unless --binary is given;
#      builds the reference proxy (swift build -c release --product bare-proxy, or the bare-proxy
#      binary next to --binary); installs what is missing: nginx (Debian nginx-light, else nginx), wrk, curl; with
#      --with-litellm, LiteLLM's proxy (pip install 'litellm[proxy]').
#   2. starts nginx from Benchmarks/nginx-mock.conf on a free port: POST /v1/chat/completions answers
#      200 at once with a fixed chat.completion (usage tokens included).
#   3. starts `gatehouse serve` on a scratch configuration: provider `mock` (openai-compatible, the
#      nginx mock, credential by env reference), one API key (env reference), and the use case
#      `load-triage` with every stage on: authentication, input schema, forbidden topics, PII redaction
#      and prompt-injection guard on the input and its context (with the trained injection classifier),
#      budget reservation, rate limits and a concurrency cap set far above the load, the mock LLM
#      variant, output schema, PII leak check on the output, escalation rules, ledger with hashed
#      payloads. With --with-litellm, also `litellm --num_workers 2` with one model on the same mock.
#   4. drives each target with wrk (Benchmarks/wrk-post.lua):
#        direct       nginx mock                               POST /v1/chat/completions
#        passthrough  gatehouse, model "mock/bench-model"      POST /v1/chat/completions
#        usecase      gatehouse, the full pipeline             POST /v1/usecases/load-triage/invoke
#        bare         Benchmarks/BareProxy: Hummingbird + AsyncHTTPClient forwarding the same POST and
#                     nothing else, the floor a Hummingbird + AsyncHTTPClient gateway can reach
#        litellm      LiteLLM proxy (--with-litellm)           POST /v1/chat/completions
#      (a) unloaded: 1 connection, 1 thread, after a warm-up: p50/p90/p99 and overhead over direct;
#      (b) saturated: 16 connections, 2 threads, after a warm-up: requests/s and p50/p90/p99.
#   5. the gateway's RSS after the runs, then a soak: 16 connections on the use case for
#      --soak-seconds (default 300), RSS sampled every 10 s; growth from minute 1 to the end <= 10%.
#   6. prints a summary (machine, versions, figures), and writes it to --out FILE if given.
#
# --only direct,passthrough,... measures only those targets (direct is always measured: overheads are
# relative to it); meant for quick comparisons while working, not for the figures of BENCHMARKS.md.
#
# Exit status: 0 when every run had at most 1% non-2xx answers or socket errors and the soak's RSS
# growth is within 10%; 1 otherwise (the summary says why); 2 on a usage error.
# The machine is shared with whatever else runs on it: the client, the mock and the gateway share
# its cores, so figures from a busy machine are only indicative.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/Benchmarks

BINARY=""
OUT=""
SOAK_SECONDS=300
DURATION=20
WARMUP=5
WITH_LITELLM=0
KEEP=0
ONLY=""
SATURATED_CONNECTIONS=16
SATURATED_THREADS=2
RSS_GROWTH_LIMIT=10
ERROR_LIMIT_PERCENT=1

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
    case $1 in
        --binary) BINARY=${2:?--binary needs a path}; shift 2 ;;
        --out) OUT=${2:?--out needs a file}; shift 2 ;;
        --soak-seconds) SOAK_SECONDS=${2:?}; shift 2 ;;
        --duration) DURATION=${2:?}; shift 2 ;;
        --warmup) WARMUP=${2:?}; shift 2 ;;
        --with-litellm) WITH_LITELLM=1; shift ;;
        --keep) KEEP=1; shift ;;
        --only) ONLY=${2:?--only needs a list of targets}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done
for value in "$SOAK_SECONDS" "$DURATION" "$WARMUP"; do
    [[ $value =~ ^[0-9]+$ ]] || { echo "durations are whole seconds, got '$value'" >&2; exit 2; }
done
((SOAK_SECONDS >= 10 && DURATION >= 1)) || { echo "--soak-seconds must be >= 10 and --duration >= 1" >&2; exit 2; }

log() { printf '[load %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '\n[load] ERROR: %s\n' "$*" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-load.XXXXXX")
SERVICE_PIDS=()
WRK_PID=""

# True while the process exists and is not a zombie.
alive() { [[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }

# Stops a process started with setsid (it leads its own process group), then anything left in its group.
stop_process() {
    local pid=$1 i
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true # reaps it when it is our child
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    local pid
    if [[ -n $WRK_PID ]]; then
        kill -TERM "$WRK_PID" 2>/dev/null || true
        wait "$WRK_PID" 2>/dev/null || true
    fi
    # A paused LiteLLM (see run_wrk) must run again to act on its stop signal.
    [[ -n ${LL_PID:-} ]] && kill -CONT -- "-$LL_PID" 2>/dev/null || true
    for pid in "${SERVICE_PIDS[@]}"; do stop_process "$pid"; done
    if ((KEEP)); then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'echo "[load] command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts a command in its own session and process group; its pid is in STARTED_PID. The command
# writes its own pid (setsid forks when the caller has job control, so $! may not be it).
start_service() {
    local logfile=$1 pidfile i
    shift
    pidfile=$(mktemp "$WORK/pid.XXXXXX")
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >"$logfile" 2>&1 </dev/null &
    for ((i = 0; i < 100; i++)); do
        [[ -s $pidfile ]] && break
        sleep 0.05
    done
    STARTED_PID=$(<"$pidfile")
    [[ -n $STARTED_PID ]] || die "could not start $1"
    SERVICE_PIDS+=("$STARTED_PID")
}

# A loopback port nobody listens on (tried by connecting to it), outside the ephemeral range.
free_port() {
    local port i
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + RANDOM % 12000)) # below the ephemeral range wrk and the proxies connect from
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free loopback port found"
}

# ---------------------------------------------------------------------------------------------
# Tools: installed here when missing, so a bare CI machine runs this unattended.

as_root() {
    if (($(id -u) == 0)); then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "root (or sudo) is needed to run: $*"
    fi
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
    if ((!APT_UPDATED)); then
        log "apt-get update"
        as_root apt-get update -qq >/dev/null
        APT_UPDATED=1
    fi
    # Keep the packages' maintainer scripts from starting a system-wide nginx on port 80.
    local policy=/usr/sbin/policy-rc.d created=0 status=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod 755 "$policy"
        created=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
    if ((created)); then as_root rm -f "$policy"; fi
    return "$status"
}

find_nginx() { command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true; }

NGINX=$(find_nginx)
if [[ -z $NGINX ]]; then
    apt_install nginx-light || apt_install nginx || die "could not install nginx"
    NGINX=$(find_nginx)
    [[ -n $NGINX ]] || die "nginx installed but not found"
fi
command -v wrk >/dev/null 2>&1 || apt_install wrk || die "could not install wrk"
command -v curl >/dev/null 2>&1 || apt_install curl || die "could not install curl"

LITELLM=""
LITELLM_PYTHON=""
if ((WITH_LITELLM)); then
    # The proxy's console script sits next to the interpreter that has the package.
    litellm_from() { # python -> prints the litellm script if that python has litellm[proxy]
        local python=$1 dir
        "$python" -c 'import litellm, litellm.proxy.proxy_server' >/dev/null 2>&1 || return 1
        dir=$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
        [[ -x $dir/litellm ]] && echo "$dir/litellm"
    }
    command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv python3-pip || die "could not install python3"
    VENV=${XDG_CACHE_HOME:-$HOME/.cache}/gatehouse-load/litellm-venv
    for python in python3 "$VENV/bin/python"; do
        if [[ -x $python ]] || command -v "$python" >/dev/null 2>&1; then
            if LITELLM=$(litellm_from "$python"); then LITELLM_PYTHON=$python; break; fi
        fi
    done
    if [[ -z $LITELLM ]]; then
        log "pip install 'litellm[proxy]' (takes a few minutes)"
        if python3 -m pip --version >/dev/null 2>&1 && python3 -m pip install --quiet --disable-pip-version-check 'litellm[proxy]' \
            && LITELLM=$(litellm_from python3); then
            LITELLM_PYTHON=python3
        else
            # A Debian system Python refuses pip installs (PEP 668): use a virtual environment instead.
            log "installing LiteLLM in a virtual environment ($VENV)"
            python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$VENV"; } || die "could not create $VENV"
            "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check 'litellm[proxy]' || die "pip install 'litellm[proxy]' failed"
            LITELLM=$(litellm_from "$VENV/bin/python") || die "litellm installed but its proxy is not usable"
            LITELLM_PYTHON=$VENV/bin/python
        fi
    fi
fi

if [[ -z $BINARY ]]; then
    log "swift build -c release --product gatehouse"
    (cd "$ROOT" && swift build -c release --product gatehouse)
    BINARY=$ROOT/.build/release/gatehouse
fi
[[ -x $BINARY ]] || die "gateway binary not found or not executable: $BINARY"
BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
BARE_PROXY=$(dirname "$BINARY")/bare-proxy
if [[ ! -x $BARE_PROXY ]]; then
    log "swift build -c release --product bare-proxy"
    (cd "$ROOT" && swift build -c release --product bare-proxy)
    BARE_PROXY=$ROOT/.build/release/bare-proxy
fi
[[ -x $BARE_PROXY ]] || die "reference proxy not found: $BARE_PROXY"

# ---------------------------------------------------------------------------------------------
# Request bodies. The ticket carries an e-mail address and a name, so the PII guard redacts.

SUBJECT='Charged twice for order #NL-48213'
TICKET='Hello, my card was debited two times for the same order yesterday. Please refund one of the payments. You can reach me at anna.berg@example.com if you need the bank statement.\n\nKind regards,\nAnna Berg'
SYSTEM_PROMPT='You triage customer support tickets for an online shop. Answer with one JSON object: {\"category\", \"priority\", \"team\"}.'

chat_body() { # model -> chat.completions request as the use case's variant would send it
    printf '{"model":"%s","messages":[{"role":"system","content":"%s"},{"role":"user","content":"Subject: %s\\n\\n%s"}],"temperature":0,"max_tokens":200}' \
        "$1" "$SYSTEM_PROMPT" "$SUBJECT" "$TICKET"
}
chat_body bench-model >"$WORK/body-direct.json"
chat_body mock/bench-model >"$WORK/body-passthrough.json"
cp "$WORK/body-direct.json" "$WORK/body-litellm.json"
printf '{"input":{"subject":"%s","body":"%s","channel":"email","customer_ref":"C-48213"},"context":{"previous_reply":"Thank you for your message, we are looking into the payment."}}' \
    "$SUBJECT" "$TICKET" >"$WORK/body-usecase.json"

# ---------------------------------------------------------------------------------------------
# The nginx mock.

NGINX_DIR=$WORK/nginx
mkdir -p "$NGINX_DIR"
NGINX_PORT=$(free_port)
sed -e "s#@DIR@#$NGINX_DIR#g" -e "s#@PORT@#$NGINX_PORT#g" "$BENCH/nginx-mock.conf" >"$NGINX_DIR/nginx.conf"
# Builds without a module reject its temp-path directive: drop those lines.
for directive in uwsgi_temp_path scgi_temp_path fastcgi_temp_path proxy_temp_path; do
    if "$NGINX" -t -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" 2>&1 | grep -q "unknown directive \"$directive\""; then
        sed -i "/$directive/d" "$NGINX_DIR/nginx.conf"
    fi
done
"$NGINX" -t -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" >"$NGINX_DIR/test.log" 2>&1 \
    || { cat "$NGINX_DIR/test.log" >&2; die "the nginx mock configuration is invalid"; }
start_service "$NGINX_DIR/stdout.log" "$NGINX" -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log"
NGINX_PID=$STARTED_PID
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's#.*nginx/##')
WRK_VERSION=$({ wrk -v 2>&1 || true; } | awk 'NR == 1 { sub(/^debian\//, "", $2); print $2 }')

# wait_ready NAME PID URL SECONDS [curl args...]: until URL answers 200, the process alive.
wait_ready() {
    local name=$1 pid=$2 url=$3 limit=$4 deadline
    shift 4
    deadline=$((SECONDS + limit))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" 2>/dev/null) == 200 ]]; do
        alive "$pid" || return 1
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

# check_answer NAME URL BODYFILE AUTH PATTERN: one request must answer 200 and contain PATTERN.
check_answer() {
    local name=$1 url=$2 body=$3 auth=$4 pattern=$5 status
    local headers=(-H 'Content-Type: application/json')
    [[ -n $auth ]] && headers+=(-H "Authorization: Bearer $auth")
    status=$(curl -s -o "$WORK/check-$name.json" -w '%{http_code}' --max-time 30 "${headers[@]}" --data-binary "@$body" "$url" || true)
    if [[ $status != 200 ]] || ! grep -q -- "$pattern" "$WORK/check-$name.json"; then
        echo "answer of $name ($url): HTTP $status" >&2
        cat "$WORK/check-$name.json" >&2 2>/dev/null || true
        echo >&2
        return 1
    fi
}

DIRECT_URL=http://127.0.0.1:$NGINX_PORT/v1/chat/completions
wait_ready nginx "$NGINX_PID" "$DIRECT_URL" 20 -X POST -H 'Content-Type: application/json' --data-binary "@$WORK/body-direct.json" \
    || { cat "$NGINX_DIR/error.log" "$NGINX_DIR/stdout.log" >&2 2>/dev/null; die "the nginx mock did not start"; }
check_answer direct "$DIRECT_URL" "$WORK/body-direct.json" "" '"total_tokens":114' || die "the nginx mock answers wrongly"
log "nginx mock on 127.0.0.1:$NGINX_PORT (pid $NGINX_PID)"

# ---------------------------------------------------------------------------------------------
# The gateway on a scratch configuration. Secrets only by env reference.

GW_DIR=$WORK/gateway
GW_PORT=$(free_port)
USECASE=load-triage
mkdir -p "$GW_DIR/usecases/$USECASE/prompts"
cat >"$GW_DIR/gatehouse.yaml" <<EOF
# Scratch configuration of Benchmarks/load.sh.
server:
  listen: 127.0.0.1:$GW_PORT
  data_dir: data
  # info: the JSON log line of every request is part of the work measured.
  log_level: info
  request_deadline_ms: 30000

guards:
  injection_training_data:
$("$ROOT/Benchmarks/injection-training-files.sh" | sed 's/^/    - /')

providers:
  - name: mock
    kind: openai-compatible
    base_url: http://127.0.0.1:$NGINX_PORT/v1
    credential: env:LOAD_BENCH_UPSTREAM_KEY
    region: local
    data_classes: [public, internal]
    prices: {input_per_million: 0.15, output_per_million: 0.60}
    timeout_ms: 10000
    max_concurrency: 256
    retry: {max_attempts: 3, base_delay_ms: 50, max_delay_ms: 500}
    circuit_breaker: {failure_threshold: 50, open_ms: 5000}

api_keys:
  - id: load-bench
    secret: env:LOAD_BENCH_KEY
    role: app
    team: bench
    clearance: internal
    use_cases: [$USECASE]
    providers: [mock]
EOF
cat >"$GW_DIR/usecases/$USECASE/usecase.yaml" <<'EOF'
# Every stage of the pipeline on, limits far above the benchmark's load.
id: load-triage
title: Load benchmark triage
purpose: Support-ticket triage through the whole pipeline, answered by a mock upstream.
owners:
  business: bench-owner@example.com
  technical: bench-platform@example.com
risk_tier: limited

task:
  kind: classify
  input_schema:
    type: object
    required: [subject, body]
    additionalProperties: false
    properties:
      subject: {type: string, maxLength: 500}
      body: {type: string, minLength: 1, maxLength: 20000}
      channel: {type: string, enum: [email, chat, web_form, phone_transcript]}
      customer_ref: {type: string, maxLength: 64}
  output_schema:
    type: object
    required: [category, priority, team]
    additionalProperties: false
    properties:
      category: {type: string, enum: [billing, shipping, returns, technical, account, sales]}
      priority: {type: string, enum: [low, normal, high, urgent]}
      team: {type: string, enum: [finance, logistics, support-l2, support-l1, sales]}
  labels:
    category: [billing, shipping, returns, technical, account, sales]
    priority: [low, normal, high, urgent]
  derived:
    - field: team
      from: category
      map: {billing: finance, shipping: logistics, returns: logistics, technical: support-l2, account: support-l1, sales: sales}

usage:
  allowed_topics: [orders, deliveries, returns, payments, accounts, products]
  forbidden_topics:
    - name: legal advice
      keywords: [legal advice, should I sue]
    - name: medical advice
      keywords: [medical advice, what dosage]
  refusal_message: This assistant only triages support tickets.

guards:
  injection: {threshold: 0.5, action: block, scan_context: true}
  pii_leak_check: true

data_policy:
  input_classification: internal
  pii_action: redact
  payload_logging: hashed
  retention_days: 30

variants:
  - name: mock-llm
    provider: mock
    model: bench-model
    system_prompt: prompts/system.txt
    prompt: prompts/user.txt
    params: {temperature: 0, max_tokens: 200, response_format: json_object}
stable_variant: mock-llm

escalation:
  min_confidence: 0.2
  always_review:
    - field: priority
      equals: urgent

budget:
  daily_usd: 1000000
  monthly_usd: 10000000
  on_exceed: reject

limits:
  rpm: 100000000
  tpm: 10000000000
  concurrency: 256
  deadline_ms: 10000
EOF
printf '%s\n' "You triage customer support tickets for an online shop." \
    'Answer with one JSON object: {"category", "priority", "team"}.' >"$GW_DIR/usecases/$USECASE/prompts/system.txt"
printf '%s\n' 'Subject: {{subject}}' '' '{{body}}' >"$GW_DIR/usecases/$USECASE/prompts/user.txt"

GATEWAY_KEY=gh_load_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
export LOAD_BENCH_KEY=$GATEWAY_KEY LOAD_BENCH_UPSTREAM_KEY=sk-load-bench-dummy

"$BINARY" check "$GW_DIR" >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log" >&2; die "the gateway rejected the benchmark configuration"; }
log "starting the gateway (trains the injection classifier first)"
start_service "$WORK/gatehouse.log" "$BINARY" serve --config "$GW_DIR"
GW_PID=$STARTED_PID
GW_BASE=http://127.0.0.1:$GW_PORT
wait_ready gatehouse "$GW_PID" "$GW_BASE/readyz" 300 \
    || { tail -n 40 "$WORK/gatehouse.log" >&2; die "the gateway did not become ready"; }
PASSTHROUGH_URL=$GW_BASE/v1/chat/completions
USECASE_URL=$GW_BASE/v1/usecases/$USECASE/invoke
check_answer passthrough "$PASSTHROUGH_URL" "$WORK/body-passthrough.json" "$GATEWAY_KEY" '"total_tokens":114' \
    || { tail -n 20 "$WORK/gatehouse.log" >&2; die "gatehouse passthrough does not answer"; }
check_answer usecase "$USECASE_URL" "$WORK/body-usecase.json" "$GATEWAY_KEY" '"decision":"answered"' \
    || { tail -n 20 "$WORK/gatehouse.log" >&2; die "the use case does not answer"; }
log "gatehouse on 127.0.0.1:$GW_PORT (pid $GW_PID): $(head -c 300 "$WORK/check-usecase.json")"

# ---------------------------------------------------------------------------------------------
# LiteLLM's proxy on the same mock (--with-litellm).

# ---------------------------------------------------------------------------------------------
# The reference proxy: Hummingbird + AsyncHTTPClient and nothing else, on the same mock.

BARE_PORT=$(free_port)
start_service "$WORK/bare-proxy.log" "$BARE_PROXY" "$BARE_PORT" "http://127.0.0.1:$NGINX_PORT"
BARE_PID=$STARTED_PID
BARE_URL=http://127.0.0.1:$BARE_PORT/v1/chat/completions
wait_ready bare-proxy "$BARE_PID" "$BARE_URL" 30 -X POST -H 'Content-Type: application/json' --data-binary "@$WORK/body-direct.json" \
    || { cat "$WORK/bare-proxy.log" >&2; die "the reference proxy did not start"; }
cp "$WORK/body-direct.json" "$WORK/body-bare.json"
check_answer bare "$BARE_URL" "$WORK/body-bare.json" "" '"total_tokens":114' || die "the reference proxy answers wrongly"
log "reference proxy on 127.0.0.1:$BARE_PORT (pid $BARE_PID)"

TARGETS=(direct bare passthrough usecase)
declare -A URL=([direct]=$DIRECT_URL [bare]=$BARE_URL [passthrough]=$PASSTHROUGH_URL [usecase]=$USECASE_URL)
declare -A AUTH=([direct]="" [bare]="" [passthrough]=$GATEWAY_KEY [usecase]=$GATEWAY_KEY)
declare -A PGID=([direct]=$NGINX_PID [bare]=$BARE_PID [passthrough]=$GW_PID [usecase]=$GW_PID)
declare -A TITLE=([direct]="direct to nginx mock" [bare]="bare Hummingbird+AHC proxy" [passthrough]="gatehouse passthrough" [usecase]="gatehouse use case (pipeline)" [litellm]="LiteLLM proxy (2 workers)")
LITELLM_VERSION=""
if ((WITH_LITELLM)); then
    LL_DIR=$WORK/litellm
    LL_PORT=$(free_port)
    mkdir -p "$LL_DIR"
    cat >"$LL_DIR/config.yaml" <<EOF
model_list:
  - model_name: bench-model
    litellm_params:
      model: openai/bench-model
      api_base: http://127.0.0.1:$NGINX_PORT/v1
      api_key: os.environ/LOAD_BENCH_UPSTREAM_KEY
litellm_settings:
  drop_params: true
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
EOF
    # LiteLLM refuses to start without a master key; callers then authenticate, as with Gatehouse.
    export LITELLM_MASTER_KEY=sk-load-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    LITELLM_VERSION=$("$LITELLM_PYTHON" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null || echo "?")
    log "starting LiteLLM $LITELLM_VERSION (no database)"
    start_service "$LL_DIR/litellm.log" env -u DATABASE_URL LITELLM_LOG=ERROR LITELLM_LOCAL_MODEL_COST_MAP=True \
        "$LITELLM" --config "$LL_DIR/config.yaml" --host 127.0.0.1 --port "$LL_PORT" --num_workers 2 --telemetry False
    LL_PID=$STARTED_PID
    wait_ready litellm "$LL_PID" "http://127.0.0.1:$LL_PORT/health/liveliness" 300 \
        || { tail -n 40 "$LL_DIR/litellm.log" >&2; die "LiteLLM did not become ready"; }
    URL[litellm]=http://127.0.0.1:$LL_PORT/v1/chat/completions
    AUTH[litellm]=$LITELLM_MASTER_KEY
    PGID[litellm]=$LL_PID
    # Both workers must be up: a few answers in a row.
    for i in 1 2 3 4 5 6; do
        wait_ready litellm "$LL_PID" "${URL[litellm]}" 120 -X POST -H 'Content-Type: application/json' \
            -H "Authorization: Bearer $LITELLM_MASTER_KEY" --data-binary "@$WORK/body-litellm.json" \
            || { tail -n 40 "$LL_DIR/litellm.log" >&2; die "LiteLLM does not answer"; }
    done
    check_answer litellm "${URL[litellm]}" "$WORK/body-litellm.json" "$LITELLM_MASTER_KEY" 'billing' || die "LiteLLM answers wrongly"
    TARGETS+=(litellm)
    log "LiteLLM on 127.0.0.1:$LL_PORT (pid $LL_PID)"
fi

# ---------------------------------------------------------------------------------------------
# wrk runs.

if [[ -n $ONLY ]]; then
    declare -A WANTED=([direct]=1)
    for target in ${ONLY//,/ }; do
        [[ -n ${URL[$target]:-} ]] || die "--only: unknown target '$target' (direct, bare, passthrough, usecase, litellm with --with-litellm)"
        WANTED[$target]=1
    done
    SELECTED=()
    for target in "${TARGETS[@]}"; do [[ -n ${WANTED[$target]:-} ]] && SELECTED+=("$target"); done
    TARGETS=("${SELECTED[@]}")
fi

declare -A RES=()
FAILURES=()
CLOCK_TICKS=$(getconf CLK_TCK)

# CPU time (clock ticks, user + system) of every process in a process group: the server under test
# (each was started in its own group), so a run can say what one request costs it in CPU.
group_ticks() {
    local pgid=$1 file line total=0
    local -a fields
    for file in /proc/[0-9]*/stat; do
        read -r line <"$file" 2>/dev/null || continue
        read -r -a fields <<<"${line##*) }"
        [[ ${fields[2]} == "$pgid" ]] && total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}

# run_wrk LABEL TARGET THREADS CONNECTIONS SECONDS: results in RES[LABEL.field].
run_wrk() {
    local label=$1 target=$2 threads=$3 connections=$4 seconds=$5 line kv bad requests
    local out=$WORK/wrk-$label.txt ticks_before ticks_after
    # LiteLLM's workers keep busy while idle; they are paused (SIGSTOP) while the other targets are
    # measured, so they do not take CPU from them, and resumed for their own runs.
    if [[ -n ${LL_PID:-} ]]; then
        if [[ $target == litellm ]]; then kill -CONT -- "-$LL_PID" 2>/dev/null || true; else kill -STOP -- "-$LL_PID" 2>/dev/null || true; fi
    fi
    ticks_before=$(group_ticks "${PGID[$target]}")
    # In the background, so that a signal reaches the trap at once rather than after the run.
    WRK_BODY_FILE=$WORK/body-$target.json WRK_AUTH=${AUTH[$target]} \
        wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency -s "$BENCH/wrk-post.lua" "${URL[$target]}" >"$out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || { WRK_PID=""; cat "$out" >&2; die "wrk failed ($label)"; }
    WRK_PID=""
    ticks_after=$(group_ticks "${PGID[$target]}")
    line=$(grep '^LOADRESULT ' "$out") || { cat "$out" >&2; die "wrk printed no result ($label)"; }
    for kv in ${line#LOADRESULT }; do RES[$label.${kv%%=*}]=${kv#*=}; done
    requests=${RES[$label.requests]}
    bad=$((${RES[$label.non2xx]} + ${RES[$label.connect]} + ${RES[$label.read]} + ${RES[$label.write]} + ${RES[$label.timeout]}))
    RES[$label.bad]=$bad
    # Server CPU: percent of one core over the run, and microseconds per answered request.
    RES[$label.cpu_pct]=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLOCK_TICKS" -v d="${RES[$label.duration_us]}" 'BEGIN { printf "%.0f", t / hz * 1e8 / d }')
    RES[$label.cpu_us]=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLOCK_TICKS" -v n="$requests" 'BEGIN { printf "%.0f", n ? t / hz * 1e6 / n : 0 }')
    if ((requests == 0 || bad * 100 > requests * ERROR_LIMIT_PERCENT)); then
        local message="$label: $bad of $requests requests failed (non-2xx ${RES[$label.non2xx]}, connect ${RES[$label.connect]}, read ${RES[$label.read]}, write ${RES[$label.write]}, timeout ${RES[$label.timeout]}), over ${ERROR_LIMIT_PERCENT}%"
        FAILURES+=("$message")
        printf '\n[load] !!!!!!!! FAILURE: %s\n\n' "$message" >&2
        grep -v '^LOADRESULT' "$out" >&2 || true
    fi
}

us_to_ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
overhead_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", (a - b) / 1000 }'; }

log "(a) unloaded: 1 connection, 1 thread, ${WARMUP} s warm-up then ${DURATION} s per target"
for target in "${TARGETS[@]}"; do
    ((WARMUP > 0)) && run_wrk "warm-a-$target" "$target" 1 1 "$WARMUP"
    run_wrk "a-$target" "$target" 1 1 "$DURATION"
    log "  $target: p50 $(us_to_ms "${RES[a-$target.p50_us]}") ms, p99 $(us_to_ms "${RES[a-$target.p99_us]}") ms, ${RES[a-$target.requests]} requests"
done
log "(b) saturated: $SATURATED_CONNECTIONS connections, $SATURATED_THREADS threads, ${WARMUP} s warm-up then ${DURATION} s per target"
for target in "${TARGETS[@]}"; do
    ((WARMUP > 0)) && run_wrk "warm-b-$target" "$target" "$SATURATED_THREADS" "$SATURATED_CONNECTIONS" "$WARMUP"
    run_wrk "b-$target" "$target" "$SATURATED_THREADS" "$SATURATED_CONNECTIONS" "$DURATION"
    log "  $target: ${RES[b-$target.rps]} req/s, p99 $(us_to_ms "${RES[b-$target.p99_us]}") ms"
done

# ---------------------------------------------------------------------------------------------
# Memory: RSS after the runs, then the soak.

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

alive "$GW_PID" || die "the gateway died during the runs"
RSS_AFTER_RUNS=$(rss_kb "$GW_PID")
log "gateway RSS after the runs: $(mib "$RSS_AFTER_RUNS") MiB; soak: $SATURATED_CONNECTIONS connections on the use case for $SOAK_SECONDS s"

SOAK_OUT=$WORK/wrk-soak.txt
[[ -n ${LL_PID:-} ]] && { kill -STOP -- "-$LL_PID" 2>/dev/null || true; }
WRK_BODY_FILE=$WORK/body-usecase.json WRK_AUTH=$GATEWAY_KEY \
    wrk -t"$SATURATED_THREADS" -c"$SATURATED_CONNECTIONS" -d"${SOAK_SECONDS}s" --timeout 10s --latency -s "$BENCH/wrk-post.lua" "$USECASE_URL" >"$SOAK_OUT" 2>&1 &
SOAK_PID=$!
WRK_PID=$SOAK_PID
SAMPLES=()
declare -A RSS_AT=()
SOAK_START=$(date +%s)
for ((t = 10; t < SOAK_SECONDS; t += 10)); do
    now=$(date +%s)
    ((SOAK_START + t > now)) && sleep $((SOAK_START + t - now))
    alive "$GW_PID" || { die "the gateway died during the soak (at about $t s)"; }
    RSS_AT[$t]=$(rss_kb "$GW_PID")
    SAMPLES+=("$t:$(mib "${RSS_AT[$t]}")")
    (((t % 60) == 0)) && log "  soak ${t} s: RSS $(mib "${RSS_AT[$t]}") MiB"
done
wait "$SOAK_PID" || { WRK_PID=""; cat "$SOAK_OUT" >&2; die "wrk failed (soak)"; }
WRK_PID=""
alive "$GW_PID" || die "the gateway died during the soak"
RSS_END=$(rss_kb "$GW_PID")
RSS_PEAK=$(hwm_kb "$GW_PID")
SAMPLES+=("${SOAK_SECONDS}:$(mib "$RSS_END")")
line=$(grep '^LOADRESULT ' "$SOAK_OUT") || { cat "$SOAK_OUT" >&2; die "wrk printed no result (soak)"; }
for kv in ${line#LOADRESULT }; do RES[soak.${kv%%=*}]=${kv#*=}; done
RES[soak.bad]=$((${RES[soak.non2xx]} + ${RES[soak.connect]} + ${RES[soak.read]} + ${RES[soak.write]} + ${RES[soak.timeout]}))
if ((${RES[soak.requests]} == 0 || ${RES[soak.bad]} * 100 > ${RES[soak.requests]} * ERROR_LIMIT_PERCENT)); then
    FAILURES+=("soak: ${RES[soak.bad]} of ${RES[soak.requests]} requests failed (non-2xx ${RES[soak.non2xx]}), over ${ERROR_LIMIT_PERCENT}%")
    printf '\n[load] !!!!!!!! FAILURE: %s\n\n' "${FAILURES[-1]}" >&2
fi
# Minute 1 is the reference; a soak of two minutes or less takes its first sample instead.
if ((SOAK_SECONDS > 120)); then REF_T=60; else REF_T=10; fi
RSS_REF=${RSS_AT[$REF_T]:-$RSS_END}
GROWTH=$(awk -v a="$RSS_END" -v b="$RSS_REF" 'BEGIN { printf "%+.1f", (a - b) * 100 / b }')
if awk -v g="$GROWTH" -v l="$RSS_GROWTH_LIMIT" 'BEGIN { exit !(g > l) }'; then
    FAILURES+=("soak: RSS grew ${GROWTH}% from ${REF_T} s to ${SOAK_SECONDS} s (limit ${RSS_GROWTH_LIMIT}%)")
    SOAK_VERDICT=FAIL
else
    SOAK_VERDICT=ok
fi

# ---------------------------------------------------------------------------------------------
# Summary.

CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[[ -n $CPU_MODEL ]] || CPU_MODEL=$(awk -F': *' '/^(Hardware|cpu model|uarch)/ { print $2; exit }' /proc/cpuinfo)
MEM_TOTAL=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then COMMIT="$COMMIT + uncommitted changes"; fi
ANSWERED=$(grep -o '"decision":"[a-z]*"' "$WORK/check-usecase.json" | head -1 | cut -d'"' -f4)

summary() {
    local target
    echo "Gatehouse load benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine:  $(nproc) CPU, ${CPU_MODEL:-unknown CPU}; $MEM_TOTAL RAM; $(uname -srm)"
    echo "gateway:  $BINARY (tree at $COMMIT)"
    echo "tools:    nginx $NGINX_VERSION (1 worker, answers at once), wrk $WRK_VERSION${LITELLM_VERSION:+, LiteLLM $LITELLM_VERSION (2 workers, master key, no database)}"
    echo "runs:     loopback; ${WARMUP} s warm-up then ${DURATION} s per run; use case = POST /v1/usecases/$USECASE/invoke, decision '$ANSWERED'"
    echo "          (auth, schema, topics, PII redact + injection guard with classifier on input and context, budget, limits, PII leak check, ledger)"
    echo
    echo "(a) unloaded: 1 connection, 1 thread    latency (ms)                  overhead vs direct (ms)"
    printf '%-32s %9s %9s %9s   %9s %9s %9s %9s %8s %9s\n' target p50 p90 p99 p50 p90 p99 requests errors "CPU us/rq"
    for target in "${TARGETS[@]}"; do
        local k=a-$target
        if [[ $target == direct ]]; then
            printf '%-32s %9s %9s %9s   %9s %9s %9s %9s %8s %9s\n' "${TITLE[$target]}" \
                "$(us_to_ms "${RES[$k.p50_us]}")" "$(us_to_ms "${RES[$k.p90_us]}")" "$(us_to_ms "${RES[$k.p99_us]}")" - - - \
                "${RES[$k.requests]}" "${RES[$k.bad]}" "${RES[$k.cpu_us]}"
        else
            printf '%-32s %9s %9s %9s   %9s %9s %9s %9s %8s %9s\n' "${TITLE[$target]}" \
                "$(us_to_ms "${RES[$k.p50_us]}")" "$(us_to_ms "${RES[$k.p90_us]}")" "$(us_to_ms "${RES[$k.p99_us]}")" \
                "$(overhead_ms "${RES[$k.p50_us]}" "${RES[a-direct.p50_us]}")" \
                "$(overhead_ms "${RES[$k.p90_us]}" "${RES[a-direct.p90_us]}")" \
                "$(overhead_ms "${RES[$k.p99_us]}" "${RES[a-direct.p99_us]}")" \
                "${RES[$k.requests]}" "${RES[$k.bad]}" "${RES[$k.cpu_us]}"
        fi
    done
    echo
    echo "(b) saturated: $SATURATED_CONNECTIONS connections, $SATURATED_THREADS threads       latency (ms)"
    printf '%-32s %10s   %9s %9s %9s %9s %8s %9s %9s\n' target "req/s" p50 p90 p99 requests errors "CPU us/rq" "CPU %"
    for target in "${TARGETS[@]}"; do
        local k=b-$target
        printf '%-32s %10s   %9s %9s %9s %9s %8s %9s %9s\n' "${TITLE[$target]}" "${RES[$k.rps]}" \
            "$(us_to_ms "${RES[$k.p50_us]}")" "$(us_to_ms "${RES[$k.p90_us]}")" "$(us_to_ms "${RES[$k.p99_us]}")" \
            "${RES[$k.requests]}" "${RES[$k.bad]}" "${RES[$k.cpu_us]}" "${RES[$k.cpu_pct]}"
    done
    local base
    for base in litellm bare; do
        [[ -n ${RES[b-$base.rps]:-} ]] || continue
        for target in bare passthrough usecase; do
            [[ $target != "$base" && -n ${RES[b-$target.rps]:-} ]] || continue
            printf 'saturated ratio  %-30s / %-28s %6.2f x\n' "${TITLE[$target]}" "${TITLE[$base]}" \
                "$(awk -v a="${RES[b-$target.rps]}" -v b="${RES[b-$base.rps]}" 'BEGIN { print (b > 0 ? a / b : 0) }')"
        done
    done
    echo "errors: non-2xx answers + socket errors; more than ${ERROR_LIMIT_PERCENT}% in any run fails the benchmark."
    echo "CPU: user + system time of the server under test alone (nginx for direct, the gateway, LiteLLM's processes),"
    echo "per answered request and in percent of one core; the client and, behind a proxy, the mock share the same cores."
    echo
    echo "gateway memory (VmRSS of pid $GW_PID)"
    echo "  after the runs                 $(mib "$RSS_AFTER_RUNS") MiB"
    echo "  soak: $SATURATED_CONNECTIONS connections on the use case for $SOAK_SECONDS s: ${RES[soak.rps]} req/s, p99 $(us_to_ms "${RES[soak.p99_us]}") ms, ${RES[soak.requests]} requests, ${RES[soak.bad]} errors"
    echo "  RSS at ${REF_T} s                  $(mib "$RSS_REF") MiB$( ((REF_T != 60)) && echo "   (soak of 2 min or less: first sample instead of minute 1)")"
    echo "  RSS at the end (${SOAK_SECONDS} s)       $(mib "$RSS_END") MiB   growth ${GROWTH}% (limit +${RSS_GROWTH_LIMIT}%): $SOAK_VERDICT"
    echo "  peak RSS (VmHWM)               $(mib "$RSS_PEAK") MiB"
    echo "  samples (s:MiB)                ${SAMPLES[*]}"
    echo
    if ((${#FAILURES[@]})); then
        echo "RESULT: FAIL"
        local failure
        for failure in "${FAILURES[@]}"; do echo "  - $failure"; done
    else
        echo "RESULT: PASS"
    fi
}

echo
summary | tee "$WORK/summary.txt"
if [[ -n $OUT ]]; then
    mkdir -p "$(dirname "$OUT")"
    cp "$WORK/summary.txt" "$OUT"
    log "summary written to $OUT"
fi
((${#FAILURES[@]} == 0)) || exit 1
