package evidence

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// s3Client is the part of the S3 API the evidence archive uses (HEAD of a
// bucket, PUT, GET, HEAD and DELETE of an object), signed with AWS
// Signature Version 4. It replaces minio-go, which linked about 2 MB of
// client for these five requests (issue 15). Transient failures (network
// errors, 5xx, throttling) are retried with jittered exponential backoff.
type s3Client struct {
	http      *http.Client
	scheme    string // "http" or "https"
	endpoint  string // host[:port]
	pathStyle bool
	region    string
	creds     credentialSource
	attempts  int
	// now and sleep are replaced by tests.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// s3Error is an error answer of the service.
type s3Error struct {
	Status  int
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func (e *s3Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}

// notFound reports whether err says the object or bucket does not exist.
func notFound(err error) bool {
	var e *s3Error
	return errors.As(err, &e) && (e.Status == http.StatusNotFound || e.Code == "NoSuchKey" || e.Code == "NoSuchBucket")
}

// retryable reports whether a request that failed with err may succeed if
// sent again (the statuses and codes minio-go retried).
func retryable(err error) bool {
	var e *s3Error
	if !errors.As(err, &e) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	switch e.Status {
	case 408, 429, 499, 500, 502, 503, 504, 520:
		return true
	}
	switch e.Code {
	case "RequestError", "RequestTimeout", "Throttling", "ThrottlingException", "RequestLimitExceeded",
		"RequestThrottled", "InternalError", "ExpiredToken", "ExpiredTokenException", "SlowDown":
		return true
	}
	return false
}

// s3Request is one request before signing.
type s3Request struct {
	method string
	bucket string
	key    string // "" for the bucket itself
	header http.Header
	body   []byte
}

// do sends r, retrying transient failures, and returns the response of a
// successful (2xx) answer; the caller closes its body. A non-2xx answer is
// an *s3Error.
func (c *s3Client) do(ctx context.Context, r s3Request) (*http.Response, error) {
	var err error
	for attempt := 0; attempt < c.attempts; attempt++ {
		if attempt > 0 {
			// 200 ms, 400 ms, 800 ms, then 1 s, each with up to half of it
			// taken off at random so that clients do not retry in step.
			d := min(time.Second, 200*time.Millisecond<<(attempt-1))
			d -= time.Duration(rand.Int64N(int64(d / 2)))
			if serr := c.sleep(ctx, d); serr != nil {
				return nil, err
			}
		}
		var resp *http.Response
		resp, err = c.send(ctx, r)
		if err == nil {
			return resp, nil
		}
		if !retryable(err) {
			return nil, err
		}
	}
	return nil, err
}

func (c *s3Client) send(ctx context.Context, r s3Request) (*http.Response, error) {
	req, err := c.sign(ctx, r)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	e := &s3Error{Status: resp.StatusCode}
	if b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10)); err == nil && len(b) > 0 {
		_ = xml.Unmarshal(b, e)
	}
	return nil, e
}

