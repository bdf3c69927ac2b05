package alerts

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
)

// bodyParts returns the decoded leaf parts of a raw message by media type.
func bodyParts(t testing.TB, raw []byte) map[string]string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	out := map[string]string{}
	walkPartsMap(t, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, out)
	return out
}

func walkPartsMap(t testing.TB, ctype, enc string, body io.Reader, out map[string]string) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walkPartsMap(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, out)
		}
	}
	data, err := io.ReadAll(decodeTransfer(enc, body))
	if err != nil {
		t.Fatalf("decode part: %v", err)
	}
	out[mt] += string(data)
}

// decodedBody returns the decoded text of every part of a raw message.
func decodedBody(t testing.TB, raw []byte) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	var b strings.Builder
	walkParts(t, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, &b)
	return b.String()
}

func walkParts(t testing.TB, ctype, enc string, body io.Reader, out *strings.Builder) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walkParts(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, out)
		}
	}
	data, err := io.ReadAll(decodeTransfer(enc, body))
	if err != nil {
		t.Fatalf("decode part: %v", err)
	}
	out.Write(data)
	out.WriteString("\n")
}

// headerOf returns the header of a raw message.
func headerOf(t testing.TB, raw []byte) mail.Header {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	return m.Header
}
