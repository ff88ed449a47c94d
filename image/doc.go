// Package image gets container images and keeps them: it turns a name a
// user types (alpine) into a registry, a repository and a tag
// (docker.io/library/alpine:latest), speaks the registry's HTTP API to
// fetch the image's manifest, config and layer blobs, checks every byte
// against its digest, and records the image in the store under
// /var/lib/minictr (its layers are unpacked by package layers).
//
// The stages, one file each:
//
//	reference.go   names: alpine -> docker.io/library/alpine:latest
//	spec.go        the formats: media types, Manifest, Index, Config
//	platform.go    picking linux/amd64 (or arm64/v8) out of an index
//	registry.go    the distribution API: manifests and blobs by digest
//	endpoint.go    where a registry is: HTTPS, loopback HTTP, redirects
//	auth.go        401 -> WWW-Authenticate -> token server -> Bearer token
//	verify.go      digests, verified while streaming
//	push.go        uploads: HEAD, mount from another repository, monolithic or chunked
//	store.go, pull.go, load.go, import.go, lookup.go, remove.go: the store
//	stage.go       the rule that keeps the store whole: blobs enter blobs/
//	               only with the index entry naming them
//	layerin.go     a layer coming in keeps its exact blob (or is gzipped once)
//	exact.go, save.go, push_store.go: images going out with their digests
//	tag.go, commit.go, changes.go: new names, new images, docker's --change
//	tree.go, prune.go: how layers are shared (images --tree, system df -v)
//
// No system calls are involved; the specifications are: the OCI image spec
// (https://github.com/opencontainers/image-spec), the OCI distribution spec
// (https://github.com/opencontainers/distribution-spec), Docker's Image
// Manifest V2 Schema 2, and the registry token authentication spec
// (distribution's docs/spec/auth/token.md). HTTP authentication is RFC 7235,
// Bearer tokens RFC 6750. The man pages closest to this stage are
// docker-pull(1) and containers-registries.conf(5), for comparison.
//
// Docs chapter: docs/01-images.md.
package image
