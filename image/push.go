package image

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Pushing is pulling backwards, children first: every blob (layers, then
// the config) must be in the repository before a manifest that names them
// is accepted, and every platform manifest before the index that lists
// them. The registry checks each digest itself, so a push cannot store
// content under a name that does not match it.

// PushBlob uploads one blob unless the repository already has it. It asks
// first (HEAD), because layers are shared: pushing a second image on the
// same base uploads only the new layers. Otherwise it opens an upload
// session (POST) and sends the whole blob in one PUT to the session's
// Location with ?digest=, which the registry verifies before it commits
// the blob. body must yield exactly d.Size bytes; it is read only if the
// blob is missing.
func (r *Registry) PushBlob(ctx context.Context, ref Reference, d Descriptor, body io.Reader) error {
	there, err := r.HasBlob(ctx, ref, d.Digest)
	if err != nil || there {
		return err
	}
	_, err = r.UploadBlob(ctx, ref, d, Upload{Body: body})
	return err
}

// HasBlob asks whether ref's repository has blob digest (end-2, HEAD).
func (r *Registry) HasBlob(ctx context.Context, ref Reference, digest string) (bool, error) {
	if err := ValidDigest(digest); err != nil {
		return false, err
	}
	blobURL, err := r.endpoint(ctx, ref, "blobs", digest)
	if err != nil {
		return false, err
	}
	resp, err := r.do(ctx, ref, true, request{method: http.MethodHead, url: blobURL})
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("push blob %s to %s: %w", digest, ref.FamiliarName(), readRegistryError(resp))
}

// Upload says how UploadBlob sends a blob.
type Upload struct {
	// From, when set, is another repository of the same registry
	// ("library/busybox") known to hold the blob: the registry is asked to
	// mount it from there (end-11), which copies nothing.
	From string
	// Body yields exactly the blob's bytes; it is read only if no mount.
	Body io.Reader
	// Chunk, when > 0, sends a blob larger than Chunk in PATCHes of Chunk
	// bytes (end-5) before the closing PUT, instead of in one PUT: a
	// registry or proxy may limit the size of one request.
	Chunk int64
	// Progress, when set, is told how many bytes have been sent.
	Progress func(sent int64)
}

// UploadBlob puts blob d into ref's repository without asking first
// whether it is there (HasBlob does). It opens an upload session (end-4a),
// or asks for a cross-repository mount (end-11: POST ...?mount=&from=,
// answered 201 Created when the registry could mount it, else 202 with a
// session as for any upload), then sends the bytes: all in one PUT with
// ?digest= (end-6), or in PATCHes (end-5) and a closing PUT. The registry
// verifies the digest before it commits the blob. It reports whether the
// blob was mounted.
func (r *Registry) UploadBlob(ctx context.Context, ref Reference, d Descriptor, up Upload) (mounted bool, err error) {
	if err := ValidDigest(d.Digest); err != nil {
		return false, err
	}
	where := fmt.Sprintf("push blob %s to %s", d.Digest, ref.FamiliarName())
	resp, err := r.openUpload(ctx, ref, d.Digest, up.From)
	if err != nil {
		return false, fmt.Errorf("%s: %w", where, err)
	}
	if resp.StatusCode == http.StatusCreated {
		resp.Body.Close()
		return true, nil
	}
	if resp.StatusCode != http.StatusAccepted {
		return false, fmt.Errorf("%s: open upload: %w", where, readRegistryError(resp))
	}
	resp.Body.Close()
	loc, err := location(resp)
	if err != nil {
		return false, fmt.Errorf("%s: %w", where, err)
	}
	body := up.Body
	if up.Progress != nil {
		body = &countingReader{r: body, report: up.Progress}
	}
	if up.Chunk > 0 && d.Size > up.Chunk {
		if loc, err = r.sendChunks(ctx, ref, loc, d.Size, body, up.Chunk); err != nil {
			return false, fmt.Errorf("%s: %w", where, err)
		}
		body = nil
	}
	return false, r.closeUpload(ctx, ref, loc, d, body, where)
}

// openUpload is end-4a, or end-11 when from is set.
func (r *Registry) openUpload(ctx context.Context, ref Reference, digest, from string) (*http.Response, error) {
	uploads, err := r.endpoint(ctx, ref, "blobs", "uploads/")
	if err != nil {
		return nil, err
	}
	if from != "" {
		uploads += "?" + url.Values{"mount": {digest}, "from": {from}}.Encode()
	}
	return r.do(ctx, ref, true, request{method: http.MethodPost, url: uploads, mountFrom: from})
}

// sendChunks PATCHes body to the session at loc, chunk bytes at a time.
// Each answer (202) carries the session's next Location.
func (r *Registry) sendChunks(ctx context.Context, ref Reference, loc *url.URL, size int64, body io.Reader, chunk int64) (*url.URL, error) {
	for off := int64(0); off < size; off += chunk {
		n := min(chunk, size-off)
		resp, err := r.do(ctx, ref, true, request{
			method: http.MethodPatch, url: loc.String(), contentType: "application/octet-stream",
			stream: io.LimitReader(body, n), length: n,
			contentRange: fmt.Sprintf("%d-%d", off, off+n-1),
		})
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusAccepted {
			return nil, fmt.Errorf("chunk at %d: %w", off, readRegistryError(resp))
		}
		resp.Body.Close()
		if loc, err = location(resp); err != nil {
			return nil, err
		}
	}
	return loc, nil
}

// closeUpload is the PUT ?digest= that ends a session, carrying body (the
// whole blob) or, after chunks, nothing.
func (r *Registry) closeUpload(ctx context.Context, ref Reference, loc *url.URL, d Descriptor, body io.Reader, where string) error {
	q := loc.Query()
	q.Set("digest", d.Digest)
	loc.RawQuery = q.Encode()
	req := request{method: http.MethodPut, url: loc.String(), contentType: "application/octet-stream", body: []byte{}}
	if body != nil {
		req.body, req.stream, req.length = nil, body, d.Size
	}
	resp, err := r.do(ctx, ref, true, req)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("%s: %w", where, readRegistryError(resp))
	}
	resp.Body.Close()
	return nil
}

