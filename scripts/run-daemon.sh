#!/usr/bin/env bash
# Starts conclaved in the foreground with development defaults (README.md), after
# making sure the development token exists and holds every role key.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE="$PWD/.state"
# The state holds password hashes and the audit log: its owner's alone (conclaved refuses otherwise).
mkdir -p -m 700 "$STATE"
chmod 700 "$STATE"
CTL=(dotnet src/Conclave.Cli/bin/Release/net10.0/conclavectl.dll --state-dir "$STATE" --dev)
"${CTL[@]}" token init
# Development tokens provisioned before the compliance token existed hold an escrow key
# (conclave-compliance-escrow); conclaved refuses to start while its token holds one.
if "${CTL[@]}" token objects | grep -q 'conclave-compliance-'; then
  echo "The development token holds a compliance key from an older token provision; removing it (escrow keys live on the compliance token now):"
  "${CTL[@]}" token remove-escrow-key --yes
fi
"${CTL[@]}" token provision
echo "Development token: $STATE/softhsm (PIN in $STATE/token-pin, mode 0600). Inspect it with: ${CTL[*]} token status"
exec dotnet src/Conclave.Daemon/bin/Release/net10.0/conclaved.dll --Conclave:StateDirectory="$STATE" "$@"
