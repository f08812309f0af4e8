#!/bin/bash
# timeout: 400
# Privilege and limits.  Every command of the uapi, read-only ones too
# (sent raw by sluice-nlfuzz perm, malformed too), is refused with EPERM
# for: an unprivileged user; a socket opened by
# root and used after dropping to nobody; the root of a user namespace
# without CAP_NET_ADMIN over the target namespace (the initial one, and
# one made by `ip netns add`, both owned by the initial user namespace).
# Nothing changes in either.  The root of a user namespace that owns its
# network namespace configures that namespace (GENL_UNS_ADMIN_PERM) and
# nothing else.  Every command refuses the attributes it does not take.
# Then the edges of every limit (sluice-nlfuzz limits).
. "$(dirname "$0")/../lib.sh"

CTL=$SLUICECTL
NLFUZZ=$SLUICE_REPO/tests/tools/sluice-nlfuzz
[[ -x $NLFUZZ ]] || fail "missing $NLFUZZ (make -C tests/tools)"
command -v unshare >/dev/null || fail "unshare (util-linux) missing"

load_sluice max_entries=64
ip netns add target
tg() { ip netns exec target "$@"; }
$CTL set port 3000
$CTL add 192.0.2.0/24
tg "$CTL" set port 2000
tg "$CTL" add 198.51.100.0/24 source t

snap() {
	local ns
	for ns in "" target; do
		${ns:+ip netns exec $ns} "$CTL" status --json | jq -S -c 'del(.counters)'
		${ns:+ip netns exec $ns} "$CTL" list --json
	done
}
snap >before.txt

# perm_check WHAT CMD...: CMD must pass and print its verdict per command.
perm_check() {
	local what=$1 out c
	shift
	if ! out=$("$@" 2>&1); then
		echo "$out"
		fail "$what: a command was not refused"
	fi
	# A change, a read and a dump, each refused (the tool checks all).
	for c in SET_CONFIG GET_CONFIG WL_GET; do
		grep -Eq "^ok +$c +EPERM" <<<"$out" || {
			echo "$out"
			fail "$what: no EPERM verdict for $c"
		}
	done
	echo "$what: $(tail -n1 <<<"$out")"
}
unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }

perm_check "unprivileged user, initial namespace" unpriv "$NLFUZZ" perm eperm
perm_check "unprivileged user, target namespace" tg setpriv --reuid=65534 \
	--regid=65534 --clear-groups --inh-caps=-all "$NLFUZZ" perm eperm
perm_check "root's socket after dropping to nobody" "$NLFUZZ" perm eperm --drop
perm_check "the same in the target namespace" tg "$NLFUZZ" perm eperm --drop
# unshare -U -r: root (all capabilities) of a new user namespace, still
# in a network namespace owned by the initial user namespace.
perm_check "user-namespace root, initial namespace" unshare -U -r "$NLFUZZ" perm eperm
perm_check "user-namespace root, target namespace" tg unshare -U -r "$NLFUZZ" perm eperm
# Nor can it enter a namespace it does not own to try from there.
if unshare -U -r nsenter --net=/run/netns/target true 2>/dev/null; then
	fail "a user-namespace root entered a namespace it does not own"
fi
snap >after.txt
cmp -s before.txt after.txt || {
	diff before.txt after.txt
	fail "refused commands changed something"
}
echo "state of both namespaces unchanged"

# A user namespace that owns its network namespace administers it.
out=$(unshare -U -r -n sh -c "ip link set lo up && $NLFUZZ perm allowed &&
	$CTL status --json | jq -c '.config.port, .memory.entries' &&
	$CTL list" 2>&1) || {
	echo "$out"
	fail "the owner of a namespace could not configure it"
}
echo "$out" | tail -n 4
assert_match "every command works" "$out" "allowed verdict"
assert_match $'\n4242\n1\n198.51.100.0/24 source perm' "$out" "own namespace configured"
snap >after2.txt
cmp -s before.txt after2.txt || {
	diff before.txt after2.txt
	fail "configuring its own namespace changed another one"
}
echo "other namespaces unchanged"

# Strictness and limits run to the end, then report every failure.
failed=()
# Strictness: an attribute a command does not take is refused, not
# ignored (in a namespace of its own: an accepted request changes it).
ip netns add strict
if ! ip netns exec strict "$NLFUZZ" perm strict >strict.out 2>&1; then
	grep '^FAIL' strict.out | head -n 20
	failed+=("$(tail -n1 strict.out)")
fi
tail -n1 strict.out
ip netns del strict

# Limits, in a namespace of their own (max_entries=64).
ip netns add lim
ip netns exec lim "$NLFUZZ" limits >limits.out 2>&1 ||
	failed+=("limits: $(grep -c '^FAIL' limits.out) check(s) failed, first: $(grep -m1 '^FAIL' limits.out)")
cat limits.out
ip netns del lim
ip netns del target
unload_sluice
((${#failed[@]} == 0)) || fail "$(printf '%s; ' "${failed[@]}")"
echo ok