// s3Escape encodes a path as S3 signs it: every byte but the unreserved
// characters and '/' as %XX.
func s3Escape(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		ch := p[i]
		if 'A' <= ch && ch <= 'Z' || 'a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || strings.IndexByte("-_.~/", ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// sign builds the HTTP request for r with a SigV4 Authorization header.
func (c *s3Client) sign(ctx context.Context, r s3Request) (*http.Request, error) {
	host, path := c.endpoint, "/"
	switch {
	case c.pathStyle:
		path += r.bucket
		if r.key != "" {
			path += "/" + r.key
		}
	default:
		host = r.bucket + "." + c.endpoint
		path += r.key
	}
	path = s3Escape(path)
	req, err := http.NewRequestWithContext(ctx, r.method, c.scheme+"://"+host+path, bytes.NewReader(r.body))
	if err != nil {
		return nil, err
	}
	req.URL.RawPath = path
	req.ContentLength = int64(len(r.body))
	if len(r.body) == 0 {
		req.Body, req.GetBody = http.NoBody, nil
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	cr, err := c.creds.get(ctx)
	if err != nil {
		return nil, fmt.Errorf("s3 credentials: %w", err)
	}
	sum := sha256.Sum256(r.body)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	if cr.Token != "" {
		req.Header.Set("X-Amz-Security-Token", cr.Token)
	}
	signV4(req, host, cr, c.region, c.now())
	return req, nil
}

// signV4 adds X-Amz-Date and the Authorization header to req, whose
// X-Amz-Content-Sha256 header is set. Every header set on req is signed,
// with the host.
func signV4(req *http.Request, host string, cr credentials, region string, now time.Time) {
	now = now.UTC()
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("X-Amz-Date", amzDate)

	names := []string{"host"}
	vals := map[string]string{"host": host}
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		names = append(names, lk)
		vals[lk] = strings.Join(strings.Fields(strings.Join(v, ",")), " ")
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, n := range names {
		canonHeaders.WriteString(n + ":" + vals[n] + "\n")
	}
	signed := strings.Join(names, ";")

	q := req.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var canonQuery []string
	for _, k := range keys {
		for _, v := range q[k] {
			canonQuery = append(canonQuery, url.QueryEscape(k)+"="+strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
		}
	}
	canon := strings.Join([]string{req.Method, req.URL.EscapedPath(), strings.Join(canonQuery, "&"),
		canonHeaders.String(), signed, req.Header.Get("X-Amz-Content-Sha256")}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	ch := sha256.Sum256([]byte(canon))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(ch[:])
	k := hmacSHA256([]byte("AWS4"+cr.SecretKey), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, "s3")
	k = hmacSHA256(k, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(k, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+cr.AccessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// credentials are an access key pair, with a session token when temporary.
type credentials struct {
	AccessKey, SecretKey, Token string
	Expires                     time.Time // zero for keys that do not expire
}

// credentialSource gives the keys to sign with: static ones, else the
// first found of the AWS environment variables, the MinIO ones, and the
// role of the container (ECS) or instance (EC2 metadata service) — the
// chain evidence used with minio-go.
type credentialSource struct {
	static *credentials
	http   *http.Client
	now    func() time.Time

	mu     sync.Mutex
	cached credentials
}

func (s *credentialSource) get(ctx context.Context) (credentials, error) {
	if s.static != nil {
		return *s.static, nil
	}
	if c, ok := envCredentials(); ok {
		return c, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached.AccessKey != "" && (s.cached.Expires.IsZero() || s.now().Add(5*time.Minute).Before(s.cached.Expires)) {
		return s.cached, nil
	}
	c, err := s.role(ctx)
	if err != nil {
		return credentials{}, err
	}
	s.cached = c
	return c, nil
}

func envCredentials() (credentials, bool) {
	first := func(names ...string) string {
		for _, n := range names {
			if v := os.Getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	if id, secret := first("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"), first("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"); id != "" && secret != "" {
		return credentials{AccessKey: id, SecretKey: secret, Token: os.Getenv("AWS_SESSION_TOKEN")}, true
	}
	if id, secret := first("MINIO_ROOT_USER", "MINIO_ACCESS_KEY"), first("MINIO_ROOT_PASSWORD", "MINIO_SECRET_KEY"); id != "" && secret != "" {
		return credentials{AccessKey: id, SecretKey: secret}, true
	}
	return credentials{}, false
}

// role fetches temporary keys from the container's credentials endpoint
// (ECS) or the instance metadata service (IMDSv2).
func (s *credentialSource) role(ctx context.Context) (credentials, error) {
	get := func(u string, hdr map[string]string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := s.http.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
		}
		return b, err
	}
	var body []byte
	var err error
	if rel := os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		body, err = get("http://169.254.170.2"+rel, nil)
	} else if full := os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full != "" {
		hdr := map[string]string{}
		if tok := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"); tok != "" {
			hdr["Authorization"] = tok
		}
		body, err = get(full, hdr)
	} else {
		const imds = "http://169.254.169.254"
		req, rerr := http.NewRequestWithContext(ctx, http.MethodPut, imds+"/latest/api/token", nil)
		if rerr != nil {
			return credentials{}, rerr
		}
		req.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
		hdr := map[string]string{}
		if resp, terr := s.http.Do(req); terr == nil {
			tok, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				hdr["X-Aws-Ec2-Metadata-Token"] = string(tok)
			}
		}
		var roles []byte
		roles, err = get(imds+"/latest/meta-data/iam/security-credentials/", hdr)
		if err != nil {
			return credentials{}, fmt.Errorf("no access key configured and no instance role: %w", err)
		}
		role, _, _ := strings.Cut(strings.TrimSpace(string(roles)), "\n")
		body, err = get(imds+"/latest/meta-data/iam/security-credentials/"+url.PathEscape(role), hdr)
	}
	if err != nil {
		return credentials{}, fmt.Errorf("no access key configured and no role credentials: %w", err)
	}
	var v struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string `json:"SecretAccessKey"`
		Token           string `json:"Token"`
		Expiration      time.Time
	}
	if err := json.Unmarshal(body, &v); err != nil || v.AccessKeyID == "" {
		return credentials{}, fmt.Errorf("role credentials: unreadable answer")
	}
	return credentials{AccessKey: v.AccessKeyID, SecretKey: v.SecretAccessKey, Token: v.Token, Expires: v.Expiration}, nil
}
