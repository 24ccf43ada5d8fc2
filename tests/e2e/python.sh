# Python: the protocolbuffers/python and grpc/python templates (registered by
# ops/register-official-templates.sh) publish wheels and a static package
# index; real pip (Debian's, in a venv --system-site-packages, so that protobuf
# and grpcio come from Debian's python3-protobuf and python3-grpcio: PyPI is not
# reachable here) installs them from file://, from nginx and from the S3 server;
# a program round-trips a message across two modules' packages, a real grpcio
# server built on the generated servicer answers the generated stub (unary and
# server streaming), mypy checks a program against the .pyi stubs, and the
# wheels hold exactly what protoc writes by hand.

. "$ROOT/tests/lib/goenv.sh"
. "$ROOT/tests/lib/s3env.sh"
. "$ROOT/tests/lib/alerts.sh"

PY_WEATHER=acme-weather-grpc-python
PY_ALERTS=acme-alerts-grpc-python
SYS_PYTHON=/usr/bin/python3

# py_publish: the official templates, acme/weather and acme/alerts, one run.
py_publish() {
  publish_official http://127.0.0.1:9/npm/
}

# py_venv DIR: a venv on Debian's Python that sees Debian's protobuf, grpcio and mypy.
py_venv() {
  "$SYS_PYTHON" -m venv --system-site-packages "$1" || fail "venv"
  export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_CACHE_DIR="$TMP/pipcache"
}

# py_pip VENV ARGS...: pip of the venv, its output in $TMP/pip.log.
py_pip() {
  local venv=$1
  shift
  "$venv/bin/pip" "$@" >"$TMP/pip.log" 2>&1
}

