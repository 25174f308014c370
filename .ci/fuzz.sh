#!/usr/bin/env bash
# Fuzzes each Jazzer target for a short while (60 s each: the maxDuration of its @FuzzTest) and fails on any finding.
# One Maven invocation per target, because Jazzer fuzzes only one @FuzzTest per JVM. A target is
# [module:]Class#method; without a module it is throng-core's.
#
#   .ci/fuzz.sh                  # every target
#   .ci/fuzz.sh FrameParserFuzzTest#parsesArbitraryReadsAsOneRead
#   .ci/fuzz.sh throng-gateway:ClientMessageFuzzTest#parsesAnyFrameIntoAMessageOrAnError
#
# Findings: Jazzer writes the input (crash-*, timeout-*) into the target's seed directory under
# <module>/src/test/resources/dev/throng/<package>/fuzz/<Class>Inputs/<method>/, where every plain `mvn test` then
# replays it as a regression test; commit it together with the fix. The generated corpus is kept in
# <module>/.cifuzz-corpus/ (not committed) so that later runs start from it.
#
# Without JAZZER_FUZZ (every ordinary build) the same tests only replay their seed directories, in a few seconds.
set -euo pipefail

cd "$(dirname "$0")/.."

TARGETS=(
  "throng-core:FrameParserFuzzTest#parsesArbitraryReadsAsOneRead"
  "throng-core:HandshakeFuzzTest#decodesAndValidatesArbitraryRequests"
  "throng-core:HandshakeFuzzTest#parsesRequestHeadsAsNettysDecoderDoes"
  "throng-core:HandshakeFuzzTest#negotiatesArbitraryExtensionHeaders"
  "throng-gateway:ClientMessageFuzzTest#parsesAnyFrameIntoAMessageOrAnError"
)
if [[ $# -gt 0 ]]; then
  TARGETS=("$@")
fi

BUILD_DIR="${THRONG_FUZZ_BUILD_DIR:-target-fuzz}"   # its own output folder: runs beside other builds
# Every module's seed directories, where Jazzer writes its findings.
SEEDS=(throng-*/src/test/resources/dev/throng/*/fuzz)
# A run is 60 s of fuzzing plus JVM start and instrumentation; past this it is stuck, and that is a failure too.
HARD_LIMIT="${THRONG_FUZZ_HARD_LIMIT:-600}"

# Extra Maven flags, e.g. THRONG_FUZZ_MVN_FLAGS=-o on a machine without network.
read -r -a MVN_FLAGS <<<"${THRONG_FUZZ_MVN_FLAGS:-}"

findings_before="$(find "${SEEDS[@]}" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)"
failed=()
for target in "${TARGETS[@]}"; do
  module="throng-core"
  test="${target}"
  if [[ "${target}" == *:* ]]; then
    module="${target%%:*}"
    test="${target#*:}"
  fi
  log_dir="${module}/${BUILD_DIR}/fuzz-logs"
  mkdir -p "${log_dir}"
  log="${log_dir}/${test//#/_}.log"
  echo "== fuzzing ${module}:${test} (log: ${log})"
  status=0
  # -am: the module's reactor dependencies are built too (into their own ${BUILD_DIR}), never taken from ~/.m2;
  # their tests do not match -Dtest and do not run.
  JAZZER_FUZZ=1 timeout "${HARD_LIMIT}" mvn -B "${MVN_FLAGS[@]}" -pl "${module}" -am test \
      -Dthrong.buildDir="${BUILD_DIR}" -Dtest="${test}" -Dsurefire.failIfNoSpecifiedTests=false \
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

findings_after="$(find "${SEEDS[@]}" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)"
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
