// Package build is the pure half of `minictr build`: it reads a Dockerfile
// and a build context and computes, for every step, what the step does and
// the key under which its result is cached. It runs nothing; the executor
// (RUN in a container, COPY/ADD layer writing, commit) uses these values.
//
// The concept: an image is a stack of layers, and a Dockerfile makes one
// layer per RUN, COPY and ADD (the other instructions only change the
// config). A step's result depends only on its parent (the layers and
// config so far) and its own inputs, so a builder can reuse a stored layer
// while those inputs are unchanged and must rebuild from the first changed
// step on. Multi-stage builds are several such chains in one file, joined
// by `COPY --from`.
//
// Read in this order:
//   - parse.go: directives (`# escape=`, `# syntax=`), comments,
//     continuation lines, stages; instruction.go: one instruction's flags
//     and arguments (JSON or shell form); check.go: what docker rejects,
//     and the BuildKit extensions refused (heredocs, RUN --mount).
//   - expand.go, expand_var.go: docker's shell lexer ($V, ${V:-x}, quotes,
//     escapes); scope.go, apply.go: which variables a line sees (ARG and
//     ENV scoping, the proxy args) and the instruction after expansion.
//   - ignore.go: .dockerignore; context.go, sources.go: reading the context
//     in place without ever leaving it.
//   - plan.go: which stages a target needs (FROM <stage>, COPY --from);
//     rules.go: --chown, --chmod, WORKDIR, COPY destinations, HEALTHCHECK.
//   - cache.go, cache_sources.go: the cache key's inputs and Explain.
//
// The cache-key rule implemented by KeyInputs.Key, and its sources:
//   - parent: the chain ID of the layers so far and a digest of the config
//     so far (docker's classic builder keys on the parent image ID, which
//     covers both);
//   - the instruction after variable expansion (so an ARG changes a step
//     that USES it: "a cache miss occurs upon its first usage, not its
//     declaration", Dockerfile reference, ARG, "Impact on build caching");
//   - for RUN, every ARG in scope that has a value and is not overridden
//     by ENV: "all RUN instructions following an ARG instruction use the
//     ARG variable implicitly (as an environment variable), thus can cause
//     a cache miss" (same section); the predefined proxy ARGs are left out
//     unless declared ("Predefined ARGs": "excluded from ... the build
//     cache");
//   - for COPY and ADD, each source file's path, type, mode, owner, xattrs,
//     link target and content digest after .dockerignore, and not its
//     mtime: BuildKit's content-based checksums ("Build cache
//     invalidation", docs.docker.com/build/cache/invalidation: "the
//     modification time ... [is] not considered").
//
// References: the Dockerfile reference (docs.docker.com/reference/dockerfile:
// "Parser directives", "Environment replacement", ".dockerignore file",
// "ARG"); BuildKit's cache docs (docs.docker.com/build/cache/,
// .../cache/invalidation/); moby/buildkit frontend/dockerfile/parser and
// frontend/dockerfile/shell (behaviour read, code written anew);
// moby/patternmatcher for .dockerignore. Man pages: stat(2), lstat(2),
// readlink(2), llistxattr(2), lgetxattr(2), open(2) (O_NOFOLLOW).
// Chapter: docs/10-build.md.
package build
