package image

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
	if err := ValidDigest(d.Digest); err != nil {
		return err
	}
	where := fmt.Sprintf("push blob %s to %s", d.Digest, ref.FamiliarName())
	blobURL, err := r.endpoint(ctx, ref, "blobs", d.Digest)
	if err != nil {
		return err
	}
	resp, err := r.do(ctx, ref, true, request{method: http.MethodHead, url: blobURL})
	if err != nil {
		return err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return nil // already there
	case http.StatusNotFound:
		return r.upload(ctx, ref, d, body, where)
	}
	return fmt.Errorf("%s: %w", where, readRegistryError(resp))
}

// upload is end-4a (open a session) and end-6 (send it all and close it).
func (r *Registry) upload(ctx context.Context, ref Reference, d Descriptor, body io.Reader, where string) error {
	uploads, err := r.endpoint(ctx, ref, "blobs", "uploads/")
	if err != nil {
		return err
	}
	resp, err := r.do(ctx, ref, true, request{method: http.MethodPost, url: uploads})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("%s: open upload: %w", where, readRegistryError(resp))
	}
	resp.Body.Close()
	put, err := uploadURL(resp, d.Digest)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	resp, err = r.do(ctx, ref, true, request{
		method: http.MethodPut, url: put, contentType: "application/octet-stream",
		stream: body, length: d.Size,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("%s: %w", where, readRegistryError(resp))
	}
	resp.Body.Close()
	return nil
}

// uploadURL is the upload session's Location (relative to the request
// that opened it, and carrying the session state in its query) with
// digest= added.
func uploadURL(resp *http.Response, digest string) (string, error) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", fmt.Errorf("open upload: the registry sent no Location")
	}
	u, err := resp.Request.URL.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("open upload: bad Location %q: %w", loc, err)
	}
	q := u.Query()
	q.Set("digest", digest)
	u.RawQuery = q.Encode()
	return u.String(), nil
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
