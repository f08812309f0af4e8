#!/bin/bash
# `sluicectl check` and `status` report transparent-proxy rules left over
# from an older setup, each with a fix that removes it: iptables-nft
# (xt TPROXY/REDIRECT inside nftables tables), iptables-legacy and
# ip6tables-legacy, native nft tproxy/redirect statements (also behind a
# jump); rules no hook reaches are not reported; a clean namespace
# reports nothing (exit 0); an unprivileged user is told the rules could
# not be checked (never "clean").
# timeout: 600
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

ctl() { ip netns exec gw "$SLUICECTL" "$@"; }

load_sluice
topo_basic
ctl set mode tproxy lan lan0 wan wan0 enabled on

# clean: exit 0, nothing in --json, no warnings section in status
clean() {
	local out
	out=$(ctl check) || fail "check on a clean namespace ($1): exit $?: $out"
	assert_eq "no warnings" "$out" "check output, clean ($1)"
	assert_eq '{"warnings":[]}' "$(ctl check --json)" "check --json, clean ($1)"
	[[ $(ctl status) != *warning* ]] || fail "status warns on a clean namespace ($1)"
}
# reported REGEX: check exits 1, one warning matching REGEX; runs its fix
# (the command line in "fix") and checks the namespace is clean again
reported() {
	local re=$1 out rc=0 fix
	out=$(ctl check) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "check exit status with a leftover rule"
	assert_eq 1 "$(grep -c '^warning: ' <<<"$out")" "number of warnings"
	assert_match "$re" "$out" "warning text"
	assert_match '"kind":"proxy-rule"' "$(ctl check --json || true)" "check --json"
	assert_match "warnings:"$'\n'"  warning: " "$(ctl status)" "status shows it"
	fix=$(sed -n 's/^  fix: //p' <<<"$out")
	[[ -n $fix ]] || fail "no fix given: $out"
	# shellcheck disable=SC2086 # the fix is a command line
	in_gw $fix || fail "the fix failed: $fix"
	clean "after: $fix"
}

clean "fresh"
# what the checks cost `status` (it runs nft -j list ruleset each time)
t0=${EPOCHREALTIME/./}
for _ in 1 2 3 4 5; do ctl status --json >/dev/null; done
t1=${EPOCHREALTIME/./}
for _ in 1 2 3 4 5; do in_gw nft -j list ruleset >/dev/null; done
t2=${EPOCHREALTIME/./}
echo "status --json: $(((t1 - t0) / 5000)) ms each; nft -j list ruleset alone: $(((t2 - t1) / 5000)) ms"

echo "== iptables-nft: TPROXY behind a jump"
in_gw iptables-nft -t mangle -N V2RAY
in_gw iptables-nft -t mangle -A PREROUTING -i lan0 -j V2RAY
in_gw iptables-nft -t mangle -A V2RAY -p tcp -j TPROXY --on-port 12345 --tproxy-mark 0x1/0x1
reported 'nftables: TPROXY \(iptables-nft\) rule in table ip mangle, chain V2RAY \(reached from PREROUTING\), hook prerouting priority -150'
in_gw iptables-nft -t mangle -F && in_gw iptables-nft -t mangle -X

echo "== ip6tables-nft: REDIRECT"
in_gw ip6tables-nft -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 3128
reported 'nftables: REDIRECT \(iptables-nft\) rule in table ip6 nat, chain PREROUTING, hook prerouting priority -100 .*runs after sluice'

echo "== iptables-legacy: REDIRECT"
in_gw iptables-legacy -t nat -A PREROUTING -i lan0 -p tcp -j REDIRECT --to-ports 12345
reported 'iptables-legacy: REDIRECT rule in table ip nat, chain PREROUTING, hook prerouting priority -100'

echo "== ip6tables-legacy: TPROXY behind a jump"
in_gw ip6tables-legacy -t mangle -N DIVERT
in_gw ip6tables-legacy -t mangle -A PREROUTING -j DIVERT
in_gw ip6tables-legacy -t mangle -A DIVERT -p udp -j TPROXY --on-port 12346 --tproxy-mark 0x1/0x1
reported 'ip6tables-legacy: TPROXY rule in table ip6 mangle, chain DIVERT \(reached from PREROUTING\)'

echo "== nft: tproxy behind a jump, redirect in output"
in_gw nft -f - <<-'EOF2'
	table inet proxy {
		chain pre {
			type filter hook prerouting priority mangle - 5; policy accept;
			iifname "lan0" jump divert
		}
		chain divert {
			meta l4proto tcp tproxy ip to :12345 meta mark set 1 accept
		}
		chain unused {
			meta l4proto udp tproxy ip to :12345
		}
	}
EOF2
reported 'nftables: tproxy rule in table inet proxy, chain divert \(reached from pre\), hook prerouting priority -155 .*runs before sluice'
in_gw nft add table ip proxy2
in_gw nft add chain ip proxy2 out '{ type nat hook output priority -100; }'
in_gw nft add rule ip proxy2 out tcp dport 80 redirect to :3128
reported 'nftables: redirect rule in table ip proxy2, chain out, hook output priority -100 .*own outgoing flows'

echo "== all at once, and the sysctl warning with them"
in_gw iptables-nft -t mangle -A PREROUTING -p udp -j TPROXY --on-port 12345 --tproxy-mark 0x1/0x1
in_gw iptables-legacy -t mangle -A PREROUTING -p tcp -j TPROXY --on-port 12345 --tproxy-mark 0x1/0x1
in_gw nft add rule inet proxy divert meta l4proto udp tproxy ip to :12345
in_gw sysctl -qw net.ipv4.conf.all.src_valid_mark=1
out=$(ctl check) && fail "check exit 0 with 4 warnings"
echo "$out"
assert_eq 4 "$(grep -c '^warning: ' <<<"$out")" "warnings, all at once"
assert_eq 4 "$(ctl check --json | grep -o '"kind":' | grep -c .)" "--json warnings, all at once"
assert_match '"kind":"src_valid_mark"' "$(ctl status --json)" "status --json"

echo "== an unprivileged user cannot check (nor read sluice's config): said so, not clean"
rc=0
out=$(ip netns exec gw setpriv --reuid=65534 --regid=65534 --clear-groups "$SLUICECTL" check 2>&1) || rc=$?
echo "$out"
assert_eq 1 "$rc" "check as nobody: exit status"
assert_match 'permission denied: sluice needs CAP_NET_ADMIN' "$out" "check as nobody"
