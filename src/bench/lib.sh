# Shared by the benchmark scripts: build the WAR, start Jetty 12 or Tomcat 10.1 standalone (each
# its own JVM, on 127.0.0.1) from the distributions the build unpacks, stop them by process id.
# Source it: . "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONTAINERS=$ROOT/target/containers

# The production settings the README recommends for a machine of one or two cores, measured by
# tune.sh: a fixed heap with the parallel collector, and small thread pools in both containers.
RECOMMENDED_JVM="-Xms1g -Xmx1g -XX:+UseParallelGC"
# The accept queue: Jetty's default (0) leaves the JDK's backlog of 50, and Tomcat's is 100; a burst
# of new connections beyond it overflows the listen queue and the kernel drops their SYNs, which
# clients resend after 1 s, 3 s, 7 s (soak.sh: thousands of overflows and p99 of seconds at 2,000
# connections). 4096 is this machine's net.core.somaxconn, which caps it.
SMALL_POOL_JETTY_ARGS="jetty.threadPool.minThreads=8 jetty.threadPool.maxThreads=8 jetty.threadPool.reservedThreads=0"
RECOMMENDED_JETTY_ARGS="$SMALL_POOL_JETTY_ARGS jetty.http.acceptQueueSize=4096"
RECOMMENDED_TOMCAT_CONNECTOR='maxThreads="8" minSpareThreads="8" maxKeepAliveRequests="-1" acceptCount="4096"'

# Exports the recommended pools as JETTY_ARGS and TOMCAT_CONNECTOR, unless the caller set them.
recommended_pools() {
  [[ -v JETTY_ARGS ]] || export JETTY_ARGS=$RECOMMENDED_JETTY_ARGS
  [[ -v TOMCAT_CONNECTOR ]] || export TOMCAT_CONNECTOR=$RECOMMENDED_TOMCAT_CONNECTOR
}

# Builds the WAR and unpacks the containers (skipping tests) unless both are there.
build() {
  if ! ls "$ROOT"/target/playcounter-*.war >/dev/null 2>&1 || ! ls -d "$CONTAINERS"/jetty-home-12.1.* >/dev/null 2>&1; then
    (cd "$ROOT" && mvn -B -q -DskipTests verify) || return 1
  fi
  # PLAYCOUNTER_WAR measures another build, e.g. an older commit's, with the same scripts.
  WAR=${PLAYCOUNTER_WAR:-$(ls "$ROOT"/target/playcounter-*.war | head -1)}
  # The benchmarks measure the newest lines of the matrix the tests unpack: Jetty 12.1, Tomcat 10.1.
  JETTY_HOME=$(ls -d "$CONTAINERS"/jetty-home-12.1.* | sort -V | tail -1)
  TOMCAT_HOME=$(ls -d "$CONTAINERS"/apache-tomcat-10.1.* | sort -V | tail -1)
}

