package ollama_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/slmmux/slmmux/models/ollama"
)

// With APIKey every request carries it as a bearer token, the client's
// own routes and those sent through HTTPClient alike; without, none.
func TestAPIKeyIsSentAsBearer(t *testing.T) {
	var got []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"version":"0.6.5"}`))
	}))
	defer ts.Close()
	for _, key := range []string{"s3cret", ""} {
		got = nil
		c, err := ollama.New(ollama.Config{Host: ts.URL, APIKey: key})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Version(t.Context()); err != nil {
			t.Fatal(err)
		}
		resp, err := c.HTTPClient().Get(ts.URL + "/slmmux/probe")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := ""
		if key != "" {
			want = "Bearer " + key
		}
		if len(got) != 2 || got[0] != want || got[1] != want {
			t.Fatalf("key %q: Authorization headers %q", key, got)
		}
	}
}
