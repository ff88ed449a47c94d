// Package testutil holds helpers shared by minictr's tests: the root-test
// gate, a real registry (Debian's docker-registry) started on a loopback
// port, and a builder for test images made from real binaries
// (busybox-static). It is imported only from _test.go files.
package testutil
