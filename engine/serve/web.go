package serve

import (
	_ "embed"
	"net/http"
)

// indexHTML is the web page: pick an ensemble, ask it a question, and see
// the chosen answer with every member's answer, votes and samples. It is
// one file with its CSS and JS inline and loads nothing from elsewhere.
//
//go:embed web/index.html
var indexHTML []byte

// page serves the web page. It needs no API key (it holds no data); the
// API calls it makes send the key typed into it.
func page(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", "default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
	_, _ = w.Write(indexHTML)
}
