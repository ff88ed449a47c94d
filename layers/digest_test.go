package layers

import (
	"fmt"
	"slices"
	"testing"
)

// The diff IDs of the example image in the OCI image-spec, config.md
// ("Example"). The expected chain ID of the two was computed outside Go:
//
//	printf 'sha256:c6f9...bbd1 sha256:5f70...c6ef' | sha256sum
const (
	ociDiff0 = "sha256:c6f988f4874bb0add23a778f753c65efe992244e148a1d2ec2a8b664fb66bbd1"
	ociDiff1 = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
	ociChain = "sha256:c3191d32a37d7159b2e30830937d2e30268ad6c375a773a8994911a3aba9b93f"
)

func TestChainID(t *testing.T) {
	tests := []struct {
		parent, diff, want string
	}{
		{"", ociDiff0, ociDiff0}, // a base layer's chain ID is its diff ID
		{ociDiff0, ociDiff1, ociChain},
		// Order matters: the same two layers the other way round are a
		// different stack.
		{ociDiff1, ociDiff0, sha256Digest([]byte(ociDiff1 + " " + ociDiff0))},
	}
	for _, tt := range tests {
		if got := ChainID(tt.parent, tt.diff); got != tt.want {
			t.Errorf("ChainID(%q, %q) = %s, want %s", tt.parent, tt.diff, got, tt.want)
		}
	}
	if ChainID(ociDiff1, ociDiff0) == ociChain {
		t.Error("ChainID does not depend on the order of layers")
	}
}

func TestChainIDs(t *testing.T) {
	third := "sha256:" + fmt.Sprintf("%064x", 3)
	tests := []struct {
		in, want []string
	}{
		{nil, []string{}},
		{[]string{ociDiff0}, []string{ociDiff0}},
		{[]string{ociDiff0, ociDiff1}, []string{ociDiff0, ociChain}},
		{[]string{ociDiff0, ociDiff1, third}, []string{ociDiff0, ociChain, sha256Digest([]byte(ociChain + " " + third))}},
	}
	for _, tt := range tests {
		if got := ChainIDs(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("ChainIDs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDigestHex(t *testing.T) {
	good := "sha256:" + fmt.Sprintf("%064x", 0xabc)
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{good, true},
		{ociChain, true},
		{"sha256:ABC" + good[10:], false}, // upper case
		{"sha512:" + good[7:], false},
		{"sha256:" + good[8:], false}, // 63 digits
		{"sha256:../../../../etc/passwd", false},
		{good[7:], false}, // no algorithm
		{"", false},
	} {
		h, err := digestHex(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("digestHex(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if tt.ok && "sha256:"+h != tt.in {
			t.Errorf("digestHex(%q) = %q", tt.in, h)
		}
	}
}

// The two diff IDs of the OCI spec's example image, stacked.
func ExampleChainIDs() {
	ids := ChainIDs([]string{
		"sha256:c6f988f4874bb0add23a778f753c65efe992244e148a1d2ec2a8b664fb66bbd1",
		"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
	})
	for i, id := range ids {
		fmt.Printf("layer %d: %s\n", i, id)
	}
	// Output:
	// layer 0: sha256:c6f988f4874bb0add23a778f753c65efe992244e148a1d2ec2a8b664fb66bbd1
	// layer 1: sha256:c3191d32a37d7159b2e30830937d2e30268ad6c375a773a8994911a3aba9b93f
}
