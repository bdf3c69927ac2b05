package evidence

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Blobs keeps the evidence files (WARC files, screenshots) by key, a
// relative slash-separated path such as "a1b2/3.warc". The filesystem is the
// default; S3-compatible object storage is used when configured.
//
// Put must be durable when it returns nil: the snapshot row naming the key
// is written only after it. Get returns ErrBlobNotFound for an unknown key.
type Blobs interface {
	Put(ctx context.Context, key string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
	Exists(ctx context.Context, key string) (bool, error)
	Delete(ctx context.Context, key string) error
}

// Errors of the evidence files.
var (
	// ErrBlobNotFound is returned by Blobs.Get for a key that holds nothing.
	ErrBlobNotFound = errors.New("evidence file not found")
	// ErrTampered is returned when a stored file no longer has the SHA-256
	// recorded when it was captured: it must not be served as evidence.
	ErrTampered = errors.New("evidence file does not match its recorded SHA-256")
)

// checkKey refuses keys that could leave the evidence folder or bucket
// prefix.
func checkKey(key string) error {
	clean := path.Clean(key)
	if key == "" || clean != key || path.IsAbs(key) || clean == "." || strings.HasPrefix(clean, "../") || clean == ".." ||
		strings.ContainsAny(key, "\\\x00") {
		return fmt.Errorf("evidence: bad file key %q", key)
	}
	return nil
}

// FSBlobs keeps evidence files under a folder.
type FSBlobs struct{ Dir string }

// NewFSBlobs makes dir and returns the store of the files under it.
func NewFSBlobs(dir string) (*FSBlobs, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return &FSBlobs{Dir: dir}, nil
}

func (b *FSBlobs) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(b.Dir, filepath.FromSlash(key)), nil
}

// Put writes data to a temporary name, syncs it and renames it, so a crash
// leaves no half file under the final name.
func (b *FSBlobs) Put(_ context.Context, key string, data []byte) error {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("evidence: put %s: %w", key, err)
	}
	tmp := p + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("evidence: put %s: %w", key, err)
	}
	_, err = out.Write(data)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("evidence: put %s: %w", key, err)
	}
	return nil
}

// Get reads the file of key.
func (b *FSBlobs) Get(_ context.Context, key string) ([]byte, error) {
	p, err := b.path(key)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("evidence: get %s: %w", key, ErrBlobNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence: get %s: %w", key, err)
	}
	return data, nil
}

// Exists reports whether key holds a file.
func (b *FSBlobs) Exists(_ context.Context, key string) (bool, error) {
	p, err := b.path(key)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Delete removes the file of key; an absent file is not an error.
func (b *FSBlobs) Delete(_ context.Context, key string) error {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("evidence: delete %s: %w", key, err)
	}
	return nil
}

// S3Options configures S3Blobs.
type S3Options struct {
	// Endpoint is host[:port] of the S3-compatible service, without scheme.
	Endpoint string
	Bucket   string
	// Prefix is put in front of every key ("presswatch/evidence/").
	Prefix    string
	Region    string
	AccessKey string
	SecretKey string
	// PathStyle addresses the bucket in the path (MinIO, Ceph, most
	// on-premises services) rather than as a host name.
	PathStyle bool
	// Insecure talks plain HTTP; only for a service on loopback or a
	// private network.
	Insecure bool
	// CAFile, when set, is the PEM bundle the service's certificate is
	// checked against instead of the system roots.
	CAFile string
	// MaxRetries is how many times a request is tried before an error is
	// returned (transient errors: 5xx, throttling, network); 0 means 5.
	MaxRetries int
	// Timeout bounds one request; 0 means 60 s.
	Timeout time.Duration
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
}

// S3Blobs keeps evidence files in a bucket of an S3-compatible service.
type S3Blobs struct {
	c      *s3Client
	bucket string
	prefix string
}

