# shellcheck shell=bash
# Sourced by deploy.sh: `./deploy.sh demo`, the real daemon on embedded defaults (simulated GPIO) watching a camera
# stream that ffmpeg assembles here from the pinned demo photos (npm @vladmandic/face-api@1.7.15): faces cut out of the
# group photos and shown one after another as walk-ups, strangers between them. Nothing is kept: the stream, the
# enrolment photos and the station's data live in a temporary folder that is removed at the end.

# Face boxes in the demo photos (x, y, width), as `station-edge detect` finds them; the photos are pinned by sha256 in
# models/models.lock.json, so the boxes do not move. Only one person appears in two of the six photos
# (`station-edge match --photos out/models/demo/sample*.jpg`: sample1's face 2 is sample3's face 2, score 0.79), so
# only she can be enrolled from one photo and walk up in another.
DEMO_W001_ENROL=(sample1 1492 268 152)   # 王芳, enrolled from sample1
DEMO_W001_WALK=(sample3 1064 257 250)    # ... walks up in sample3
DEMO_W002_ENROL=(sample6 1150 352 232)   # enrolled, does not come today
DEMO_W003_ENROL=(sample6 237 539 220)    # enrolled, does not come today
DEMO_STRANGER_1=(sample2 868 250 209)    # not enrolled
DEMO_STRANGER_2=(sample5 360 943 203)    # not enrolled
DEMO_FPS=15

# demo_cut PHOTO X Y W OUT: the face with some of its surroundings (4:3), alone.
demo_cut() {
  local photo=$MODELS/demo/$1.jpg x=$2 y=$3 w=$4 out=$5
  local h=$((w * 12 / 5)) cw
  cw=$((h * 4 / 3))
  ffmpeg -v error -y -i "$photo" -vf "crop=$cw:$h:max(0\,min(iw-$cw\,$((x + w / 2 - cw / 2)))):max(0\,min(ih-$h\,$((y + w / 2 - h / 2))))" "$out"
}

# demo_walkup CUT OUT: two seconds of a face coming closer, from 27 px between the eyes (too small to decide on) to ~100.
demo_walkup() {
  ffmpeg -v error -y -loop 1 -framerate "$DEMO_FPS" -i "$1" \
    -vf "pad=3*iw:3*ih:iw:ih:color=0x202020,zoompan=z='1+0.1*on':d=30:x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':s=640x480:fps=$DEMO_FPS,format=yuvj420p" \
    -frames:v 30 -c:v mjpeg -q:v 3 "$2"
}

# demo_empty SECONDS OUT: the entrance with nobody there.
demo_empty() {
  ffmpeg -v error -y -f lavfi -i "color=c=0x202020:s=640x480:r=$DEMO_FPS:d=$1,format=yuvj420p" -c:v mjpeg -q:v 3 "$2"
}

demo_stream() {
  local work=$1
  demo_cut "${DEMO_W001_WALK[@]}" "$work/w001-walk.png"
  demo_cut "${DEMO_STRANGER_1[@]}" "$work/stranger-1.png"
  demo_cut "${DEMO_STRANGER_2[@]}" "$work/stranger-2.png"
  demo_empty 1.5 "$work/empty-long.mkv"
  demo_empty 1 "$work/empty.mkv"
  local part
  for part in w001-walk stranger-1 stranger-2; do
    demo_walkup "$work/$part.png" "$work/$part.mkv"
  done
  printf "file '%s'\n" empty-long.mkv stranger-1.mkv empty.mkv w001-walk.mkv empty.mkv stranger-2.mkv empty.mkv w001-walk.mkv empty.mkv \
    >"$work/parts.txt"
  (cd "$work" && ffmpeg -v error -y -f concat -safe 0 -i parts.txt -c copy stream.mkv)
}

# demo_port_taken HOST PORT: true when something accepts connections there.
demo_port_taken() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

demo() {
  local keep=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --keep) keep=1; shift ;;
      *) die "demo: unknown argument '$1' (expected --keep)" ;;
    esac
  done
  # The county's side runs here too: Mosquitto and PostgreSQL from Debian, each a throwaway instance of the demo's.
  setup mosquitto postgresql-15
  local work data
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # the folder is known now
  trap "link_down; rm -rf '$work'" EXIT
  data=$work/data
  # The daemon's own log is for problems; what it does is printed on stdout.
  export STATIONEDGE_Logging__LogLevel__Default=Warning

  say "enrolling three workers, each from a face cut out of a demo photo"
  demo_cut "${DEMO_W001_ENROL[@]}" "$work/w001.png"
  demo_cut "${DEMO_W002_ENROL[@]}" "$work/w002.png"
  demo_cut "${DEMO_W003_ENROL[@]}" "$work/w003.png"
  "$CLI" enroll --data "$data" --id W001 --name 王芳 --photo "$work/w001.png"
  "$CLI" enroll --data "$data" --id W002 --name 李娜 --photo "$work/w002.png"
  "$CLI" enroll --data "$data" --id W003 --name 张丽 --photo "$work/w003.png"

  say "the quality gate: a photo with the face far away is refused, saying why"
  ffmpeg -v error -y -i "$work/w001.png" -vf "pad=4*iw:4*ih:iw*3/2:ih*3/2:color=0x202020,scale=iw/4:-2" "$work/far.png"
  "$CLI" enroll --data "$data" --id W004 --name 陈静 --photo "$work/far.png" || true

  say "the county: its own broker, database and hub on loopback; the station syncs its visits to it"
  link_up "$work"

  say "the daemon: simulated GPIO; a camera stream of walk-ups (stranger, 王芳, stranger, 王芳 again within the 60 s cooldown)"
  demo_stream "$work"
  # The keeper's site runs in the daemon, on its default address. Another program (a second demo, a station) may hold
  # that port: then the demo runs without the site rather than fail.
  local site=http://127.0.0.1:8080 keeper_password=""
  if demo_port_taken 127.0.0.1 8080; then
    echo "the keeper's site is off for this demo: $site is taken by another program"
    export STATIONEDGE_KeeperSite__Enabled=false
  else
    echo "keeper site: $site (the door screen at $site/screen; the pages need a keeper account)"
    export STATIONEDGE_KeeperSite__Urls=$site
    if [ -n "$keep" ]; then
      keeper_password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12)
      printf '%s\n' "$keeper_password" | "$CLI" keeper add --name 值班 --data "$data" >/dev/null || die "demo: keeper add failed"
    fi
  fi
  env "${LINK_ENV[@]}" "$CLI" run --data "$data" --gpio sim --camera "$work/stream.mkv" --for 17

  say "the visit log"
  "$CLI" visits --data "$data"

  say "the county's database and the station's outbox"
  link_report "$data"
  [ -n "$keep" ] || { link_down; return 0; }

  # --keep: the station watches an empty entrance, the county's side stays up, until Ctrl-C or SIGTERM.
  env "${LINK_ENV[@]}" "$CLI" run --data "$data" --gpio sim --camera "lavfi:color=c=0x202020:s=640x480:r=$DEMO_FPS" >"$work/idle-run.log" 2>&1 &
  local station=$!
  say "left running (--keep) until Ctrl-C: the station, the county hub, its broker and database"
  echo "county site: http://127.0.0.1:$LINK_SITE_PORT  account $LINK_SITE_USER  password $LINK_SITE_PASSWORD"
  [ -z "$keeper_password" ] || echo "keeper site: $site  account 值班  password $keeper_password"
  # shellcheck disable=SC2064 # the pid is known now
  trap "kill -TERM $station 2>/dev/null" INT TERM
  wait "$station" || true
  wait "$station" 2>/dev/null || true
  link_down
}