# Installs the Debian packages given when a command of the same purpose is missing.
need() { # command package...
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# trivial_war DIR -> sets TRIVIAL_WAR: the servlet that answers "1" to everything, built with the JDK alone.
trivial_war() {
  local dir=$1 api
  api=$(ls ~/.m2/repository/jakarta/servlet/jakarta.servlet-api/6.0.0/jakarta.servlet-api-6.0.0.jar)
  mkdir -p "$dir/trivial/WEB-INF/classes"
  cp "$ROOT/src/bench/trivial/WEB-INF/web.xml" "$dir/trivial/WEB-INF/"
  javac -d "$dir/trivial/WEB-INF/classes" -cp "$api" "$ROOT/src/bench/trivial/TrivialServlet.java"
  (cd "$dir/trivial" && jar cf "$dir/trivial.war" WEB-INF)
  TRIVIAL_WAR=$dir/trivial.war
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_http() { # url [seconds]
  local deadline=$((SECONDS + ${2:-90}))
  until curl -s -o /dev/null -f "$1"; do
    ((SECONDS < deadline)) || { echo "no answer from $1" >&2; return 1; }
    sleep 0.2
  done
}

# start_jetty BASE PORT WAR "JVM OPTIONS" [CPU]  -> sets PID; WAR deployed at /
start_jetty() {
  local base=$1 port=$2 war=$3 opts=$4 cpu=${5:-}
  mkdir -p "$base" && (cd "$base" && java -jar "$JETTY_HOME/start.jar" --add-modules=server,http,ee10-deploy >/dev/null 2>&1)
  cp "$war" "$base/webapps/ROOT.war"
  # shellcheck disable=SC2086
  (cd "$base" && exec ${cpu:+taskset -c $cpu} java $opts -Dorg.eclipse.jetty.http.HttpGenerator.STRICT=true -jar "$JETTY_HOME/start.jar" \
     jetty.http.host=127.0.0.1 jetty.http.port="$port" ${JETTY_ARGS:-} >"$base/server.log" 2>&1) &
  PID=$!
}

# start_tomcat BASE PORT WAR "JVM OPTIONS" [CPU] -> sets PID; WAR deployed at /
start_tomcat() {
  local base=$1 port=$2 war=$3 opts=$4 cpu=${5:-}
  mkdir -p "$base"/{conf,logs,temp,webapps,work}
  cp "$TOMCAT_HOME"/conf/{web.xml,catalina.properties,logging.properties,context.xml} "$base/conf/"
  cat >"$base/conf/server.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="$port" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000"
               ${TOMCAT_CONNECTOR:-}/>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="false">
        <Valve className="org.apache.catalina.valves.ErrorReportValve" showReport="false" showServerInfo="false"/>
      </Host>
    </Engine>
  </Service>
</Server>
XML
  cp "$war" "$base/webapps/ROOT.war"
  # shellcheck disable=SC2086
  (cd "$base" && exec ${cpu:+taskset -c $cpu} java $opts \
     -Dcatalina.home="$TOMCAT_HOME" -Dcatalina.base="$base" -Djava.io.tmpdir="$base/temp" \
     -Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager \
     -Djava.util.logging.config.file="$base/conf/logging.properties" \
     -cp "$TOMCAT_HOME/bin/bootstrap.jar:$TOMCAT_HOME/bin/tomcat-juli.jar" \
     org.apache.catalina.startup.Bootstrap start >"$base/server.log" 2>&1) &
  PID=$!
}

# start_nginx BASE PORT [CPU] -> sets PID: nginx's static `return 200 "1"`, as ../shared/bench/peers.
start_nginx() {
  local base=$1 port=$2 cpu=${3:-}
  mkdir -p "$base"
  cat >"$base/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $base/nginx.pid; error_log $base/nginx.err;
events { worker_connections 4096; }
http { access_log off;
  server { listen 127.0.0.1:$port; location / { default_type text/plain; return 200 "1"; } } }
CONF
  # shellcheck disable=SC2086
  ${cpu:+taskset -c $cpu} nginx -c "$base/nginx.conf" -p "$base" &
  PID=$!
}

stop_pid() { # pid
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
}

# Heap in use after a full GC, in bytes.
heap_after_gc() { # pid
  jcmd "$1" GC.run >/dev/null
  heap_used "$1"
}

# Heap in use now, garbage included, in bytes.
heap_used() { # pid
  jcmd "$1" GC.heap_info | python3 -c '
import re, sys
used = 0
for line in sys.stdin:
    m = re.search(r"(?:PSYoungGen|ParOldGen|garbage-first heap)\s+total \d+K, used (\d+)K", line)
    if m: used += int(m.group(1)) * 1024
print(used)'
}

# Charts: every script draws what it just printed as an SVG with gnuplot (Debian's gnuplot-nox),
# into CHART_DIR (default target/charts). The text tables stay the record; the charts are for the
# docs (src/site/resources/images holds the ones the docs show).
CHART_DIR=${CHART_DIR:-$ROOT/target/charts}

# chart_bars TITLE YLABEL OUT.svg [SERIES ...] < lines "label value ..." -> a bar chart in OUT.svg
# (relative names go into CHART_DIR). A label may contain spaces: the last fields of a line are
# its values, one per SERIES (one value and no legend when no SERIES is given). Bars run across,
# one group per label, top to bottom in input order, each bar with its value written at its end. CHART_FORMAT (printf, default %g) formats the values
# written on the bars.
chart_bars() {
  local title=$1 ylabel=$2 out=$3; shift 3
  local series=("$@") n=$# data
  ((n > 0)) || { series=(value); n=1; }
  out=$(chart_path "$out") || return 1
  need gnuplot gnuplot-nox || return 1
  data=$(mktemp /tmp/playcounter-chart-XXXX)
  # "label with spaces v1 v2" -> "\"label with spaces\" v1 v2", with commas dropped from numbers.
  awk -v n="$n" 'NF > n { label = $1; for (i = 2; i <= NF - n; i++) label = label " " $i
    gsub(/"/, "", label); line = "\"" label "\""
    for (i = NF - n + 1; i <= NF; i++) { v = $i; gsub(/,/, "", v); line = line " " v }
    print line }' >"$data"
  [[ -s $data ]] || { echo "chart_bars: no data for $out" >&2; rm -f "$data"; return 1; }
  # Horizontal bars, so that long labels stay readable: label j at y = -j, its n bars stacked
  # inside one unit, the value written at the end of each bar.
  local plot="" labels="" i h rows
  rows=$(wc -l <"$data")
  h=$(awk -v n="$n" 'BEGIN {print 0.8 / n}')
  for i in "${!series[@]}"; do
    local y="(-\$0 + 0.4 - ($i + 0.5) * $h)" v="(column($((i + 2))))"
    plot+="${plot:+, }\"$data\" using ($v / 2):$y:($v / 2):($h / 2 * 0.9)$([[ $i == 0 ]] && echo ':ytic(1)') with boxxyerror title \"$(chart_escape "${series[$i]}")\""
    labels+=", \"$data\" using $v:$y:(sprintf(fmt, $v)) with labels left offset 0.5,0 font \",9\" notitle"
  done
  gnuplot <<GP
set terminal svg size 800,$((110 + rows * (18 * n + 14))) dynamic enhanced font "sans,11" background rgb "white"
set output "$out"
set title "$(chart_escape "$title")" noenhanced
set xlabel "$(chart_escape "$ylabel")" noenhanced
set style fill solid 0.85 border -1
set xrange [0:*]
set offsets 0, graph 0.12, 0, 0
set yrange [-$rows + 0.4:0.6]
set grid xtics lc rgb "#dddddd"
set ytics nomirror scale 0 noenhanced
set xtics nomirror
set border 3
set key outside top right horizontal noenhanced $([[ $n == 1 ]] && echo "off" || echo "")
fmt = "${CHART_FORMAT:-%g}"
plot $plot$labels
GP
  local status=$?
  rm -f "$data"
  ((status == 0)) && echo "chart: $out"
  return $status
}

# chart_lines TITLE XLABEL YLABEL OUT.svg [SERIES ...] < lines "x y ..." -> a line chart, one line
# per SERIES (the columns after x), for time series such as soak.sh's plays per second.
chart_lines() {
  local title=$1 xlabel=$2 ylabel=$3 out=$4; shift 4
  local series=("$@") n=$# data
  ((n > 0)) || { series=(value); n=1; }
  out=$(chart_path "$out") || return 1
  need gnuplot gnuplot-nox || return 1
  data=$(mktemp /tmp/playcounter-chart-XXXX)
  awk 'NF >= 2 && $1 !~ /^#/' >"$data"
  [[ -s $data ]] || { echo "chart_lines: no data for $out" >&2; rm -f "$data"; return 1; }
  local plot="" i
  for i in "${!series[@]}"; do
    plot+="${plot:+, }\"$data\" using 1:$((i + 2)) with linespoints pt 7 ps 0.5 lw 2 title \"$(chart_escape "${series[$i]}")\""
  done
  gnuplot <<GP
set terminal svg size 800,400 dynamic enhanced font "sans,11" background rgb "white"
set output "$out"
set title "$(chart_escape "$title")" noenhanced
set xlabel "$(chart_escape "$xlabel")" noenhanced
set ylabel "$(chart_escape "$ylabel")" noenhanced
set yrange [0:*]
set grid lc rgb "#dddddd"
set border 3
set xtics nomirror
set ytics nomirror
set key bottom right noenhanced $([[ $n == 1 ]] && echo "off" || echo "")
plot $plot
GP
  local status=$?
  rm -f "$data"
  ((status == 0)) && echo "chart: $out"
  return $status
}

chart_path() { # name -> absolute path in CHART_DIR (created) unless the name has a directory
  local out=$1
  [[ $out == */* ]] || out=$CHART_DIR/$out
  mkdir -p "$(dirname "$out")" && echo "$out"
}
chart_escape() { printf '%s' "$1" | sed 's/["\\]/\\&/g'; }