// countingReader reports how many bytes went through.
type countingReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if n > 0 {
		c.report(c.n)
	}
	return n, err
}

// location is the upload session's Location (relative to the request
// that opened it, and carrying the session state in its query).
func location(resp *http.Response) (*url.URL, error) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, fmt.Errorf("upload: the registry sent no Location")
	}
	u, err := resp.Request.URL.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("upload: bad Location %q: %w", loc, err)
	}
	return u, nil
}

// PushManifest stores a manifest or index under ref's tag, or, when ref has
// only a digest, under that digest (as the platform manifests of an index
// are pushed). The registry parses it and refuses it if a blob or manifest
// it names is not in the repository. mediaType becomes the Content-Type,
// which is how the registry learns what kind of document it is.
func (r *Registry) PushManifest(ctx context.Context, ref Reference, mediaType string, body []byte) error {
	where := "push manifest " + ref.Familiar()
	if len(body) > maxManifestSize {
		return fmt.Errorf("%s: %d bytes is more than the %d a registry accepts", where, len(body), maxManifestSize)
	}
	digest := sha256Digest(body)
	if ref.Digest != "" && ref.Digest != digest {
		return fmt.Errorf("%s: %w: the manifest hashes to %s", where, ErrDigestMismatch, digest)
	}
	target := ref.Tag
	if target == "" {
		target = digest
	}
	u, err := r.endpoint(ctx, ref, "manifests", target)
	if err != nil {
		return err
	}
	resp, err := r.do(ctx, ref, true, request{method: http.MethodPut, url: u, contentType: mediaType, body: body})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("%s: %w", where, readRegistryError(resp))
	}
	resp.Body.Close()
	if got := resp.Header.Get("Docker-Content-Digest"); got != "" && got != digest {
		return fmt.Errorf("%s: %w: the registry stored it as %s, we sent %s", where, ErrDigestMismatch, got, digest)
	}
	return nil
}
