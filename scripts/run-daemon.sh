#!/usr/bin/env bash
# Starts conclaved in the foreground with development defaults (README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .state
exec dotnet src/Conclave.Daemon/bin/Release/net10.0/conclaved.dll --Conclave:StateDirectory="$PWD/.state" "$@"
