package alerts

import (
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"strings"
)

func decodeTransfer(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(enc) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	}
	return r
}
