package netguard

import (
	"errors"
	"net/netip"
	"testing"
)

func TestControl(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		allow []netip.Prefix
		ok    bool
	}{
		{"127.0.0.1:80", nil, false},
		{"[::1]:443", nil, false},
		{"10.1.2.3:80", nil, false},
		{"192.168.0.1:80", nil, false},
		{"169.254.169.254:80", nil, false}, // cloud metadata
		{"100.64.0.1:80", nil, false},
		{"[::ffff:127.0.0.1]:80", nil, false},
		{"[fd00::1]:80", nil, false},
		{"[64:ff9b::a00:1]:80", nil, false},
		{"0.0.0.0:80", nil, false},
		{"255.255.255.255:80", nil, false}, // broadcast
		{"240.0.0.1:80", nil, false},       // reserved
		{"192.0.2.10:80", nil, false},      // documentation
		{"[2001:db8::1]:80", nil, false},   // documentation
		{"not an address", nil, false},
		{"93.184.216.34:443", nil, true},
		{"[2606:4700::1111]:443", nil, true},
		{"127.0.0.1:8080", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, true},
		{"10.0.0.5:80", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, false},
	} {
		err := Guard{Allow: tc.allow}.Control("tcp", tc.addr, nil)

		if tc.ok && err != nil {
			t.Errorf("%s: %v, want allowed", tc.addr, err)
		}
		if !tc.ok && !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: %v, want ErrBlocked", tc.addr, err)
		}
	}
}

// TestAllowPorts: an address and port let through lets that port only.
func TestAllowPorts(t *testing.T) {
	g := Guard{AllowPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}
	if err := g.Control("tcp", "127.0.0.1:8080", nil); err != nil {
		t.Errorf("allowed port: %v", err)
	}
	for _, addr := range []string{"127.0.0.1:5432", "127.0.0.2:8080", "[::1]:8080"} {
		if err := g.Control("tcp", addr, nil); !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: %v, want ErrBlocked", addr, err)
		}
	}
}
