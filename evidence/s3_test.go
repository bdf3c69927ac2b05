package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSignV4 checks the request signature against the examples of AWS's
// documentation of Signature Version 4 for S3 ("Examples: Signature
// Calculations in AWS Signature Version 4"), a GET with a Range header and
// a PUT whose key needs escaping.
func TestSignV4(t *testing.T) {
	cr := credentials{AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	when := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	const host = "examplebucket.s3.amazonaws.com"
	sum := func(b string) string { s := sha256.Sum256([]byte(b)); return hex.EncodeToString(s[:]) }

	get, _ := http.NewRequest(http.MethodGet, "https://"+host+"/test.txt", nil)
	get.Header.Set("Range", "bytes=0-9")
	get.Header.Set("X-Amz-Content-Sha256", sum(""))
	signV4(get, host, cr, "us-east-1", when)
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
		"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := get.Header.Get("Authorization"); got != want {
		t.Errorf("GET:\n got %s\nwant %s", got, want)
	}

	body := "Welcome to Amazon S3."
	put, _ := http.NewRequest(http.MethodPut, "https://"+host+s3Escape("/test$file.text"), strings.NewReader(body))
	put.URL.RawPath = s3Escape("/test$file.text")
	put.Header.Set("Date", "Fri, 24 May 2013 00:00:00 GMT")
	put.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	put.Header.Set("X-Amz-Content-Sha256", sum(body))
	signV4(put, host, cr, "us-east-1", when)
	want = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
		"SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, " +
		"Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
	if got := put.Header.Get("Authorization"); got != want {
		t.Errorf("PUT:\n got %s\nwant %s", got, want)
	}
}

// TestS3Addressing checks virtual-host addressing and the region for
// Amazon endpoints, path addressing elsewhere.
func TestS3Addressing(t *testing.T) {
	for _, tc := range []struct {
		endpoint, bucket string
		pathStyle        bool
		wantURL          string
		wantRegion       string
	}{
		{"s3.eu-west-1.amazonaws.com", "ev", false, "https://ev.s3.eu-west-1.amazonaws.com/pw/a%20b.warc", "eu-west-1"},
		{"s3.amazonaws.com", "ev", false, "https://ev.s3.amazonaws.com/pw/a%20b.warc", "us-east-1"},
		{"s3.amazonaws.com", "ev.example", false, "https://s3.amazonaws.com/ev.example/pw/a%20b.warc", "us-east-1"},
		{"minio.local:9000", "ev", false, "https://minio.local:9000/ev/pw/a%20b.warc", "us-east-1"},
		{"s3.amazonaws.com", "ev", true, "https://s3.amazonaws.com/ev/pw/a%20b.warc", "us-east-1"},
	} {
		var got *http.Request
		b, err := NewS3Blobs(context.Background(), S3Options{Endpoint: tc.endpoint, Bucket: tc.bucket, PathStyle: tc.pathStyle,
			AccessKey: "a", SecretKey: "b", MaxRetries: 1, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				got = r
				return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}}, nil
			})})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Exists(context.Background(), "pw/a b.warc"); err != nil {
			t.Fatal(err)
		}
		// The prefix is empty here: the key is the whole object name.
		if got.URL.String() != tc.wantURL {
			t.Errorf("%s %s: URL %s, want %s", tc.endpoint, tc.bucket, got.URL, tc.wantURL)
		}
		if auth := got.Header.Get("Authorization"); !strings.Contains(auth, "/"+tc.wantRegion+"/s3/aws4_request") {
			t.Errorf("%s: %s, want region %s", tc.endpoint, auth, tc.wantRegion)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestS3RetryClassification: throttling and server errors are retried,
// refusals are not, and a missing object is recognised.
func TestS3RetryClassification(t *testing.T) {
	for _, tc := range []struct {
		err   error
		retry bool
	}{
		{&s3Error{Status: 503, Code: "SlowDown"}, true},
		{&s3Error{Status: 500}, true},
		{&s3Error{Status: 400, Code: "RequestTimeout"}, true},
		{&s3Error{Status: 403, Code: "AccessDenied"}, false},
		{&s3Error{Status: 404, Code: "NoSuchKey"}, false},
		{errors.New("connection refused"), true},
		{context.Canceled, false},
	} {
		if got := retryable(tc.err); got != tc.retry {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.retry)
		}
	}
	if !notFound(&s3Error{Status: 404}) || notFound(&s3Error{Status: 403, Code: "AccessDenied"}) {
		t.Error("notFound misclassifies")
	}
}
