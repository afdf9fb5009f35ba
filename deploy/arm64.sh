# shellcheck shell=bash
# Sourced by deploy.sh: the self-contained publish for a Pi, and `./deploy.sh arm64`, which runs that build here
# under QEMU user mode and checks it against the x64 one.

# What the arm64 build needs on an x64 machine: the emulator and the arm64 halves of the libraries it loads.
# Not ffmpeg:arm64 (it would remove the amd64 ffmpeg): the arm64 process starts the host's x64 ffmpeg, which the
# kernel runs natively, and reads its frames from a pipe as it does on a Pi.
APT_ARM64=(qemu-user-static python3 libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 zlib1g:arm64 libicu72:arm64 libssl3:arm64 libgpiod2:arm64)

# A Raspberry Pi 4's CPU. QEMU's default `max` CPU makes one MobileFaceNet run take ~45 s instead of ~2 s.
ARM64_QEMU_CPU=cortex-a72

# publish_self_contained RID: the station-edge command line with the .NET runtime inside, for a machine that has no
# .NET, in out/RID/station-edge. Prints that folder.
publish_self_contained() {
  local rid=$1 dir="$OUT/$1/station-edge"
  dotnet publish "$ROOT/edge/StationEdge.Cli" -c Release -r "$rid" --self-contained true -o "$dir" \
    -nologo -clp:ErrorsOnly -v:q >&2 || die "dotnet publish -r $rid failed"
  echo "$dir"
}

# A Raspberry Pi 4's /proc/cpuinfo (Cortex-A72 cores, without the board lines Hardware, Revision and Model, so
# nothing takes the emulator for a real Pi), one entry per CPU this machine has, as /sys says.
write_arm64_cpuinfo() {
  local n
  for ((n = 0; n < $(getconf _NPROCESSORS_CONF); n++)); do
    printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\n' "$n"
    printf 'CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n'
  done >"$1"
}

# run_arm64 CPUINFO EXE ARGS...: runs an arm64 executable under qemu-aarch64-static (binfmt_misc is not needed).
# ONNX Runtime's CPU detection reads /proc/cpuinfo; under QEMU 7.2 that is the host's x86 text and the library
# crashes at load. The process gets CPUINFO instead, bound over /proc/cpuinfo in a mount namespace of its own, so
# nothing outside it changes. (QEMU 10 from bookworm-backports emulates the file itself, but it would be a second
# QEMU from outside the release, fetched over the network; this needs nothing beyond qemu-user-static.)
run_arm64() {
  local userns=()
  [ "$(id -u)" -eq 0 ] || userns=(--map-root-user)
  # shellcheck disable=SC2016 # $0 and $@ are the inner sh's
  QEMU_CPU=$ARM64_QEMU_CPU unshare --mount --propagation private "${userns[@]}" \
    sh -c 'mount --bind "$0" /proc/cpuinfo && exec qemu-aarch64-static "$@"' "$@"
}

arm64_prerequisites() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    say "adding the arm64 architecture to dpkg (for the arm64 libraries)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo dpkg --add-architecture arm64
  fi
  need_apt "${APT_ARM64[@]}"
}

# arm64_checks: after setup (the x64 build and the models). Prints one line, "arm64: N checks passed", or names
# each check that failed and returns 1.
arm64_checks() {
  arm64_prerequisites
  say "arm64: publishing for linux-arm64 and running it under QEMU ($ARM64_QEMU_CPU)"
  local exe work="$OUT/arm64-checks"
  exe="$(publish_self_contained linux-arm64)/station-edge" || return 1
  # What each check printed stays here for a look after a failure.
  rm -rf "$work" && mkdir -p "$work"
  write_arm64_cpuinfo "$work/cpuinfo"
  local passed=0 failed=()

  # doctor: the ONNX Runtime library that came with the package, every model hash, ffmpeg and libgpiod load.
  if run_arm64 "$work/cpuinfo" "$exe" doctor --models "$MODELS" >"$work/doctor" 2>&1; then
    passed=$((passed + 1))
  else
    grep -E '^FAIL|fix:|station-edge:' "$work/doctor" >&2 || cat "$work/doctor" >&2
    failed+=("doctor")
  fi

  # detect: the same faces with the same embeddings as the x64 build, on one demo photo.
  local photo="$MODELS/demo/sample1.jpg"
  if ! "$CLI" detect --photo "$photo" --models "$MODELS" --json --embedding >"$work/x64.json" 2>"$work/x64.err"; then
    cat "$work/x64.err" >&2
    failed+=("detect (the x64 reference run failed)")
  elif ! run_arm64 "$work/cpuinfo" "$exe" detect --photo "$photo" --models "$MODELS" --json --embedding >"$work/arm64.json" 2>"$work/arm64.err"; then
    cat "$work/arm64.err" >&2
    failed+=("detect")
  elif python3 "$ROOT/tests/arm64/same_embeddings.py" "$work/x64.json" "$work/arm64.json" 1e-3 >"$work/compare" 2>&1; then
    passed=$((passed + 1))
  else
    cat "$work/compare" >&2
    failed+=("detect (embeddings differ from x64)")
  fi

  # door-sim: one scenario, every output line exactly as expected.
  if run_arm64 "$work/cpuinfo" "$exe" door-sim <"$ROOT/tests/arm64/door-sim-scenario.jsonl" >"$work/door-sim" 2>&1 \
    && diff -u "$ROOT/tests/arm64/door-sim-expected.jsonl" "$work/door-sim" >"$work/door-sim.diff"; then
    passed=$((passed + 1))
  else
    if [ -s "$work/door-sim.diff" ]; then cat "$work/door-sim.diff" >&2; else cat "$work/door-sim" >&2; fi
    failed+=("door-sim")
  fi

  if [ ${#failed[@]} -gt 0 ]; then
    local names
    names=$(printf '%s, ' "${failed[@]}")
    echo "arm64: ${#failed[@]} of $((passed + ${#failed[@]})) checks failed: ${names%, } (output in $work)"
    return 1
  fi
  echo "arm64: $passed checks passed"
}
