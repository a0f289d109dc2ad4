# The two set-up commands of the README (`make run`, `make test`) work on a fresh clone:
# they install what is missing, build, and then run.
NODE_MODULES_STAMP := node_modules/.aintegrix-installed

.PHONY: run test build bench bench-quick test-real clean

$(NODE_MODULES_STAMP): package.json package-lock.json
	@if [ -d node_modules ]; then npm install --no-audit --no-fund; else npm ci --no-audit --no-fund; fi
	@touch $@

# the web console (src/ui/client): type-checked with its own tsconfig (DOM), bundled into dist/ui by esbuild
build: $(NODE_MODULES_STAMP)
	@node_modules/.bin/tsc -p tsconfig.json
	@node_modules/.bin/tsc -p src/ui/client/tsconfig.json
	@node scripts/build-console.mjs --quiet

run: build
	@node dist/src/cli/main.js serve $(ARGS)

test: build
	@sh scripts/ensure-system-packages.sh
	@node scripts/run-tests.mjs $(TESTS)

bench: build
	@sh scripts/bench-tools.sh
	@ulimit -n 4096 2>/dev/null; node dist/bench/run.js

bench-quick: build
	@sh scripts/bench-tools.sh
	@ulimit -n 4096 2>/dev/null; node dist/bench/run.js --quick

test-real: build
	@sh scripts/ensure-system-packages.sh
	@node scripts/test-real.mjs

clean:
	rm -rf dist
