# Conclave: the two commands are `make run` and `make test` (README.md).
# Every target first runs scripts/setup.sh, which installs only what is missing.

.PHONY: run test setup build client deb image bench bench-mls bench-sframe bench-srtp bench-udp-receive bench-load bench-loops clean fuzz

setup:
	@bash scripts/setup.sh

client: setup
	@bash scripts/build-client.sh

build: client
	dotnet build Appliance.sln -c Release --nologo -v quiet

run: build
	@bash scripts/run-daemon.sh

test: build
	@bash scripts/run-tests.sh

# The Debian package the appliance image installs (image/package/build-deb.sh): artifacts/deb/.
deb: client
	@bash image/package/build-deb.sh

# The appliance image (image/build.sh): artifacts/image/{root.img,vmlinuz,initrd.img}, the package
# rebuilt first when its inputs changed. make test's boot test (tests/Conclave.Appliance.Tests)
# builds it with --test-layer itself when it is out of date.
image: client
	@bash image/build.sh

bench: build
	dotnet run -c Release --no-build --project bench/Conclave.Media.Benchmarks -- --filter '*'
	dotnet run -c Release --no-build --project bench/Conclave.Keys.Benchmarks -- --filter '*'
	dotnet run -c Release --no-build --project bench/Conclave.Meetings.Benchmarks -- --filter '*'
	dotnet run -c Release --no-build --project bench/Conclave.Crypto.Benchmarks -- --filter '*'
	dotnet run -c Release --no-build --project bench/Conclave.Recording.Benchmarks -- --filter '*'

# The browser's MLS layer (client/src/e2ee/mls.ts) under Node: join, commit and remove costs at
# 8, 50 and 200 members.
bench-mls: setup
	cd src/Conclave.Web/client && npx --no-install esbuild ../../../bench/mls/mls-bench.ts --bundle \
	  --platform=node --format=esm --outfile=../../../artifacts/bench-mls/mls-bench.mjs --log-level=warning
	node artifacts/bench-mls/mls-bench.mjs

bench-sframe: setup
	cd src/Conclave.Web/client && npx --no-install esbuild ../../../bench/sframe/sframe-bench.ts --bundle \
	  --platform=node --format=esm --outfile=../../../artifacts/bench-sframe/sframe-bench.mjs --log-level=warning
	node artifacts/bench-sframe/sframe-bench.mjs

# SRTP GCM against the C floor (OpenSSL EVP, as libsrtp uses it), alternating in three rounds.
bench-srtp: build
	@bash bench/srtp-floor/run.sh

# Ingress: one recvfrom per datagram (what the media loop does) against recvmmsg batches, in C.
bench-udp-receive:
	@bash bench/udp-receive/run.sh

# conclaved and Janus 1.1.2 under the same synthetic meeting load (werift participants, SFrame-sealed
# media), in turns, in one private network namespace: CPU per forwarded packet, loss, latency
# (bench/load/README.md). Installs Janus and gnuplot from Debian when missing.
bench-load: build
	@bash bench/load/run.sh

# The media loops in-process on real UDP sockets of 127.0.0.1: 1 against 2 loops at saturation, and the
# latency they add at half that load against the same path with no SFU (bench/Conclave.Media.Load/README.md).
# Its options go in LOOPS_ARGS, e.g. `make bench-loops LOOPS_ARGS="--rounds 1"`.
bench-loops: build
	dotnet run -c Release --no-build --project bench/Conclave.Media.Load -- $(LOOPS_ARGS)

# Not part of `make test`; scripts/fuzz.sh installs afl++ and the sharpfuzz tool when missing.
TARGET ?= all
SECONDS ?= 480
fuzz:
	@bash scripts/fuzz.sh $(TARGET) $(SECONDS)

clean:
	rm -rf src/*/bin src/*/obj tests/*/bin tests/*/obj bench/*/bin bench/*/obj src/Conclave.Web/wwwroot/js artifacts
