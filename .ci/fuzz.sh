#!/usr/bin/env bash
# Fuzzes each Jazzer target of throng-core for a short while (60 s each: the maxDuration of its @FuzzTest) and fails on
# any finding. One Maven invocation per target, because Jazzer fuzzes only one @FuzzTest per JVM.
#
#   .ci/fuzz.sh                  # every target
#   .ci/fuzz.sh FrameParserFuzzTest#parsesArbitraryReadsAsOneRead
#
# Findings: Jazzer writes the input (crash-*, timeout-*) into the target's seed directory under
# throng-core/src/test/resources/dev/throng/core/fuzz/<Class>Inputs/<method>/, where every plain `mvn test` then replays
# it as a regression test; commit it together with the fix. The generated corpus is kept in throng-core/.cifuzz-corpus/
# (not committed) so that later runs start from it.
#
# Without JAZZER_FUZZ (every ordinary build) the same tests only replay their seed directories, in a few seconds.
set -euo pipefail

cd "$(dirname "$0")/.."

TARGETS=(
  "FrameParserFuzzTest#parsesArbitraryReadsAsOneRead"
  "HandshakeFuzzTest#decodesAndValidatesArbitraryRequests"
  "HandshakeFuzzTest#parsesRequestHeadsAsNettysDecoderDoes"
  "HandshakeFuzzTest#negotiatesArbitraryExtensionHeaders"
)
if [[ $# -gt 0 ]]; then
  TARGETS=("$@")
fi

BUILD_DIR="${THRONG_FUZZ_BUILD_DIR:-target-fuzz}"   # its own output folder: runs beside other builds
LOG_DIR="throng-core/${BUILD_DIR}/fuzz-logs"
SEEDS="throng-core/src/test/resources/dev/throng/core/fuzz"
# A run is 60 s of fuzzing plus JVM start and instrumentation; past this it is stuck, and that is a failure too.
HARD_LIMIT="${THRONG_FUZZ_HARD_LIMIT:-600}"

# Extra Maven flags, e.g. THRONG_FUZZ_MVN_FLAGS=-o on a machine without network.
read -r -a MVN_FLAGS <<<"${THRONG_FUZZ_MVN_FLAGS:-}"

mkdir -p "${LOG_DIR}"

findings_before="$(find "${SEEDS}" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)"
failed=()
for target in "${TARGETS[@]}"; do
  log="${LOG_DIR}/${target//#/_}.log"
  echo "== fuzzing ${target} (log: ${log})"
  status=0
  JAZZER_FUZZ=1 timeout "${HARD_LIMIT}" mvn -B "${MVN_FLAGS[@]}" -pl throng-core test \
      -Dthrong.buildDir="${BUILD_DIR}" -Dtest="${target}" -Dsurefire.failIfNoSpecifiedTests=false \
      >"${log}" 2>&1 || status=$?
  # libFuzzer's last words: "Done 2615803 runs in 61 second(s)".
  done_line="$(grep -aE '^Done [0-9]+ runs in [0-9]+ second' "${log}" | tail -1 || true)"
  if [[ -n "${done_line}" ]]; then
    runs="$(awk '{print $2}' <<<"${done_line}")"
    secs="$(awk '{print $5}' <<<"${done_line}")"
    echo "   ${runs} inputs in ${secs} s: $(( runs / (secs > 0 ? secs : 1) )) exec/s"
    grep -aE '^#[0-9]+.*(cov|ft):' "${log}" | tail -1 | sed 's/^/   last status: /' || true
  fi
  if [[ ${status} -ne 0 ]]; then
    if [[ ${status} -eq 124 ]]; then
      echo "!! ${target} FAILED: still running after ${HARD_LIMIT} s"
    else
      echo "!! ${target} FAILED (exit ${status})"
    fi
    grep -aE 'ERROR\]|== Java Exception|FuzzerSecurityIssue|libFuzzer: |Test unit written|AssertionError|Exception:' \
      "${log}" | grep -v 'Instrumented' | head -30 | sed 's/^/   /'
    failed+=("${target}")
  elif [[ -z "${done_line}" ]]; then
    echo "!! ${target} did not fuzz (no libFuzzer summary in the log): is JAZZER_FUZZ honoured?"
    failed+=("${target}")
  fi
done

findings_after="$(find "${SEEDS}" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)"
new_findings="$(comm -13 <(echo "${findings_before}") <(echo "${findings_after}") | sed '/^$/d' || true)"
if [[ -n "${new_findings}" ]]; then
  echo "New findings (replayed by every mvn test from now on; commit them with the fix):"
  sed 's/^/   /' <<<"${new_findings}"
fi

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "OK: ${#TARGETS[@]} fuzz target(s), no findings"
