package ollama

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A kept-alive connection the server has closed (a daemon restarted on
// the same port) does not fail the next POST: it is resent on a new one.
func TestPostSurvivesAStaleConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"details":{"family":"llama"},"model_info":{}}`))
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, err := New(Config{Host: srv.URL, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 20 {
		if _, err := c.Show(ctx, "m"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		srv.CloseClientConnections() // the idle connection is now stale
	}
}
