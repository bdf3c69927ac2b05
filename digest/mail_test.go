package digest

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
)

// TestMessageMIME decodes the report email as a mail client would: the
// subject in Vietnamese, a text and an HTML alternative, every chart the HTML
// refers to by cid: present as an inline PNG, and the PDF attached.
func TestMessageMIME(t *testing.T) {
	st := seededStore(t)
	g := newTestGenerator(t, st.(ReportStore), "")
	o, err := g.Generate(context.Background(), weekly47(t))
	if err != nil {
		t.Fatal(err)
	}
	o.PDF = []byte("%PDF-1.4 stand-in") // no browser needed here
	m := messageFor(o, "songoaivu@dongnai.example", "presswatch.example")
	raw, err := m.MIME("presswatch <presswatch@dongnai.example>", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || !strings.Contains(subj, "Điểm tin báo chí nước ngoài hằng tuần") {
		t.Errorf("subject %q, %v", subj, err)
	}
	if got := msg.Header.Get("Message-Id"); got != m.MessageID {
		t.Errorf("Message-ID %q, want %q", got, m.MessageID)
	}
	types := map[string]int{}
	cids := map[string]bool{}
	var html, pdf []byte
	var walk func(r io.Reader, ct string)
	walk = func(r io.Reader, ct string) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			return
		}
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextPart() // decodes quoted-printable
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pct := p.Header.Get("Content-Type")
			pmt, _, _ := mime.ParseMediaType(pct)
			types[pmt]++
			body, _ := io.ReadAll(p)
			if p.Header.Get("Content-Transfer-Encoding") == "base64" {
				body = decodeBase64(t, body)
			}
			switch {
			case strings.HasPrefix(pmt, "multipart/"):
				walk(bytes.NewReader(body), pct)
			case pmt == "text/html":
				html = body
			case pmt == "image/png":
				cids[strings.Trim(p.Header.Get("Content-Id"), "<>")] = true
				if !bytes.HasPrefix(body, []byte("\x89PNG")) {
					t.Error("inline part is not a PNG")
				}
			case pmt == "application/pdf":
				pdf = body
			}
		}
	}
	walk(msg.Body, msg.Header.Get("Content-Type"))
	if types["text/plain"] != 1 || types["text/html"] != 1 || types["image/png"] != len(o.Charts) || string(pdf) != "%PDF-1.4 stand-in" {
		t.Fatalf("parts %v, pdf %q", types, pdf)
	}
	for _, c := range o.Charts {
		if !cids[c.ContentID] || !bytes.Contains(html, []byte("cid:"+c.ContentID)) {
			t.Errorf("chart %s: inline part %v, referenced %v", c.Name, cids[c.ContentID], bytes.Contains(html, []byte("cid:"+c.ContentID)))
		}
	}
	if !bytes.Contains(html, []byte("Câu chuyện nổi bật")) {
		t.Error("HTML part lacks the Vietnamese text")
	}
}

func decodeBase64(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(base64Decoder(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func base64Decoder(b []byte) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r"), nil), []byte("\n"), nil)))
}