# The program: an Alert holding a Forecast of the other module, a oneof, a map and a
# Timestamp, round-tripped; then a grpcio server on the generated servicer answers the
# generated stub, unary and server streaming. Prints the message's bytes to $1.
py_program() {
  cat >"$TMP/main.py" <<'PY'
import sys
from concurrent import futures

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from acme.alerts.v1 import alerts_pb2, alerts_pb2_grpc
from acme.weather.v1 import weather_pb2

alert = alerts_pb2.Alert(
    text="snow",
    forecast=weather_pb2.Forecast(city="Oslo", celsius=-3.5, sky=weather_pb2.SKY_CLOUDY),
    severity=3,
    by_city={"Bergen": weather_pb2.Forecast(city="Bergen")},
    at=Timestamp(seconds=1700000000),
)
data = alert.SerializeToString()
back = alerts_pb2.Alert.FromString(data)
with open(sys.argv[1], "wb") as f:
    f.write(data)
print(f"text={back.text} city={back.forecast.city} celsius={back.forecast.celsius} "
      f"sky={weather_pb2.Sky.Name(back.forecast.sky)} level={back.WhichOneof('level')}:{back.severity} "
      f"map={back.by_city['Bergen'].city} at={back.at.ToJsonString()}")


class Alerts(alerts_pb2_grpc.AlertServiceServicer):
    def Get(self, request, context):
        return alerts_pb2.Alert(text=f"alert for {request.city}", severity=3,
                                forecast=weather_pb2.Forecast(city=request.city))

    def Watch(self, request, context):
        for i in range(1, 4):
            yield alerts_pb2.Alert(text=f"{request.city} #{i}")


server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
alerts_pb2_grpc.add_AlertServiceServicer_to_server(Alerts(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
try:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = alerts_pb2_grpc.AlertServiceStub(channel)
        req = weather_pb2.GetForecastRequest(city="Oslo")
        one = stub.Get(req, timeout=10)
        many = [a.text for a in stub.Watch(req, timeout=10)]
        print(f"unary={one.text}|{one.forecast.city}|{one.severity} stream={','.join(many)}")
finally:
    server.stop(None)
PY
  "$1/bin/python" "$TMP/main.py" "$TMP/py.bin"
}

PY_LINE="text=snow city=Oslo celsius=-3.5 sky=SKY_CLOUDY level=severity:3 map=Bergen at=2023-11-14T22:13:20Z
unary=alert for Oslo|Oslo|3 stream=Oslo #1,Oslo #2,Oslo #3"

# py_install_and_run VENV INDEX_URL: pip installs the alerts package (and so the weather
# package) from the index; the program runs; its bytes decode as protoc's do.
py_install_and_run() {
  local venv=$1 index=$2
  py_pip "$venv" install --index-url "$index" "$PY_ALERTS" || fail "pip install: $(cat "$TMP/pip.log")"
  grep -q "Successfully installed $PY_ALERTS-1.1.1 $PY_WEATHER-1.1.1\|Successfully installed $PY_WEATHER-1.1.1 $PY_ALERTS-1.1.1" \
    "$TMP/pip.log" || fail "pip: $(cat "$TMP/pip.log")"
  local out
  out=$(py_program "$venv" 2>&1) || fail "python: $out"
  assert_eq "$PY_LINE" "$out" "program output"
  protoc_decode <"$TMP/py.bin" >"$TMP/py.txt" || fail "protoc --decode"
  grep -q 'key: "Bergen"' "$TMP/py.txt" || fail "decoded: $(cat "$TMP/py.txt")"
  assert_eq "$(protoc_bin | protoc_decode)" "$(cat "$TMP/py.txt")" "the message, decoded by protoc"
}

test_python_from_file_store_pip_versions_hashes_and_mypy() {
  py_publish
  local index="file://$STORE_DIR/python/simple/"
  assert_file "$STORE_DIR/python/simple/index.html"
  grep -q "<a href=\"$PY_ALERTS/\">$PY_ALERTS</a>" "$STORE_DIR/python/simple/index.html" ||
    fail "root page: $(cat "$STORE_DIR/python/simple/index.html")"
  local whl="$STORE_DIR/python/files/$PY_ALERTS/acme_alerts_grpc_python-1.1.1-py3-none-any.whl"
  grep -q "href=\"../../files/$PY_ALERTS/acme_alerts_grpc_python-1.1.1-py3-none-any.whl#sha256=$(sha256sum "$whl" | cut -d' ' -f1)\" data-requires-python=\"&gt;=3.7\" data-dist-info-metadata=\"sha256=$(sha256sum "$whl.metadata" | cut -d' ' -f1)\"" \
    "$STORE_DIR/python/simple/$PY_ALERTS/index.html" || fail "project page: $(cat "$STORE_DIR/python/simple/$PY_ALERTS/index.html")"
  assert_eq "Requires-Dist: protobuf>=3.21
Requires-Dist: grpcio>=1.51
Requires-Dist: $PY_WEATHER==1.1.1" "$(grep '^Requires-Dist' "$whl.metadata")" "Requires-Dist"
  # No __init__.py: acme/ is a namespace package that the wheels of both modules share.
  if unzip -Z1 "$whl" | grep -q '__init__'; then fail "an __init__.py in $(unzip -Z1 "$whl")"; fi

  py_venv "$TMP/venv"
  py_install_and_run "$TMP/venv" "$index"

  # mypy against the .pyi stubs: the program passes, a wrong field type does not.
  cat >"$TMP/typed.py" <<'PY'
from acme.alerts.v1 import alerts_pb2
from acme.weather.v1 import weather_pb2

forecast = weather_pb2.Forecast(city="Oslo", celsius=-3.5)
alert = alerts_pb2.Alert(text="snow", forecast=forecast, severity=3)
alert.by_city["Bergen"].city = "Bergen"
text: str = alert.text
PY
  "$TMP/venv/bin/python" -m mypy --cache-dir "$TMP/mypy1" --ignore-missing-imports --no-error-summary "$TMP/typed.py" >"$TMP/mypy.log" 2>&1 ||
    fail "mypy: $(cat "$TMP/mypy.log")"
  sed -i 's/city="Oslo"/city=42/' "$TMP/typed.py"
  if "$TMP/venv/bin/python" -m mypy --cache-dir "$TMP/mypy2" --ignore-missing-imports "$TMP/typed.py" >"$TMP/mypy2.log" 2>&1; then
    fail "mypy accepted an int for a string field"
  fi
  grep -q 'Argument "city" to "Forecast" has incompatible type "int"' "$TMP/mypy2.log" || fail "mypy: $(cat "$TMP/mypy2.log")"

  # pip download twice: the same bytes, and the hashes a --require-hashes file pins hold.
  py_pip "$TMP/venv" download --no-deps --index-url "$index" -d "$TMP/dl1" "$PY_ALERTS==1.1.1" || fail "download: $(cat "$TMP/pip.log")"
  py_pip "$TMP/venv" download --no-deps --no-cache-dir --index-url "$index" -d "$TMP/dl2" "$PY_ALERTS==1.1.1" ||
    fail "download: $(cat "$TMP/pip.log")"
  cmp "$TMP/dl1/acme_alerts_grpc_python-1.1.1-py3-none-any.whl" "$TMP/dl2/acme_alerts_grpc_python-1.1.1-py3-none-any.whl" ||
    fail "two downloads differ"
  cmp "$whl" "$TMP/dl1/acme_alerts_grpc_python-1.1.1-py3-none-any.whl" || fail "the download is not the stored wheel"
  printf '%s==1.1.1 --hash=sha256:%s\n%s==1.1.1 --hash=sha256:%s\n' \
    "$PY_ALERTS" "$(sha256sum "$whl" | cut -d' ' -f1)" \
    "$PY_WEATHER" "$(sha256sum "$STORE_DIR/python/files/$PY_WEATHER/acme_weather_grpc_python-1.1.1-py3-none-any.whl" | cut -d' ' -f1)" \
    >"$TMP/req.txt"
  py_venv "$TMP/venv2"
  py_pip "$TMP/venv2" install --no-deps --require-hashes --index-url "$index" -r "$TMP/req.txt" ||
    fail "pip --require-hashes: $(cat "$TMP/pip.log")"
  sed -i 's/sha256:\(.\)/sha256:0/' "$TMP/req.txt"
  py_venv "$TMP/venv3"
  if py_pip "$TMP/venv3" install --no-deps --require-hashes --index-url "$index" -r "$TMP/req.txt"; then
    fail "pip accepted a wrong hash"
  fi
  grep -q "THESE PACKAGES DO NOT MATCH THE HASHES" "$TMP/pip.log" || fail "pip: $(cat "$TMP/pip.log")"

  # A new commit: 1.1.2. An exact 1.1.1 still installs; -U gets 1.1.2.
  mkdir -p "$TMP/weather2"
  cp -r "$ROOT/ops/example/." "$TMP/weather2/"
  printf '\nmessage Storm {\n  string name = 1;\n}\n' >>"$TMP/weather2/acme/weather/v1/weather.proto"
  rg module push acme/weather "$TMP/weather2"
  assert_rc 0
  rg run --once
  assert_rc 0
  py_venv "$TMP/venv4"
  py_pip "$TMP/venv4" install --index-url "$index" "$PY_WEATHER==1.1.1" || fail "pip ==1.1.1: $(cat "$TMP/pip.log")"
  assert_eq "1.1.1" "$("$TMP/venv4/bin/python" -c 'import importlib.metadata as m; print(m.version("'"$PY_WEATHER"'"))')" "pinned version"
  py_pip "$TMP/venv4" install -U --no-deps --index-url "$index" "$PY_WEATHER" || fail "pip -U: $(cat "$TMP/pip.log")"
  assert_eq "1.1.2" "$("$TMP/venv4/bin/python" -c 'import importlib.metadata as m; print(m.version("'"$PY_WEATHER"'"))')" "upgraded version"
  "$TMP/venv4/bin/python" -c 'from acme.weather.v1 import weather_pb2; weather_pb2.Storm(name="x")' ||
    fail "1.1.2 has no Storm"

  # The feed has a line per wheel.
  jq -s -e "map(select(.Package == \"$PY_WEATHER\" and .Version == \"1.1.2\" and .Wheel == \"acme_weather_grpc_python-1.1.2-py3-none-any.whl\" and (.Sha256 | length) == 64)) | length == 1" \
    "$STORE_DIR/index/feed/head.ndjson" >/dev/null || fail "feed: $(cat "$STORE_DIR/index/feed/head.ndjson")"

  # Yanked (PEP 592): pip passes it over unless it is pinned.
  local id2
  id2=$(sql "SELECT id FROM generations WHERE package = '$PY_WEATHER' AND version = 'v1.1.2'")
  rg generation yank "$id2" --reason "Storm is wrong"
  assert_rc 0
  grep -q 'acme_weather_grpc_python-1.1.2-py3-none-any.whl</a>' "$STORE_DIR/python/simple/$PY_WEATHER/index.html" ||
    fail "page: $(cat "$STORE_DIR/python/simple/$PY_WEATHER/index.html")"
  grep -q 'data-yanked="Storm is wrong">acme_weather_grpc_python-1.1.2' "$STORE_DIR/python/simple/$PY_WEATHER/index.html" ||
    fail "not yanked: $(cat "$STORE_DIR/python/simple/$PY_WEATHER/index.html")"
  py_venv "$TMP/venv5"
  py_pip "$TMP/venv5" install --no-deps --index-url "$index" "$PY_WEATHER" || fail "pip: $(cat "$TMP/pip.log")"
  assert_eq "1.1.1" "$("$TMP/venv5/bin/python" -c 'import importlib.metadata as m; print(m.version("'"$PY_WEATHER"'"))')" "a yanked version is not chosen"
  py_pip "$TMP/venv5" install --no-deps --index-url "$index" "$PY_WEATHER==1.1.2" || fail "pip ==1.1.2: $(cat "$TMP/pip.log")"
  grep -q "yanked" "$TMP/pip.log" || fail "pip did not warn: $(cat "$TMP/pip.log")"

  rg verify
  assert_rc 0
  echo "note: pip installed $PY_ALERTS 1.1.1 with $PY_WEATHER from file://; -U took $PY_WEATHER to 1.1.2; yanked, pip passed it over"
}

test_python_from_nginx() {
  trap nginx_stop EXIT
  nginx_start "$STORE_DIR"
  py_publish
  local base="http://127.0.0.1:$NGINX_PORT/python"
  assert_headers "$base/simple/$PY_ALERTS/" "text/html; charset=utf-8" "public, max-age=60"
  assert_headers "$base/simple/" "text/html; charset=utf-8" "public, max-age=60"
  assert_headers "$base/files/$PY_ALERTS/acme_alerts_grpc_python-1.1.1-py3-none-any.whl" application/octet-stream \
    "public, max-age=31536000, immutable"
  assert_headers "$base/files/$PY_ALERTS/acme_alerts_grpc_python-1.1.1-py3-none-any.whl.metadata" \
    "text/plain; charset=utf-8" "public, max-age=31536000, immutable"
  py_venv "$TMP/venv"
  py_install_and_run "$TMP/venv" "$base/simple/"
  grep -q "GET /python/files/$PY_WEATHER/acme_weather_grpc_python-1.1.1-py3-none-any.whl.metadata HTTP/1.1\" 200" \
    "$TMP/nginx/access.log" || fail "pip did not read the METADATA file (PEP 658): $(cat "$TMP/nginx/access.log")"
}

# Plain S3 has no index documents: the pages are also stored under the keys
# ending in '/' that pip asks for.
test_python_from_s3() {
  trap 's3_stop' EXIT
  s3_start pyreg
  export REMOTEGEN_STORE=s3://pyreg/store
  py_publish
  local base="http://127.0.0.1:$S3_PORT/pyreg/store/python"
  assert_headers "$base/simple/$PY_ALERTS/" "text/html; charset=utf-8" "public, max-age=60"
  assert_headers "$base/simple/" "text/html; charset=utf-8" "public, max-age=60"
  py_venv "$TMP/venv"
  py_install_and_run "$TMP/venv" "$base/simple/"
  rg verify
  assert_rc 0
}

# The wheels hold exactly what protoc writes by hand with the same plugins
# (protoc's own --python_out and --pyi_out, and grpc_python_plugin), and
# nothing else but their .dist-info and the py.typed marker beside the .pyi.
test_python_parity_with_protoc() {
  py_publish
  local m src file
  for m in weather alerts; do
    src="$ROOT/ops/example" file=acme/weather/v1/weather.proto
    [ "$m" = alerts ] && src="$TMP/alerts" file=acme/alerts/v1/alerts.proto
    mkdir -p "$TMP/hand/$m" "$TMP/whl/$m"
    protoc --python_out="$TMP/hand/$m" --pyi_out="$TMP/hand/$m" \
      --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin --grpc_python_out="$TMP/hand/$m" \
      -I "$src" -I "$ROOT/ops/example" "$file"
    (cd "$TMP/whl/$m" && unzip -q "$STORE_DIR/python/files/acme-$m-grpc-python/acme_${m}_grpc_python-1.1.1-py3-none-any.whl")
    rm -r "$TMP/whl/$m/acme_${m}_grpc_python-1.1.1.dist-info"
    # remotegen's PEP 561 marker beside the .pyi: empty, and the only file protoc did not write
    assert_eq "" "$(cat "$TMP/whl/$m/acme/$m/v1/py.typed")" "py.typed"
    rm "$TMP/whl/$m/acme/$m/v1/py.typed"
    diff -r "$TMP/hand/$m" "$TMP/whl/$m" >"$TMP/diff.log" || fail "$m differs from protoc: $(head -c 2000 "$TMP/diff.log")"
    assert_eq 3 "$(find "$TMP/hand/$m" -type f | wc -l)" "files protoc wrote for $m"
  done
}

# Bad input: names that normalize to one project are refused before anything
# is written; a plugin that writes packaging files is refused; a tampered wheel
# is reported by verify and never overwritten.
test_python_refusals_and_a_tampered_wheel() {
  rg migrate
  rg plugin add t/py v1 --exec "$TOOLS/testplugin" --python-dep 'protobuf>=3.21'
  assert_rc 0
  rg plugin add t/both v1 --exec "$TOOLS/testplugin" --python-dep x --npm-dep y@1
  assert_rc 2
  assert_err_has "a plugin generates Go (--go-dep, --go-min-version), npm packages (--npm-dep) or Python (--python-dep), one of them"
  rg plugin add t/bad v1 --exec "$TOOLS/testplugin" --python-dep 'protobuf; os_name=="nt"'
  assert_rc 2
  assert_err_has "expected a requirement like protobuf>=3.21"
  rg template create t/plain --plugin "t/py=files=acme/plain.py"
  rg template version t/plain --plugin t/py:v1
  rg template create t/setup --plugin "t/py=files=setup.py|a.py"
  rg template version t/setup --plugin t/py:v1
  rg template create t/info --plugin "t/py=files=x-1.dist-info/METADATA"
  rg template version t/info --plugin t/py:v1
  rg template create t/init --plugin "t/py=files=acme/__init__.py"
  rg template version t/init --plugin t/py:v1
  rg module push acme-x/y "$ROOT/ops/example"
  assert_rc 0
  rg run --once
  assert_rc 1
  local err_of
  err_of() {
    sql "SELECT g.last_error FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id WHERE t.name = '$1'"
  }
  assert_eq "package acme-x-y-t-setup: the plugins generated setup.py, which would make the wheel a project of its own" \
    "$(err_of setup)" "setup.py"
  case "$(err_of info)" in *"file x-1.dist-info/METADATA: a .dist-info or .egg-info directory is the wheel's own"*) ;;
    *) fail "dist-info: $(err_of info)" ;; esac
  case "$(err_of init)" in *"file acme/__init__.py: the proto paths are namespace packages"*) ;;
    *) fail "__init__: $(err_of init)" ;; esac
  assert_no_file "$STORE_DIR/python/files/acme-x-y-t-setup"
  local whl="$STORE_DIR/python/files/acme-x-y-t-plain/acme_x_y_t_plain-1.1.1-py3-none-any.whl"
  assert_file "$whl"

  # Published again in a new process (its record lost): the same wheel bytes, so the
  # immutable write succeeds.
  local sum
  sum=$(sha256sum "$whl")
  sql "UPDATE generations SET state = 'pending', package = NULL, package_kind = NULL, manifest = NULL, integrity = NULL, shasum = NULL, artifact = NULL, attempts = 0 WHERE template_version_id IN (SELECT tv.id FROM template_versions tv JOIN templates t ON t.id = tv.template_id WHERE t.name = 'plain')" >/dev/null
  rg run --once
  assert_rc 0
  assert_eq "published" "$(sql "SELECT g.state FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id WHERE t.name = 'plain'")" "after the second build"
  assert_eq "$sum" "$(sha256sum "$whl")" "the wheel, rebuilt"

  # acme/x-y normalizes to the same project as acme-x/y: refused before writing.
  rg module push acme/x-y "$ROOT/ops/example"
  assert_rc 0
  rg run --once
  assert_rc 1
  assert_err_has "Python package acme-x-y-t-plain is already the package of module acme-x/y with template t/plain"
  assert_eq 1 "$(grep -c 'acme_x_y_t_plain' "$STORE_DIR/python/simple/acme-x-y-t-plain/index.html")" "versions on the page"

  # A tampered wheel: verify reports it; neither a run nor a repair replaces it.
  local before
  printf 'tampered' >>"$whl"
  before=$(sha256sum "$whl")
  rg verify
  assert_rc 1
  assert_out_has "hash mismatch: python/files/acme-x-y-t-plain/acme_x_y_t_plain-1.1.1-py3-none-any.whl"
  rg retry --template t/plain
  rg run --once
  rg verify --repair
  assert_eq "$before" "$(sha256sum "$whl")" "the tampered wheel, untouched"
}
