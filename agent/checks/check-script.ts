/**
 * The validation check pod's script (POSIX sh, tools of the netshoot image: ip, ping, curl, nslookup,
 * awk, date). It is a constant: every input arrives through env (see `CheckEnv`), never spliced into
 * the text, so nothing can be injected.
 *
 * Checks, each with its latency in ms: the pod's IPv4 address lies in CHECK_EXPECTED_CIDR; the API
 * server answers on https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (any HTTP status
 * counts); every peer in CHECK_PEERS answers a ping; CHECK_DNS_NAME resolves. It writes a
 * CheckReport (JSON) to the termination log and exits 0 only when every check passed.
 */

/** Where the report goes; overridable (tests) through this env variable. */
export const CHECK_REPORT_PATH_ENV = 'CHECK_REPORT_PATH';
export const DEFAULT_REPORT_PATH = '/dev/termination-log';

export const CHECK_SCRIPT = String.raw`T="$CHECK_TIMEOUT_SECONDS"
case "$T" in ''|*[!0-9]*) T=5 ;; esac
[ "$T" -ge 1 ] || T=1
REPORT="$CHECK_REPORT_PATH"
[ -n "$REPORT" ] || REPORT=/dev/termination-log
RESULTS=""
FAILED=0

now_ms() {
  t=$(date +%s%N 2>/dev/null)
  case "$t" in
    ''|*[!0-9]*) awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime ;;
    *) echo $((t / 1000000)) ;;
  esac
}

# A JSON string body: printable ASCII only, cut to $2 characters, then \ and " escaped.
json_str() {
  printf '%s\n' "$1" | head -n 1 | LC_ALL=C tr -c '[:print:]\n' ' ' | cut -c "1-$2" | sed 's/\\/\\\\/g; s/"/\\"/g'
}

# add_result CHECK TARGET OK(true|false) START_MS DETAIL
add_result() {
  lat=$(( $(now_ms) - $4 ))
  [ "$lat" -ge 0 ] || lat=0
  [ "$3" = true ] || FAILED=1
  item=$(printf '{"check":"%s","target":"%s","ok":%s,"latencyMs":%d,"detail":"%s"}' \
    "$1" "$(json_str "$2" 128)" "$3" "$lat" "$(json_str "$5" 100)")
  if [ -n "$RESULTS" ]; then RESULTS="$RESULTS,$item"; else RESULTS="$item"; fi
}

in_cidr() {
  awk -v ip="$1" -v cidr="$2" '
    function toint(a,   p, i) {
      if (split(a, p, ".") != 4) return -1
      for (i = 1; i <= 4; i++) if (p[i] !~ /^[0-9]+$/ || p[i] + 0 > 255) return -1
      return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4]
    }
    BEGIN {
      if (split(cidr, c, "/") != 2 || c[2] !~ /^[0-9]+$/ || c[2] + 0 > 32) exit 2
      n = toint(c[1]); x = toint(ip)
      if (n < 0 || x < 0) exit 2
      m = 2 ^ (32 - c[2])
      exit (int(x / m) == int(n / m)) ? 0 : 1
    }'
}

check_pod_cidr() {
  start=$(now_ms)
  cidr="$CHECK_EXPECTED_CIDR"
  [ -n "$cidr" ] || cidr=unset
  ip4=$(ip -4 -o address show scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
  POD_IP="$ip4"
  if [ -z "$ip4" ]; then
    add_result pod-cidr "$cidr" false "$start" "no global IPv4 address"
  elif in_cidr "$ip4" "$cidr"; then
    add_result pod-cidr "$cidr" true "$start" "$ip4"
  else
    add_result pod-cidr "$cidr" false "$start" "$ip4 is outside"
  fi
}

check_api() {
  start=$(now_ms)
  host="$KUBERNETES_SERVICE_HOST"
  port="$KUBERNETES_SERVICE_PORT"
  [ -n "$port" ] || port=443
  case "$host" in *:*) host="[$host]" ;; esac
  url="https://$host:$port"
  code=$(curl -sk -o /dev/null -m "$T" -w '%{http_code}' "$url/" 2>/dev/null)
  case "$code" in
    ''|000) add_result api "$url" false "$start" "no HTTP answer" ;;
    *) add_result api "$url" true "$start" "HTTP $code" ;;
  esac
}

check_peers() {
  for peer in $CHECK_PEERS; do
    start=$(now_ms)
    if ping -n -q -c 1 -W "$T" "$peer" >/dev/null 2>&1; then
      add_result ping "$peer" true "$start" "reply"
    else
      add_result ping "$peer" false "$start" "no reply"
    fi
  done
}

check_dns() {
  start=$(now_ms)
  name="$CHECK_DNS_NAME"
  case "$name" in
    ''|-*) add_result dns "unset-or-invalid" false "$start" "CHECK_DNS_NAME is not a DNS name"; return ;;
  esac
  out=$(timeout "$T" nslookup "$name" 2>&1)
  addr=$(printf '%s\n' "$out" | awk '/^Name:/ { named = 1; next } named && /^Address/ { print $NF; exit }')
  if [ -n "$addr" ]; then
    add_result dns "$name" true "$start" "$addr"
  else
    add_result dns "$name" false "$start" "$(printf '%s' "$out" | grep -m 1 -E 'find|timed out|refused|NXDOMAIN|error' || echo 'no address')"
  fi
}

POD_IP=""
check_pod_cidr
check_api
check_peers
check_dns
printf '{"version":1,"podIP":"%s","results":[%s]}' "$(json_str "$POD_IP" 64)" "$RESULTS" > "$REPORT"
exit "$FAILED"
`;
