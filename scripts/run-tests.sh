#!/usr/bin/env bash
# Runs the browser client's Node tests (scripts/test-client.sh), then every test project, one
# after another: the browser tests need the machine's two cores to themselves
# (docs/architecture.md: four browser participants is the ceiling).
# The closing line "N passed, N failed" sums them all up.
set -uo pipefail
cd "$(dirname "$0")/.."
results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"
status=0
echo "== client"
bash scripts/test-client.sh 2>&1 | tee "$results/client.txt"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
for project in tests/*/*.csproj; do
  # tests/Conclave.Testing is the helpers' library, not a test project.
  grep -q '<IsTestProject>true</IsTestProject>' "$project" || continue
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=normal" 2>&1 | tee "$results/$name.log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
done
passed=$(cat "$results"/*.log | grep -Eo 'Passed: +[0-9]+' | awk '{s+=$2} END {print s+0}')
failed=$(cat "$results"/*.log | grep -Eo 'Failed: +[0-9]+' | awk '{s+=$2} END {print s+0}')
read -r client_passed client_failed < <(awk '/^client: [0-9]+ passed, [0-9]+ failed/ {p = $2; f = $4} END {print p + 0, f + 0}' "$results/client.txt")
passed=$((passed + client_passed))
failed=$((failed + client_failed))
# The names of what failed, last, so the tail of a CI log says what to look at.
grep -h -E '^\s+Failed [A-Za-z]' "$results"/*.log | sed 's/^ */failed: /'
grep -h -E '^not ok |^# fail|^✖' "$results/client.txt" | sed 's/^/failed (client): /' | head -20
echo "${passed} passed, ${failed} failed"
exit $status
