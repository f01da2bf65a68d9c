#!/usr/bin/env bash
# Build the real peer tools the interop tests run (Go only, never committed) into
# ${OCITUI_PEERS_DIR:-$HOME/.cache/ocitui-peers}/bin. Pinned versions; a tool that does not
# build is reported and skipped here (its tests then fail under OCITUI_REQUIRE_E2E=1 only if
# they are marked as requiring it).
set -uo pipefail
DEST="${OCITUI_PEERS_DIR:-$HOME/.cache/ocitui-peers}"
mkdir -p "$DEST/bin"
export GOBIN="$DEST/bin" GOFLAGS="-trimpath" CGO_ENABLED=0
build() {
  local name="$1" module="$2"
  if [ -x "$DEST/bin/$name" ] && [ -f "$DEST/bin/.$name.version" ] \
     && [ "$(cat "$DEST/bin/.$name.version")" = "$module" ]; then
    echo "peer $name: cached ($module)"; return 0
  fi
  local start=$SECONDS
  if go install "$module" >"$DEST/$name.log" 2>&1; then
    echo "$module" >"$DEST/bin/.$name.version"
    echo "peer $name: built $module in $((SECONDS - start)) s"
  else
    echo "peer $name: DID NOT BUILD ($module); see $DEST/$name.log"; tail -3 "$DEST/$name.log"
  fi
}
build oras oras.land/oras/cmd/oras@v1.3.6
build crane github.com/google/go-containerregistry/cmd/crane@v0.22.1
build regctl github.com/regclient/regclient/cmd/regctl@v0.11.7
build cosign github.com/sigstore/cosign/v3/cmd/cosign@v3.1.3
# The distribution-spec conformance suite is a Go test package: compile it to a binary.
if [ ! -x "$DEST/bin/conformance.test" ]; then
  start=$SECONDS
  tmp="$(mktemp -d)"
  ( cd "$tmp" && go mod init peers >/dev/null 2>&1 \
    && go get github.com/opencontainers/distribution-spec/conformance@v0.0.0-20260831232431-97274622c111 >"$DEST/conformance.log" 2>&1 \
    && go test -c -o "$DEST/bin/conformance.test" github.com/opencontainers/distribution-spec/conformance >>"$DEST/conformance.log" 2>&1 ) \
    && echo "peer conformance: built in $((SECONDS - start)) s" \
    || { echo "peer conformance: DID NOT BUILD; see $DEST/conformance.log"; tail -3 "$DEST/conformance.log"; }
  rm -rf "$tmp"
else
  echo "peer conformance: cached"
fi