// NewS3Blobs connects to the service and checks that the bucket exists, so
// a wrong endpoint, bucket or key fails at start-up with a clear error.
//
// With no access key configured, the keys come from the environment
// (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, else
// MINIO_ROOT_USER/MINIO_ROOT_PASSWORD) or the role of the ECS container
// or EC2 instance. Without PathStyle, Amazon S3 endpoints are addressed by
// virtual host and other services by path. With no region, an Amazon
// endpoint's region is read from its name (s3.REGION.amazonaws.com) and
// anything else is us-east-1.
func NewS3Blobs(ctx context.Context, o S3Options) (*S3Blobs, error) {
	if o.Endpoint == "" || o.Bucket == "" {
		return nil, errors.New("evidence: s3 endpoint and bucket are required")
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 5
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	tr := o.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = o.Timeout
		if o.CAFile != "" {
			pem, err := os.ReadFile(o.CAFile)
			if err != nil {
				return nil, fmt.Errorf("evidence: s3 ca file: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("evidence: s3 ca file %s holds no PEM certificate", o.CAFile)
			}
			t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		tr = t
	}
	if strings.Contains(o.Endpoint, "/") {
		return nil, fmt.Errorf("evidence: s3 endpoint %q: want host[:port], without scheme or path", o.Endpoint)
	}
	amazon := strings.HasSuffix(strings.ToLower(hostOnly(o.Endpoint)), ".amazonaws.com")
	region := o.Region
	if region == "" {
		region = "us-east-1"
		if amazon {
			region = amazonRegion(hostOnly(o.Endpoint))
		}
	}
	hc := &http.Client{Transport: tr}
	c := &s3Client{
		http: hc, scheme: "https", endpoint: o.Endpoint, region: region, attempts: o.MaxRetries,
		// Buckets with dots cannot be virtual hosts under TLS.
		pathStyle: o.PathStyle || !amazon || strings.Contains(o.Bucket, "."),
		creds:     credentialSource{http: &http.Client{Timeout: 10 * time.Second}, now: time.Now},
		now:       time.Now,
		sleep:     sleepCtx,
	}
	if o.Insecure {
		c.scheme = "http"
	}
	if o.AccessKey != "" {
		c.creds.static = &credentials{AccessKey: o.AccessKey, SecretKey: o.SecretKey}
	}
	cctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	resp, err := c.do(cctx, s3Request{method: http.MethodHead, bucket: o.Bucket})
	if err == nil {
		resp.Body.Close()
	} else if notFound(err) {
		return nil, fmt.Errorf("evidence: s3 %s: bucket %q does not exist (create it; presswatch does not)", o.Endpoint, o.Bucket)
	} else {
		return nil, fmt.Errorf("evidence: s3 %s bucket %q: %w", o.Endpoint, o.Bucket, err)
	}
	prefix := strings.Trim(o.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &S3Blobs{c: c, bucket: o.Bucket, prefix: prefix}, nil
}

func hostOnly(endpoint string) string {
	if h, _, err := net.SplitHostPort(endpoint); err == nil {
		return h
	}
	return endpoint
}

// amazonRegion reads the region from an Amazon S3 host name
// (s3.eu-west-1.amazonaws.com, s3-eu-west-1.amazonaws.com,
// s3.dualstack.eu-west-1.amazonaws.com); s3.amazonaws.com is us-east-1.
func amazonRegion(host string) string {
	for _, part := range strings.Split(strings.TrimSuffix(strings.ToLower(host), ".amazonaws.com"), ".") {
		part = strings.TrimPrefix(part, "s3-")
		if part != "s3" && part != "dualstack" && strings.Count(part, "-") >= 2 {
			return part
		}
	}
	return "us-east-1"
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *S3Blobs) object(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return b.prefix + key, nil
}

// Put uploads data with its SHA-256 as object metadata (checked on Get as
// well as the one in the store) and a Content-MD5 the service verifies.
// Transient errors are retried by the client; an error returned here
// leaves the capture to be retried by the archive later.
func (b *S3Blobs) Put(ctx context.Context, key string, data []byte) error {
	obj, err := b.object(key)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	md := md5.Sum(data)
	h := http.Header{}
	h.Set("Content-Type", contentType(key))
	h.Set("Content-Md5", base64.StdEncoding.EncodeToString(md[:]))
	h.Set("X-Amz-Meta-Sha256", hex.EncodeToString(sum[:]))
	resp, err := b.c.do(ctx, s3Request{method: http.MethodPut, bucket: b.bucket, key: obj, header: h, body: data})
	if err != nil {
		return fmt.Errorf("evidence: s3 put %s: %w", key, err)
	}
	resp.Body.Close()
	return nil
}

// Get downloads the object of key.
func (b *S3Blobs) Get(ctx context.Context, key string) ([]byte, error) {
	obj, err := b.object(key)
	if err != nil {
		return nil, err
	}
	resp, err := b.c.do(ctx, s3Request{method: http.MethodGet, bucket: b.bucket, key: obj})
	if err != nil {
		return nil, b.getErr(key, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, b.getErr(key, err)
	}
	return data, nil
}

func (b *S3Blobs) getErr(key string, err error) error {
	if notFound(err) {
		return fmt.Errorf("evidence: s3 get %s: %w", key, ErrBlobNotFound)
	}
	return fmt.Errorf("evidence: s3 get %s: %w", key, err)
}

// Exists reports whether key holds an object.
func (b *S3Blobs) Exists(ctx context.Context, key string) (bool, error) {
	obj, err := b.object(key)
	if err != nil {
		return false, err
	}
	resp, err := b.c.do(ctx, s3Request{method: http.MethodHead, bucket: b.bucket, key: obj})
	if err == nil {
		resp.Body.Close()
		return true, nil
	}
	if notFound(err) {
		return false, nil
	}
	return false, fmt.Errorf("evidence: s3 stat %s: %w", key, err)
}

// Delete removes the object of key; an absent object is not an error.
func (b *S3Blobs) Delete(ctx context.Context, key string) error {
	obj, err := b.object(key)
	if err != nil {
		return err
	}
	resp, err := b.c.do(ctx, s3Request{method: http.MethodDelete, bucket: b.bucket, key: obj})
	if err != nil && !notFound(err) {
		return fmt.Errorf("evidence: s3 delete %s: %w", key, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	return nil
}

func contentType(key string) string {
	switch path.Ext(key) {
	case ".warc":
		return "application/warc"
	case ".png":
		return "image/png"
	}
	return "application/octet-stream"
}

// readVerified reads key and checks it against want (hex SHA-256; empty
// for captures made before hashes were recorded).
func readVerified(ctx context.Context, b Blobs, key, want string) ([]byte, error) {
	data, err := b.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if want != "" {
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != want {
			return nil, fmt.Errorf("evidence: %s: %w (recorded %s, stored file %s)", key, ErrTampered, want, got)
		}
	}
	return data, nil
}
