#!/usr/bin/env bash
# Generates HighLevel's raw documents with `codegen --lenient`: each document
# alone (does it generate?), then each set (v2: apps/*.json + common/, v3:
# apps/v3/*.json + apps/v3/common/) into a scratch copy of ghl-client that is
# `cargo check`ed once per set; a document counts when it generated alone and
# its module has no compile error.
set -u
WS=${WS:-$(cd "$(dirname "$0")/../.." && pwd)}
REF=${REF:-$WS/../shared/reference/ghl-openapi}
S=${SCRATCH:-/tmp/ghl-raw}
(cd $WS && cargo build -q -p xtask) || exit 1
XT=$WS/target/debug/xtask
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/ghl-raw-target}
rm -rf $S; mkdir -p $S
status=0
for set in v2 v3; do
  if [ $set = v2 ]; then docs=$REF/apps; common=$REF/common/common-schemas.json; else docs=$REF/apps/v3; common=$REF/apps/v3/common/common-schemas.json; fi
  W=$S/$set; mkdir -p $W/spec/common $W/one
  cp $docs/*.json $W/spec/; cp $common $W/spec/common/
  total=0; gen=0; : > $W/gen-ok.txt
  for f in $docs/*.json; do
    n=$(basename $f .json); d=$W/one/$n; mkdir -p $d/common; cp $f $d/; cp $common $d/common/
    total=$((total+1))
    if $XT codegen --lenient --spec $d --out $d/out >$d/log 2>&1; then gen=$((gen+1)); echo $n >> $W/gen-ok.txt; fi
  done
  # Scratch workspace: the workspace manifest (ghl-client only) and ghl-client with its generated dir replaced.
  mkdir -p $W/ws; cp $WS/Cargo.toml $WS/Cargo.lock $W/ws/; cp -r $WS/ghl-client $W/ws/; rm -rf $W/ws/ghl-client/src/generated
  python3 - "$W/ws/Cargo.toml" <<'PY'
import sys,re
p=sys.argv[1]; s=open(p).read()
s=re.sub(r'members\s*=\s*\[[^\]]*\]','members = ["ghl-client"]',s,flags=re.S)
open(p,'w').write(s)
PY
  # ghl-client's dev-dependencies on the workspace's other crates are not in the scratch copy.
  sed -i -E '/^[a-z_-]+ = \{ path = "\.\.\/(tests|codegen)" \}/d' $W/ws/ghl-client/Cargo.toml
  $XT codegen --lenient --spec $W/spec --out $W/ws/ghl-client/src/generated --manifest $W/ws/ghl-client/Cargo.toml > $W/all.log 2>&1 || { echo "$set: combined generation failed"; tail -5 $W/all.log; }
  # Our spec's webhook feature is named by hand-written features; raw documents have none.
  grep -q '^webhook_events' $W/ws/ghl-client/Cargo.toml || sed -i 's/^# END GENERATED FEATURES/webhook_events = []\n# END GENERATED FEATURES/' $W/ws/ghl-client/Cargo.toml
  (cd $W/ws && cargo check -p ghl-client --features full,contract-samples --message-format short > $W/check.log 2>&1); rc=$?
  grep -oE "^ghl-client/src/generated/[^:]+:[0-9]+:[0-9]+: error" $W/check.log | cut -d: -f1 | sort | uniq -c > $W/bad-files.txt
  good=0
  for n in $(cat $W/gen-ok.txt); do
    m=$(echo $n | tr '-' '_'); grep -q "generated/$m.rs" $W/bad-files.txt || good=$((good+1))
  done
  [ $rc -ne 0 ] && [ ! -s $W/bad-files.txt ] && { echo "$set: cargo check failed outside the modules:"; grep -m5 -E "error" $W/check.log; good=0; }
  echo "$set: $gen/$total generate alone; $good/$total generate and compile (cargo check exit $rc)"
  cat $W/bad-files.txt
  [ $gen -eq $total ] && [ $good -eq $total ] || status=1
done
exit $status
